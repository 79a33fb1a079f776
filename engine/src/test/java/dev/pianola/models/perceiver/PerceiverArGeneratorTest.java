package dev.pianola.models.perceiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.BadInputException;
import dev.pianola.ModelException;
import dev.pianola.TestPaths;
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
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tiny Perceiver AR package (tools/reference/perceiver_ar_fixtures.py) against perceiver-io's HF generate. */
class PerceiverArGeneratorTest {
    private static final Path DIR = TestPaths.fixtures("perceiver-ar");
    private static PerceiverArGenerator model;

    @BeforeAll
    static void open() {
        model = PerceiverArGenerator.open(DIR.resolve("tiny"), OnnxSessions.Device.CPU);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static JsonNode runs() throws IOException {
        return new ObjectMapper().readTree(DIR.resolve("generations.json").toFile()).get("runs");
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    @Test
    void greedyTokensEqualHfGenerateIncludingRunsPastBothCaps() throws IOException {
        JsonNode runs = runs();
        assertTrue(runs.size() >= 6);
        boolean pastWindow = false, pastLatents = false;
        for (JsonNode r : runs) {
            String file = r.get("file").asText();
            int n = r.get("promptLength").asInt();
            // the prompt as the Java codec encodes the corpus file: codec and model parity in one
            int[] encoded = PerceiverMidiCodec.encodeFile(TestPaths.corpus(file.substring("corpus:".length())));
            int[] prompt = Arrays.copyOf(encoded, n);
            assertArrayEquals(ints(r.get("prompt")), prompt, file);
            int k = r.get("numLatents").asInt(), newTokens = r.get("maxNewTokens").asInt();
            PerceiverArGenerator.Tokens t = model.generate(prompt,
                    PerceiverArRequest.tokens(newTokens, k, SamplingConfig.greedy(), 0), () -> false, Progress.NONE);
            assertArrayEquals(ints(r.get("generated")), t.generated(), file + " prompt " + n + " latents " + k);
            pastWindow |= n + newTokens > model.maxSeqLen() + 1;
            pastLatents |= Math.min(n, k) + newTokens > model.maxLatents() + 1;
        }
        assertTrue(pastWindow && pastLatents, "the fixtures must run into both cache caps");
    }

    @Test
    void theInt8PackageGeneratesOnnxRuntimePythonsGreedyIds() throws IOException {
        // the reference for quantized graphs is ONNX Runtime on them (tools/reference/perceiver_ar_int8_fixtures.py)
        JsonNode runs = new ObjectMapper().readTree(DIR.resolve("generations-int8.json").toFile()).get("runs");
        assertTrue(runs.size() >= 6);
        try (PerceiverArGenerator int8 = PerceiverArGenerator.open(DIR.resolve("tiny-int8"), OnnxSessions.Device.CPU)) {
            assertEquals(ModelManifest.INT8_DYNAMIC, int8.modelPackage().manifest().precision());
            for (JsonNode r : runs) {
                PerceiverArGenerator.Tokens t = int8.generate(ints(r.get("prompt")), PerceiverArRequest.tokens(
                        r.get("maxNewTokens").asInt(), r.get("numLatents").asInt(), SamplingConfig.greedy(), 0), () -> false, Progress.NONE);
                assertArrayEquals(ints(r.get("generated")), t.generated(), r.get("file").asText());
            }
        }
    }

    @Test
    void seededSamplingIsReproducibleAndSeedsDiffer() throws IOException {
        int[] prompt = ints(runs().get(0).get("prompt"));
        SamplingConfig card = model.defaultSampling();
        assertTrue(card.doSample() && card.topK() == 50 && card.topP() == 0.95 && card.suppressedTokens().contains(388));
        int[] a = model.generate(prompt, PerceiverArRequest.tokens(120, 1, card, 7), () -> false, Progress.NONE).generated();
        int[] b = model.generate(prompt, PerceiverArRequest.tokens(120, 1, card, 7), () -> false, Progress.NONE).generated();
        int[] c = model.generate(prompt, PerceiverArRequest.tokens(120, 1, card, 8), () -> false, Progress.NONE).generated();
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));
        assertFalse(Arrays.stream(a).anyMatch(id -> id == 388), "PAD is suppressed");
    }

    @Test
    void cancellationStopsEarlyAndKeepsTheTokensMade() {
        int[] calls = {0};
        PerceiverArGenerator.Tokens t = model.generate(new int[] {256}, PerceiverArRequest.tokens(50, 1, SamplingConfig.greedy(), 0),
                () -> ++calls[0] >= 5, Progress.NONE);
        assertTrue(t.cancelled());
        assertEquals(5, t.generated().length);
    }

