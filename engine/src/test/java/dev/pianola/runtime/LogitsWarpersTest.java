package dev.pianola.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.TestPaths;
import org.jetbrains.bio.npy.NpzFile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The samplers against transformers' own logits processors (tests/fixtures/gpt2/samplers.*). */
class LogitsWarpersTest {
    private static final Path DIR = TestPaths.fixtures("gpt2");

    @Test
    void everyCaseMatchesTransformers() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(DIR.resolve("samplers.json").toFile()).get("cases");
        try (NpzFile.Reader npz = NpzFile.read(DIR.resolve("samplers.npz"))) {
            var logitsArray = npz.get("logits", 1 << 24);
            int rows = logitsArray.getShape()[0], vocab = logitsArray.getShape()[1];
            float[] logits = logitsArray.asFloatArray();
            var historyArray = npz.get("history", 1 << 24);
            int hist = historyArray.getShape()[1];
            long[] history = historyArray.asLongArray();
            assertTrue(cases.size() >= 10, "the fixture has its cases");
            for (JsonNode c : cases) {
                SamplingConfig config = config(c);
                float[] expected = npz.get(c.get("name").asText(), 1 << 24).asFloatArray();
                for (int r = 0; r < rows; r++) {
                    float[] row = Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab);
                    int[] h = new int[hist];
                    for (int i = 0; i < hist; i++) h[i] = (int) history[r * hist + i];
                    boolean ties = hasTies(row);
                    Sampler.warp(config, row, h, hist);
                    float[] want = Arrays.copyOfRange(expected, r * vocab, (r + 1) * vocab);
                    if (ties && config.doSample() && config.topP() < 1) {
                        // torch.sort is not stable: which of several equal logits at the top-p cut
                        // is removed is arbitrary in transformers; the same values must survive
                        Arrays.sort(want);
                        row = row.clone();
                        Arrays.sort(row);
                    }
                    for (int v = 0; v < vocab; v++) {
                        boolean same = want[v] == row[v] || Math.abs(want[v] - row[v]) <= 1e-6 * Math.max(1, Math.abs(want[v]));
                        if (!same) fail(c.get("name").asText() + " row " + r + " token " + v + ": transformers " + want[v] + ", Java " + row[v]);
                    }
                }
            }
        }
    }

    private static boolean hasTies(float[] row) {
        Set<Float> seen = new HashSet<>();
        for (float v : row) if (Float.isFinite(v) && !seen.add(v)) return true;
        return false;
    }

    private static SamplingConfig config(JsonNode c) {
        List<Integer> suppressed = new ArrayList<>();
        if (c.has("suppressTokens")) c.get("suppressTokens").forEach(t -> suppressed.add(t.asInt()));
        return new SamplingConfig(c.get("doSample").asBoolean(), c.path("temperature").asDouble(1), c.path("topK").asInt(0),
                c.path("topP").asDouble(1), c.path("repetitionPenalty").asDouble(1), suppressed);
    }

    @Test
    void topKKeepsTiesAtTheThreshold() {
        float[] logits = {1, 3, 2, 2, 0, 2};
        LogitsWarpers.topK(logits, 2);
        float ninf = Float.NEGATIVE_INFINITY;
        assertArrayEquals(new float[] {ninf, 3, 2, 2, ninf, 2}, logits);
    }

    @Test
    void topPKeepsAtLeastTheBestToken() {
        float[] logits = {0, 10, 0};
        LogitsWarpers.topP(logits, 0.01);
        assertEquals(10, logits[1]);
        assertEquals(Float.NEGATIVE_INFINITY, logits[0]);
    }

    @Test
    void samplingIsReproducibleWithASeedAndStaysInsideTopK() {
        SamplingConfig c = SamplingConfig.sampling(1.5, 5, 1.0);
        float[] base = new float[100];
        for (int i = 0; i < base.length; i++) base[i] = (float) Math.sin(i * 1.7) * 4;
        float[] sorted = base.clone();
        Arrays.sort(sorted);
        Set<Integer> top5 = new HashSet<>();
        for (int i = 0; i < base.length; i++) if (base[i] >= sorted[sorted.length - 5]) top5.add(i);
        int[] a = draw(c, base, 7), b = draw(c, base, 7), other = draw(c, base, 8);
        assertArrayEquals(a, b, "same seed, same tokens");
        assertNotEquals(Arrays.toString(a), Arrays.toString(other), "another seed draws other tokens");
        Set<Integer> seen = new HashSet<>();
        for (int t : a) {
            assertTrue(top5.contains(t), "token " + t + " is outside the top 5");
            seen.add(t);
        }
        assertTrue(seen.size() > 1, "sampling, not argmax");
    }

    private static int[] draw(SamplingConfig c, float[] base, long seed) {
        Sampler s = new Sampler(c, seed);
        int[] out = new int[200];
        for (int i = 0; i < out.length; i++) out[i] = s.next(base.clone(), new int[0], 0);
        return out;
    }
}
