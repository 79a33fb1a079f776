package dev.pianola.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.models.musicgen.MusicgenModel;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.SamplingConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java half of tools/bench/musicgen_bench.py: one text prompt, STEPS decoder steps with the
 * package's guidance scale, sampled with its defaults (top-k 250) or greedy, then EnCodec; prints
 * one JSON line: package load, the time to the first step (tokenizer, text encoder, cross-attention
 * keys/values and the prefill), steps per second after it, the generation's and EnCodec's seconds,
 * the audio's seconds, peak RSS and the codes. Not a test.
 *
 * <p>usage: MusicgenBench PACKAGE_DIR PROMPT STEPS greedy|sample SEED
 */
public final class MusicgenBench {
    private MusicgenBench() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        String prompt = args[1];
        int steps = Integer.parseInt(args[2]);
        boolean greedy = args[3].equals("greedy");
        long seed = Long.parseLong(args[4]);
        long t0 = System.nanoTime();
        try (MusicgenModel model = MusicgenModel.open(dir, OnnxSessions.Device.CPU)) {
            long loadNanos = System.nanoTime() - t0;
            SamplingConfig sampling = greedy ? SamplingConfig.greedy() : model.defaultSampling();
            double guidance = model.defaultGuidanceScale();
            // warm-up: the fewest steps the delay pattern allows (2 * codebooks - 2) and their decode, as the Python side does
            model.decode(model.generate(List.of(prompt), null, new MusicgenModel.Settings(2 * model.codebooks() - 2, sampling, seed, guidance),
                    () -> false, dev.pianola.runtime.Progress.NONE).codes());
            TokenClock clock = new TokenClock();
            clock.start();
            long started = System.nanoTime();
            MusicgenModel.Generation g = model.generate(List.of(prompt), null, new MusicgenModel.Settings(steps, sampling, seed, guidance),
                    () -> false, clock);
            long generated = System.nanoTime();
            float[][] audio = model.decode(g.codes());
            long decoded = System.nanoTime();
            Map<String, Object> out = new LinkedHashMap<>(clock.figures());
            out.remove("token_ms");
            out.put("load_ms", loadNanos / 1e6);
            double generateS = (generated - started) / 1e9;
            out.put("generate_s", generateS);
            out.put("decode_ms", (decoded - generated) / 1e6);
            out.put("compute_s", generateS + (decoded - generated) / 1e9);
            out.put("audio_s", (double) audio[0].length / model.samplingRate());
            out.put("steps", g.loop().steps());
            out.put("guidance", guidance);
            out.put("peak_rss_mib", TokenClock.peakRssMib());
            List<List<List<Long>>> codes = new ArrayList<>();
            for (long[][] b : g.codes()) {
                List<List<Long>> rows = new ArrayList<>();
                for (long[] row : b) rows.add(java.util.Arrays.stream(row).boxed().toList());
                codes.add(rows);
            }
            out.put("codes", codes);
            System.out.println(new ObjectMapper().writeValueAsString(out));
        }
    }
}
