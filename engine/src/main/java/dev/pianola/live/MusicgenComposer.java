package dev.pianola.live;

import dev.pianola.models.musicgen.MusicgenModel;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.runtime.SamplingConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * MusicGen as a {@link Composer}: the package's own sampling (top-k, top-p) at the asked
 * temperature and its guidance scale, as many decoder steps as the seconds need (the delay
 * pattern's tail included), decoded by EnCodec (a stereo model's two channels mixed: the
 * cover hears one).
 */
public final class MusicgenComposer implements Composer {
    private final MusicgenModel model;

    private MusicgenComposer(MusicgenModel model) {
        this.model = model;
    }

    public static MusicgenComposer open(Path dir, OnnxSessions.Device device) {
        return new MusicgenComposer(MusicgenModel.open(dir, device));
    }

    @Override
    public String name() {
        return "musicgen";
    }

    @Override
    public int sampleRate() {
        return model.samplingRate();
    }

    @Override
    public double maxSeconds() {
        return (double) maxFrames() / model.frameRate();
    }

    private int maxFrames() {
        return model.maxFrames(0);
    }

    @Override
    public float[] compose(String prompt, double seconds, long seed, double temperature, BooleanSupplier cancelled) {
        int frames = Math.max(1, Math.min(maxFrames(), (int) Math.ceil(seconds * model.frameRate())));
        SamplingConfig d = model.defaultSampling();
        SamplingConfig sampling = temperature <= 0 ? SamplingConfig.greedy() : SamplingConfig.sampling(temperature, d.topK(), d.topP());
        MusicgenModel.Settings settings = new MusicgenModel.Settings(model.stepsForFrames(frames), sampling, seed, model.defaultGuidanceScale());
        MusicgenModel.Generation g = model.generate(List.of(prompt), null, settings, cancelled, Progress.NONE);
        return model.decode(g.codes())[0];
    }

    @Override
    public void close() {
        model.close();
    }
}