    @Test
    void continueMidiPlacesNewNotesAfterThePromptAndStopsAtTheTimeLimit() {
        Path midi = TestPaths.corpus("midi/piano/Maestro_1.mid");
        PerceiverArGenerator.Continuation c = model.continueMidi(midi,
                new PerceiverArRequest(400, 2.0, 1, model.defaultSampling(), 3), () -> false, Progress.NONE);
        assertTrue(c.promptIds().length > model.maxSeqLen(), "this prompt must be cut to the model's window");
        double generatedSeconds = PerceiverArGenerator.seconds(c.generatedIds(), 0, c.generatedIds().length);
        assertTrue(generatedSeconds >= 2.0 || c.generatedIds().length == 400);
        for (TimedNote n : c.newNotes()) assertTrue(n.startSeconds() >= c.promptEndSeconds(), n.toString());
    }

    @Test
    void badPromptsAndLatentsAreRefusedWithTheRange() {
        SamplingConfig g = SamplingConfig.greedy();
        BadInputException tooMany = assertThrows(BadInputException.class, () -> model.generate(new int[] {1, 2},
                PerceiverArRequest.tokens(2, model.maxLatents() + 1, g, 0), () -> false, Progress.NONE));
        assertTrue(tooMany.getMessage().contains("1.." + model.maxLatents()), tooMany.getMessage());
        assertThrows(BadInputException.class, () -> PerceiverArRequest.tokens(2, 0, g, 0));
        int[] full = new int[model.maxSeqLen()];
        BadInputException prefix = assertThrows(BadInputException.class,
                () -> model.generate(full, PerceiverArRequest.tokens(2, 1, g, 0), () -> false, Progress.NONE));
        assertTrue(prefix.getMessage().contains("num_latents must be in " + model.maxLatents()), prefix.getMessage());
        assertThrows(BadInputException.class, () -> model.generate(new int[model.maxSeqLen() + 1],
                PerceiverArRequest.tokens(2, 16, g, 0), () -> false, Progress.NONE));
        assertThrows(BadInputException.class, () -> model.generate(new int[] {389},
                PerceiverArRequest.tokens(2, 1, g, 0), () -> false, Progress.NONE));
    }

    @Test
    void wrongFamilyAndMissingGraphAreRefusedNamingTheFile(@TempDir Path tmp) throws IOException {
        Path copy = tmp.resolve("pkg");
        Files.createDirectories(copy);
        for (String f : new String[] {"pianola-model.json", "decoder.onnx"}) {
            Files.copy(DIR.resolve("tiny").resolve(f), copy.resolve(f));
        }
        String manifest = Files.readString(copy.resolve("pianola-model.json"));
        Files.writeString(copy.resolve("pianola-model.json"), manifest.replace("\"perceiver-ar\"", "\"gpt2-remi\""));
        ModelException wrong = assertThrows(ModelException.class, () -> PerceiverArGenerator.open(copy, OnnxSessions.Device.CPU));
        assertTrue(wrong.getMessage().contains("pianola-model.json") && wrong.getMessage().contains("perceiver-ar"), wrong.getMessage());
        Files.writeString(copy.resolve("pianola-model.json"), manifest);
        Files.delete(copy.resolve("decoder.onnx"));
        ModelException missing = assertThrows(ModelException.class, () -> PerceiverArGenerator.open(copy, OnnxSessions.Device.CPU));
        assertTrue(missing.getMessage().contains("decoder.onnx"), missing.getMessage());
    }

    @Test
    void aPackageOfTheOldTwoGraphLayoutIsRefusedWithOneLineSayingReExport(@TempDir Path tmp) throws IOException {
        // the manifest of an exporter-1 package: PREFILL and STEP graphs, each holding the weights
        Path old = tmp.resolve("old");
        Files.createDirectories(old);
        Files.writeString(old.resolve("pianola-model.json"), """
                {"formatVersion": 1, "family": "perceiver-ar", "version": "1",
                 "files": [{"path": "prefill.onnx", "sha256": "0000000000000000000000000000000000000000000000000000000000000000"}, {"path": "step.onnx", "sha256": "0000000000000000000000000000000000000000000000000000000000000000"}],
                 "graphs": {"prefill": {"file": "prefill.onnx", "inputs": ["prefix_ids", "latent_ids"], "outputs": ["logits"], "logits": "logits"},
                            "step": {"file": "step.onnx", "inputs": ["ids"], "outputs": ["logits"], "logits": "logits"}},
                 "vocabSize": 389, "config": {}}
                """);
        ModelException e = assertThrows(ModelException.class, () -> PerceiverArGenerator.open(old, OnnxSessions.Device.CPU));
        assertTrue(e.getMessage().contains("pianola-model.json") && e.getMessage().contains("re-export"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }
}
