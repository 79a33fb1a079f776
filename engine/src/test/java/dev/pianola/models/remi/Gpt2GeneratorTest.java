package dev.pianola.models.remi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.BadInputException;
import dev.pianola.ModelException;
import dev.pianola.TestPaths;
import dev.pianola.runtime.GenerationRequest;
import dev.pianola.runtime.GenerationResult;
import dev.pianola.runtime.InferenceWorker;
import dev.pianola.runtime.ModelManifest;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.runtime.SamplingConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tiny GPT-2 package (tools/reference/gpt2_fixtures.py) against transformers' generate(). */
class Gpt2GeneratorTest {
    private static final Path DIR = TestPaths.fixtures("gpt2");
    private static Gpt2Generator gpt2;

    @BeforeAll
    static void open() {
        gpt2 = Gpt2Generator.open(DIR.resolve("tiny"), OnnxSessions.Device.CPU);
    }

    @AfterAll
    static void close() {
        gpt2.close();
    }

    @Test
    void greedyGenerationEqualsTransformersForEveryPromptAndBatch() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(DIR.resolve("generations.json").toFile()).get("cases");
        assertTrue(cases.size() >= 5);
        boolean sawBatch = false, sawEarlyEos = false;
        for (JsonNode c : cases) {
            String name = c.get("name").asText();
            List<int[]> prompts = new ArrayList<>();
            c.get("prompts").forEach(p -> prompts.add(ints(p)));
            GenerationRequest request = new GenerationRequest(c.get("maxNewTokens").asInt(), SamplingConfig.greedy(), 0,
                    c.get("eos").asInt(), gpt2.padTokenId());
            GenerationResult result = gpt2.generate(prompts, request, () -> false, Progress.NONE);
            for (int b = 0; b < prompts.size(); b++) {
                int[] expected = ints(c.get("tokens").get(b));
                int[] got = result.tokens().get(b);
                // transformers pads a row after its EOS while the batch goes on; Java returns it up to EOS
                int[] padded = Arrays.copyOf(got, expected.length);
                Arrays.fill(padded, got.length, padded.length, gpt2.padTokenId());
                assertArrayEquals(expected, padded, name + " row " + b);
                sawEarlyEos |= got.length < expected.length && got[got.length - 1] == c.get("eos").asInt();
            }
            sawBatch |= prompts.size() > 1;
        }
        assertTrue(sawBatch && sawEarlyEos, "the fixture covers a batch and a row that ends at EOS");
    }

    @Test
    void theInt8PackageGeneratesOnnxRuntimePythonsGreedyTokens() throws IOException {
        // the reference for a quantized graph is ONNX Runtime on that graph (tools/reference/gpt2_int8_fixtures.py)
        JsonNode cases = new ObjectMapper().readTree(DIR.resolve("generations-int8.json").toFile()).get("cases");
        assertTrue(cases.size() >= 4);
        try (Gpt2Generator int8 = Gpt2Generator.open(DIR.resolve("tiny-int8"), OnnxSessions.Device.CPU)) {
            assertEquals(ModelManifest.INT8_DYNAMIC, int8.modelPackage().manifest().precision());
            for (JsonNode c : cases) {
                GenerationRequest request = new GenerationRequest(c.get("maxNewTokens").asInt(), SamplingConfig.greedy(), 0,
                        c.get("eos").asInt(), int8.padTokenId());
                int[] got = int8.generate(ints(c.get("prompts").get(0)), request, () -> false, Progress.NONE).tokens().get(0);
                assertArrayEquals(ints(c.get("tokens").get(0)), got, c.get("name").asText());
            }
        }
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    @Test
    void sampledGenerationIsReproducibleWithASeed() {
        SamplingConfig paper = new SamplingConfig(true, 2.5, 15, 0.95, 1.0, List.of(gpt2.padTokenId()));
        int[] prompt = {gpt2.bosTokenId(), 40, 41, 42};
        int[] a = gpt2.generate(prompt, gpt2.request(50, paper, 7), () -> false, Progress.NONE).tokens().get(0);
        int[] b = gpt2.generate(prompt, gpt2.request(50, paper, 7), () -> false, Progress.NONE).tokens().get(0);
        int[] c = gpt2.generate(prompt, gpt2.request(50, paper, 8), () -> false, Progress.NONE).tokens().get(0);
        assertArrayEquals(a, b, "same seed, same tokens");
        assertNotEquals(Arrays.toString(a), Arrays.toString(c), "another seed, other tokens");
        for (int t : a) assertNotEquals(gpt2.padTokenId(), t, "PAD is suppressed");
    }

    /**
     * Streaming prefill: a prompt primed as it grows (token by token, in chunks, or after a prompt
     * that went another way) is continued with exactly the tokens a fresh prefill gives, greedy and
     * sampled.
     */
    @Test
    void aPrimedPromptGivesTheTokensOfAFreshPrefill() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(DIR.resolve("generations.json").toFile()).get("cases");
        SamplingConfig paper = new SamplingConfig(true, 2.5, 15, 0.95, 1.0, List.of(gpt2.padTokenId()));
        int checked = 0;
        for (JsonNode c : cases) {
            if (c.get("prompts").size() != 1) continue;
            int[] prompt = ints(c.get("prompts").get(0));
            for (SamplingConfig sampling : List.of(SamplingConfig.greedy(), paper)) {
                GenerationRequest request = new GenerationRequest(c.get("maxNewTokens").asInt(), sampling, 3, c.get("eos").asInt(), gpt2.padTokenId());
                gpt2.forget();
                int[] fresh = gpt2.generate(prompt, request, () -> false, Progress.NONE).tokens().get(0);
                String name = c.get("name").asText() + (sampling.doSample() ? " sampled" : " greedy");

                gpt2.forget();
                for (int k = 1; k <= prompt.length; k++) gpt2.prime(Arrays.copyOf(prompt, k));
                assertEquals(prompt.length - 1, gpt2.cachedTokens(), name + ": the cache holds the prompt but its last token");
                assertArrayEquals(fresh, gpt2.generate(prompt, request, () -> false, Progress.NONE).tokens().get(0), name + ": primed token by token");

                gpt2.forget();
                gpt2.prime(Arrays.copyOf(prompt, Math.max(1, prompt.length / 2)));
                assertEquals(Math.max(0, prompt.length / 2 - 1), gpt2.cachedTokens(), name + ": half primed");
                assertArrayEquals(fresh, gpt2.generate(prompt, request, () -> false, Progress.NONE).tokens().get(0), name + ": primed half");

                // primed with a prompt that went another way after its first half (a held note's duration changed)
                int[] other = Arrays.copyOf(prompt, prompt.length + 3);
                for (int i = Math.max(1, prompt.length / 2); i < other.length; i++) other[i] = 40 + i % 7;
                gpt2.forget();
                gpt2.prime(other);
                assertArrayEquals(fresh, gpt2.generate(prompt, request, () -> false, Progress.NONE).tokens().get(0), name + ": primed another way");

                // the same prompt again right after: its cache is reused whole
                assertArrayEquals(fresh, gpt2.generate(prompt, request, () -> false, Progress.NONE).tokens().get(0), name + ": again");
                checked++;
            }
        }
        assertTrue(checked >= 6, "single-prompt cases checked: " + checked);
    }

    @Test
    void cancellationStopsALongGeneration() throws Exception {
        AtomicInteger steps = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        try (InferenceWorker worker = new InferenceWorker("tiny-gpt2", gpt2::warmUp)) {
            worker.awaitWarmUp();
            InferenceWorker.Job<GenerationResult> job = worker.submit((cancelled, progress) ->
                    gpt2.generate(new int[] {gpt2.bosTokenId()}, gpt2.request(250, SamplingConfig.greedy(), 0).withEos(-1),
                            cancelled, progress), (done, total, what) -> {
                steps.set((int) done);
                if (done == 5) started.countDown();
            });
            assertTrue(started.await(60, TimeUnit.SECONDS), "the job runs");
            job.cancel();
            GenerationResult r = job.get();
            assertEquals(GenerationResult.Stop.CANCELLED, r.stop());
            assertTrue(r.tokens().get(0).length < 250 && r.tokens().get(0).length >= 5, "stopped early: " + r.tokens().get(0).length);
            assertEquals(r.steps(), steps.get(), "progress reported every step");
        }
    }

    @Test
    void aPackageOfAnotherFamilyIsRefused(@TempDir Path tmp) throws IOException {
        for (String f : new String[] {"decoder.onnx", ModelManifest.FILE}) Files.copy(DIR.resolve("tiny").resolve(f), tmp.resolve(f));
        Path manifest = tmp.resolve(ModelManifest.FILE);
        Files.writeString(manifest, Files.readString(manifest).replace("\"gpt2-remi\"", "\"perceiver-ar\""));
        ModelException e = assertThrows(ModelException.class, () -> Gpt2Generator.open(tmp, OnnxSessions.Device.CPU));
        assertTrue(e.getMessage().contains("is a 'perceiver-ar' model, this engine needs 'gpt2-remi'"), e.getMessage());
    }

    @Test
    void aPromptLongerThanTheContextIsRefused() {
        int[] prompt = new int[gpt2.contextLength()];
        prompt[0] = gpt2.bosTokenId();
        assertThrows(BadInputException.class, () -> gpt2.generate(prompt, gpt2.request(1, SamplingConfig.greedy(), 0), () -> false, Progress.NONE));
        assertThrows(BadInputException.class, () -> gpt2.generate(new int[] {gpt2.vocabSize()}, gpt2.request(1, SamplingConfig.greedy(), 0), () -> false, Progress.NONE));
    }
}
