package dev.pianola.cli;

import dev.pianola.BadInputException;
import dev.pianola.midi.MidiFiles;
import dev.pianola.render.MidiRenderer;
import dev.pianola.render.WavWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import javax.sound.midi.Sequence;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "render", sortOptions = false, mixinStandardHelpOptions = true,
        header = "Play any MIDI file through a SoundFont into a WAV file.",
        description = {"All tracks and instruments, tempo changes honoured, faster than real time. Uses Fluid R3 GM by default."},
        footer = {"", "Examples:",
                "  pianola render song.piano.mid -o preview.wav",
                "  pianola render song.mid -o small.wav --sample-rate 22050 --mono --max-seconds 30"})
final class RenderCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MIDI", description = "The MIDI file to play.")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "WAV", description = "Where to write the audio (default: MIDI with .wav).")
    Path output;

    @Option(names = "--soundfont", paramLabel = "SF2", description = "SoundFont to play with (default: $PIANOLA_SOUNDFONT, else Fluid R3 GM).")
    Path soundFont;

    @Option(names = "--sample-rate", paramLabel = "HZ", defaultValue = "44100", description = "Sample rate (default ${DEFAULT-VALUE}).")
    int sampleRate;

    @Option(names = "--mono", description = "One channel instead of stereo.")
    boolean mono;

    @Option(names = "--bits", paramLabel = "16|24", defaultValue = "16", description = "Bits per sample (default ${DEFAULT-VALUE}).")
    int bits;

    @Option(names = "--max-seconds", paramLabel = "S", description = "Render only the first S seconds: the file lasts S seconds at most (notes still held are released there).")
    Double maxSeconds;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        Path out = output != null ? output : Outputs.besideInput(input, ".wav");
        if (sampleRate < 8000 || sampleRate > 192000) throw new BadInputException("--sample-rate " + sampleRate + ": expected 8000..192000 Hz");
        if (maxSeconds != null && !(maxSeconds > 0)) throw new BadInputException("--max-seconds " + maxSeconds + ": must be > 0");
        WavWriter.Depth depth = WavWriter.Depth.ofBits(bits);
        Outputs.check(input, common.force, Outputs.audio(out));
        Sequence seq = MidiFiles.readSequence(input);
        if (maxSeconds != null) seq = MidiFiles.crop(seq, maxSeconds);
        MidiRenderer.Options options = MidiRenderer.Options.DEFAULT.withSampleRate(sampleRate).withMono(mono);
        if (maxSeconds != null) options = options.withMaxSeconds(maxSeconds);
        MidiRenderer renderer = MidiRenderer.open(soundFont);
        double audioSeconds;
        try (CliProgress progress = new CliProgress(common.quiet, System.err)) {
            audioSeconds = renderer.renderToWav(seq, input, out, options, depth, common.force, progress);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (common.json) {
            System.out.println(new Summary().put("command", "render").put("input", input.toString()).put("output", out.toString())
                    .put("engine", "gervill").put("soundFont", renderer.soundFont().map(Path::toString).orElse("built-in"))
                    .put("audioSeconds", audioSeconds).put("computeSeconds", seconds).toJson());
        } else if (!common.quiet) {
            System.err.printf("pianola: rendered %.1f s -> %s (%.1f s)%n", audioSeconds, out, seconds);
        }
        return 0;
    }
}
