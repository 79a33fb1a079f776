package dev.pianola.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.models.remi.Gpt2Generator;
import dev.pianola.runtime.GenerationResult;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.SamplingConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Java half of tools/bench/gpt2_bench.py: greedy generation of N new tokens (no EOS) after a
 * prompt, with the package's decoder on the CPU (or DEVICE: tools/bench/run gpu); prints one JSON line with the time to the first
 * new token (prefill + its sampling), tokens per second over the steps after it, each token's time
 * since the start, the loop's own prefill time, peak RSS and the tokens. Not a test.
 *
 * <p>usage: Gpt2Bench PACKAGE_DIR PROMPT_JSON NEW_TOKENS [DEVICE: cpu (default), cuda, auto]
 */
public final class Gpt2Bench {
    private Gpt2Bench() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int[] prompt = TokenClock.prompt(Path.of(args[1]));
        int newTokens = Integer.parseInt(args[2]);
        OnnxSessions.Device device = TokenClock.device(args, 3);
        long t0 = System.nanoTime();
        try (Gpt2Generator gpt2 = Gpt2Generator.open(dir, device)) {
            long loadNanos = System.nanoTime() - t0;
            gpt2.warmUp();
            TokenClock clock = new TokenClock();
            clock.start();
            GenerationResult r = gpt2.generate(prompt, gpt2.request(newTokens, SamplingConfig.greedy(), 0).withEos(-1),
                    () -> false, clock);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("device", gpt2.modelPackage().device().name().toLowerCase(java.util.Locale.ROOT));
            out.put("load_ms", loadNanos / 1e6);
            out.putAll(clock.figures());
            out.put("loop_prefill_ms", r.prefillNanos() / 1e6);
            out.put("peak_rss_mib", TokenClock.peakRssMib());
            out.put("tokens", Arrays.stream(r.tokens().get(0)).boxed().toList());
            System.out.println(new ObjectMapper().writeValueAsString(out));
        }
    }
}
