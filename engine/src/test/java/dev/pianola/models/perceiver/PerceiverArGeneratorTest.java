package dev.pianola.models.perceiver;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
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
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    void aGenerationGivesTheSameIdsWhateverRanBeforeIt() throws IOException {
        // the caches' buffers are kept from one generation to the next: nothing of one may reach another
        JsonNode runs = runs();
        int[] a = ints(runs.get(3).get("prompt")), b = ints(runs.get(5).get("prompt"));
        for (SamplingConfig sampling : new SamplingConfig[] {SamplingConfig.greedy(), model.defaultSampling()}) {
            PerceiverArRequest r = PerceiverArRequest.tokens(60, 1, sampling, 11);
            int[] cold = model.generate(a, r, () -> false, Progress.NONE).generated();
            // past both caps, with 16 latents: every buffer grows, trims and moves
            model.generate(b, PerceiverArRequest.tokens(120, 16, sampling, 12), () -> false, Progress.NONE);
            assertArrayEquals(cold, model.generate(a, r, () -> false, Progress.NONE).generated(), "sampling " + sampling);
        }
    }

    /**
     * The part of a prefill that a streaming prefill could run ahead is exact: the cross-attention
     * rows of a context's beginning, computed early (the prefill of a shorter prompt, as at a bar
     * line) and fed back as past rows, give the whole prompt's prefill bit for bit, in float32 and
     * int8. (Since exporter 4 these rows are a table look-up in the graph, so there is nothing left
     * worth running ahead: see PerceiverEngine.)
     */
    @Test
    void prefixRowsRunAheadGiveTheWholePrefillsLogitsBitForBit() throws Exception {
        int[] prompt = Arrays.copyOf(ints(runs().get(4).get("prompt")), 60);
        try (PerceiverArGenerator int8 = PerceiverArGenerator.open(DIR.resolve("tiny-int8"), OnnxSessions.Device.CPU)) {
            for (PerceiverArGenerator g : new PerceiverArGenerator[] {model, int8}) {
                for (int ahead : new int[] {1, 37, 58}) prefixRunAhead(g.modelPackage().session(PerceiverArGenerator.GRAPH), prompt, ahead);
            }
        }
    }

    private static void prefixRunAhead(OrtSession decoder, int[] prompt, int ahead) throws OrtException {
        int last = prompt.length - 1;
        try (OrtSession.Result whole = runDecoder(decoder, Arrays.copyOf(prompt, last), new int[] {prompt[last]}, null, null);
             OrtSession.Result early = runDecoder(decoder, Arrays.copyOf(prompt, ahead), new int[] {prompt[ahead]}, null, null)) {
            OnnxTensor keys = (OnnxTensor) early.get("new.ca.key").orElseThrow(), values = (OnnxTensor) early.get("new.ca.value").orElseThrow();
            try (OnnxTensor pastKeys = firstRows(keys, ahead); OnnxTensor pastValues = firstRows(values, ahead);
                 OrtSession.Result rest = runDecoder(decoder, Arrays.copyOfRange(prompt, ahead, last), new int[] {prompt[last]}, pastKeys, pastValues)) {
                assertArrayEquals(floats(whole.get("logits").orElseThrow()), floats(rest.get("logits").orElseThrow()), 0f, "ahead " + ahead);
                // and the rows themselves: those run ahead are the whole prefill's first rows
                float[] wholeKeys = floats(whole.get("new.ca.key").orElseThrow());
                assertArrayEquals(Arrays.copyOf(wholeKeys, ahead * channels()), floats(pastKeys), 0f);
            }
        }
    }

    private static int channels() {
        return (int) model.modelPackage().config("num_channels");
    }

    /** The decoder on empty caches, or with the cross-attention's past rows given. */
    private static OrtSession.Result runDecoder(OrtSession decoder, int[] prefix, int[] latents, OnnxTensor caKeys, OnnxTensor caValues)
            throws OrtException {
        OrtEnvironment env = OnnxSessions.environment();
        Map<String, OnnxTensor> in = new HashMap<>();
        List<OnnxTensor> made = new ArrayList<>();
        try {
            made.add(in.computeIfAbsent("prefix_ids", k -> longs(env, prefix)));
            made.add(in.computeIfAbsent("latent_ids", k -> longs(env, latents)));
            for (String name : decoder.getInputNames()) {
                if (!name.startsWith("past.")) continue;
                OnnxTensor given = name.equals("past.ca.key") ? caKeys : name.equals("past.ca.value") ? caValues : null;
                if (given != null) {
                    in.put(name, given);
                } else {
                    OnnxTensor empty = OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {1, 0, channels()});
                    made.add(empty);
                    in.put(name, empty);
                }
            }
            return decoder.run(in);
        } finally {
            for (OnnxTensor t : made) t.close();
        }
    }

    private static OnnxTensor longs(OrtEnvironment env, int[] ids) {
        try {
            return OnnxTensor.createTensor(env, LongBuffer.wrap(Arrays.stream(ids).asLongStream().toArray()), new long[] {1, ids.length});
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    private static OnnxTensor firstRows(OnnxTensor t, int rows) throws OrtException {
        return OnnxTensor.createTensor(OnnxSessions.environment(), FloatBuffer.wrap(Arrays.copyOf(floats(t), rows * channels())),
                new long[] {1, rows, channels()});
    }

    private static float[] floats(OnnxValue v) throws OrtException {
        FloatBuffer b = ((OnnxTensor) v).getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
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

    /**
     * A continuation after a rest starts there: the prompt ends with the time shifts of the rest
     * (a second at most each, 10 ms steps), and every new note starts at or after it; without a
     * rest the prompt is the phrase's own encoding.
     */
    @Test
    void aContinuationAfterARestIsPromptedWithItsTimeShifts() {
        List<dev.pianola.midi.Note> notes = new ArrayList<>();
        for (int i = 0; i < 4; i++) notes.add(new dev.pianola.midi.Note(60 + 2 * i, i, 0.5, 90));
        dev.pianola.midi.NoteSequence phrase = new dev.pianola.midi.NoteSequence(notes, dev.pianola.time.TempoMap.constant(120));
        int[] encoded = PerceiverMidiCodec.encode(phrase);
        double phraseEndSeconds = PerceiverArGenerator.seconds(encoded, 0, encoded.length); // 1.75 s: the last release at beat 3.5
        assertEquals(1.75, phraseEndSeconds, 1e-9);
        PerceiverArRequest request = new PerceiverArRequest(40, 2.0, 1, SamplingConfig.greedy(), 0);

        PerceiverArGenerator.Continuation fromEnd = model.continueSequence(phrase, request, () -> false, Progress.NONE);
        assertArrayEquals(encoded, fromEnd.promptIds());
        // from 3.5 s (beat 7 at 120 BPM): 1.75 s of rest, a full second and 75 steps
        PerceiverArGenerator.Continuation afterRest = model.continueSequence(phrase, 3.5, request, () -> false, Progress.NONE);
        int[] prompt = afterRest.promptIds();
        assertArrayEquals(encoded, Arrays.copyOf(prompt, encoded.length));
        assertArrayEquals(new int[] {PerceiverVocab.TIME_SHIFT_START + 99, PerceiverVocab.TIME_SHIFT_START + 74},
                Arrays.copyOfRange(prompt, encoded.length, prompt.length));
        assertEquals(3.5, afterRest.promptEndSeconds(), 1e-9);
        for (TimedNote n : afterRest.newNotes()) assertTrue(n.startSeconds() >= 3.5 - 1e-9, "a note in the rest: " + n);
        // a start that is not after the phrase adds nothing
        assertArrayEquals(encoded, model.continueSequence(phrase, 1.0, request, () -> false, Progress.NONE).promptIds());
    }
}
