package dev.pianola.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.models.perceiver.PerceiverArGenerator;
import dev.pianola.models.perceiver.PerceiverArRequest;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.SamplingConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Java half of tools/bench/perceiver_ar_bench.py: greedy generation of N new tokens after a
 * prompt with {@link PerceiverArGenerator} (one decoder graph for the prefill and the steps, the HF cached-path loop) on
 * the CPU (or DEVICE: tools/bench/run gpu); prints one JSON line with the time to the first new token (prefill + its sampling),
 * tokens per second over the steps after it, each token's time since the start, peak RSS and the
 * tokens. Not a test.
 *
 * <p>usage: PerceiverArBench PACKAGE_DIR PROMPT_JSON NEW_TOKENS NUM_LATENTS [DEVICE: cpu (default), cuda, auto]
 */
public final class PerceiverArBench {
    private PerceiverArBench() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int[] prompt = TokenClock.prompt(Path.of(args[1]));
        int newTokens = Integer.parseInt(args[2]);
        int numLatents = Integer.parseInt(args[3]);
        OnnxSessions.Device device = TokenClock.device(args, 4);
        long t0 = System.nanoTime();
        try (PerceiverArGenerator par = PerceiverArGenerator.open(dir, device)) {
            long loadNanos = System.nanoTime() - t0;
            par.warmUp();
            TokenClock clock = new TokenClock();
            clock.start();
            PerceiverArGenerator.Tokens r = par.generate(prompt,
                    PerceiverArRequest.tokens(newTokens, numLatents, SamplingConfig.greedy(), 0), () -> false, clock);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("device", par.modelPackage().device().name().toLowerCase(java.util.Locale.ROOT));
            out.put("load_ms", loadNanos / 1e6);
            out.putAll(clock.figures());
            out.put("peak_rss_mib", TokenClock.peakRssMib());
            out.put("tokens", Arrays.stream(r.generated()).boxed().toList());
            System.out.println(new ObjectMapper().writeValueAsString(out));
        }
    }
}
