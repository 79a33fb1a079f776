package dev.pianola.models.musicgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pianola.BadInputException;
import dev.pianola.ModelException;
import dev.pianola.TestPaths;
import dev.pianola.runtime.LogitsWarpers;
import dev.pianola.runtime.MultiCodebookLoop;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.runtime.SamplingConfig;
import org.jetbrains.bio.npy.NpyArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.pianola.models.musicgen.MusicgenFixtures.longs;
import static dev.pianola.models.musicgen.MusicgenFixtures.longs2;
import static dev.pianola.models.musicgen.MusicgenFixtures.longs3;
import static dev.pianola.models.musicgen.MusicgenFixtures.strings;
import static org.junit.jupiter.api.Assertions.*;

/**
 * MusicGen against transformers' {@code generate} (tools/reference/musicgen_fixtures.py): a tiny
 * random-weight model exported by tools/export/export_musicgen.py; greedy codes equal with and
 * without guidance and with an audio prompt, audio within 1e-4, the tokenizer's ids equal, and the
 * sampler's processors equal to transformers' on its own logits.
 */
class MusicgenModelTest {
    private static final Path DIR = TestPaths.fixtures("musicgen");
    private static final double AUDIO_TOLERANCE = 1e-4;
    private static final JsonNode fixture = MusicgenFixtures.cases("cases.json");
    private static final Map<String, NpyArray> arrays = MusicgenFixtures.arrays("arrays.npz");
    private static MusicgenModel model;

    @BeforeAll
    static void load() throws IOException {
        model = MusicgenModel.open(DIR.resolve("tiny"), OnnxSessions.Device.CPU);
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    private static JsonNode testCase(String name) {
        return MusicgenFixtures.testCase(fixture, name);
    }

    @Test
    void tokenizerGivesTransformersIds() {
        for (JsonNode c : fixture.get("tokenizer")) {
            assertArrayEquals(longs(c.get("input_ids")), model.tokenizer().encode(c.get("text").asText()), c.get("text").asText());
        }
        JsonNode greedy = testCase("greedy");
        MusicgenTokenizer.Batch batch = model.tokenizer().encode(strings(greedy.get("prompts")));
        assertArrayEquals(longs2(greedy.get("input_ids")), batch.inputIds());
        assertArrayEquals(longs2(greedy.get("attention_mask")), batch.attentionMask());
    }

    @Test
    void greedyCodesAndAudioEqualTransformers() {
        checkGreedy(testCase("greedy"), null);
        checkGreedy(testCase("greedy_guidance"), null);
    }

    @Test
    void audioPromptIsEncodedAndContinuedAsTransformers() {
        JsonNode c = testCase("audio_prompt");
        NpyArray input = arrays.get("audio_prompt.input");
        long[][][] promptCodes = model.encode(input.asFloatArray());
        assertArrayEquals(longs3(c.get("prompt_codes")), promptCodes, "EnCodec's codes of the audio prompt");
        checkGreedy(c, promptCodes);
    }

    private void checkGreedy(JsonNode c, long[][][] promptCodes) {
        String name = c.get("name").asText();
        JsonNode s = c.get("settings");
        int steps = s.get("max_new_tokens").asInt();
        double guidance = s.get("guidance_scale").asDouble();
        MusicgenModel.Generation g = model.generate(strings(c.get("prompts")), promptCodes,
                new MusicgenModel.Settings(steps, SamplingConfig.greedy(), 0, guidance), () -> false, Progress.NONE);
        long[][] mask = longs2(c.get("delay_pattern_mask"));
        long[][] prompt = new long[mask.length][];
        int promptLength = mask[0].length - steps;
        for (int r = 0; r < mask.length; r++) {
            prompt[r] = new long[promptLength];
            prompt[r][0] = mask[0][0]; // the start id, also the pad
            if (promptCodes != null) {
                System.arraycopy(promptCodes[r / model.codebooks()][r % model.codebooks()], 0, prompt[r], 1, promptLength - 1);
            }
        }
        assertArrayEquals(mask, DelayPattern.forced(prompt, model.codebooks(), mask[0][0], mask[0].length), name + ": delay pattern");
        long[][] hfSequences = longs2(c.get("sequences"));
        for (int r = 0; r < mask.length; r++) {
            for (int j = 0; j < mask[r].length; j++) if (mask[r][j] != MultiCodebookLoop.FREE) hfSequences[r][j] = mask[r][j];
        }
        assertArrayEquals(hfSequences, g.loop().sequences(), name + ": sequences");
        assertArrayEquals(longs3(c.get("codes")), g.codes(), name + ": codes");
        assertEquals(steps, g.loop().steps());

        float[][] audio = model.decode(g.codes());
        NpyArray expected = arrays.get(name + ".audio");
        int[] shape = expected.getShape();
        float[] want = expected.asFloatArray();
        assertEquals(shape[0], audio.length);
        assertEquals(shape[2], audio[0].length, name + ": samples");
        assertEquals(g.codes()[0][0].length * model.hopLength(), audio[0].length);
        double worst = 0;
        for (int b = 0; b < audio.length; b++) {
            for (int i = 0; i < audio[b].length; i++) worst = Math.max(worst, Math.abs(audio[b][i] - want[b * shape[2] + i]));
        }
        assertTrue(worst < AUDIO_TOLERANCE, name + ": audio differs by " + worst);
    }

    @Test
    void samplingProcessorsEqualTransformers() {
        JsonNode c = testCase("sampling");
        JsonNode s = c.get("settings");
        double guidance = s.get("guidance_scale").asDouble();
        SamplingConfig sampling = SamplingConfig.sampling(s.get("temperature").asDouble(), s.get("top_k").asInt(), 1.0);
        NpyArray logits = arrays.get("sampling.logits");   // [steps][2 * codebooks][vocab]
        NpyArray scores = arrays.get("sampling.scores");   // [steps][codebooks][vocab]
        int steps = logits.getShape()[0], rows = scores.getShape()[1], vocab = logits.getShape()[2];
        float[] raw = logits.asFloatArray(), want = scores.asFloatArray();
        int finite = 0;
        for (int t = 0; t < steps; t++) {
            for (int r = 0; r < rows; r++) {
                float[] cond = java.util.Arrays.copyOfRange(raw, ((t * 2 * rows) + r) * vocab, ((t * 2 * rows) + r + 1) * vocab);
                float[] uncond = java.util.Arrays.copyOfRange(raw, ((t * 2 * rows) + rows + r) * vocab, ((t * 2 * rows) + rows + r + 1) * vocab);
                float[] got = LogitsWarpers.classifierFreeGuidance(cond, uncond, guidance);
                dev.pianola.runtime.Sampler.warp(sampling, got, new int[0], 0);
                for (int v = 0; v < vocab; v++) {
                    float w = want[(t * rows + r) * vocab + v];
                    if (Float.isInfinite(w)) {
                        assertEquals(w, got[v], "step " + t + " row " + r + " id " + v);
                    } else {
                        assertEquals(w, got[v], 1e-5 * Math.max(1, Math.abs(w)), "step " + t + " row " + r + " id " + v);
                        finite++;
                    }
                }
            }
        }
        assertTrue(finite >= steps * rows * s.get("top_k").asInt(), "top-k keeps at least k ids per row");
    }

    @Test
    void seededSamplingRepeatsAndSeedsDiffer() {
        List<String> prompt = strings(testCase("sampling").get("prompts"));
        SamplingConfig sampling = SamplingConfig.sampling(1.0, 50, 1.0);
        long[][][] a = model.generate(prompt, null, new MusicgenModel.Settings(12, sampling, 7, 3.0), () -> false, Progress.NONE).codes();
        long[][][] b = model.generate(prompt, null, new MusicgenModel.Settings(12, sampling, 7, 3.0), () -> false, Progress.NONE).codes();
        long[][][] other = model.generate(prompt, null, new MusicgenModel.Settings(12, sampling, 8, 3.0), () -> false, Progress.NONE).codes();
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.deepEquals(a, other), "another seed, other codes");
        for (long[] row : a[0]) for (long code : row) assertTrue(code >= 0 && code < model.modelPackage().manifest().vocabSize());
    }

    @Test
    void cancellationStopsBeforeTheNextStep() {
        int[] calls = {0};
        long[] done = {0};
        assertThrows(java.util.concurrent.CancellationException.class, () -> model.generate(List.of("calm strings"), null,
                new MusicgenModel.Settings(12, SamplingConfig.greedy(), 0, 3.0), () -> ++calls[0] > 3, (d, total, what) -> done[0] = d));
        assertEquals(3, done[0], "steps run before the cancellation");
        // the model is usable again afterwards
        assertEquals(12, model.generate(List.of("calm strings"), null, new MusicgenModel.Settings(12, SamplingConfig.greedy(), 0, 3.0),
                () -> false, Progress.NONE).loop().steps());
    }

    @Test
    void badInputGetsOneLineErrors() {
        MusicgenModel.Settings ok = new MusicgenModel.Settings(8, SamplingConfig.greedy(), 0, 1);
        assertThrows(BadInputException.class, () -> model.generate(List.of("  "), null, ok, () -> false, Progress.NONE));
        int limit = model.maxNewTokens(0);
        BadInputException tooLong = assertThrows(BadInputException.class, () -> model.generate(List.of("piano"), null,
                new MusicgenModel.Settings(limit + 1, SamplingConfig.greedy(), 0, 1), () -> false, Progress.NONE));
        assertTrue(tooLong.getMessage().contains("positions"), tooLong.getMessage());
        assertEquals(limit, model.generate(List.of("piano"), null, new MusicgenModel.Settings(limit, SamplingConfig.greedy(), 0, 1),
                () -> false, Progress.NONE).loop().steps(), "the last position still runs");
        assertThrows(BadInputException.class, () -> model.generate(List.of("piano"), null,
                new MusicgenModel.Settings(model.codebooks() - 1, SamplingConfig.greedy(), 0, 1), () -> false, Progress.NONE));
        // the fewest steps the delay pattern allows (2 * codebooks - 2 after the start id) is the one the message names
        int fewest = 2 * model.codebooks() - 2;
        BadInputException tooFew = assertThrows(BadInputException.class, () -> model.generate(List.of("piano"), null,
                new MusicgenModel.Settings(fewest - 1, SamplingConfig.greedy(), 0, 1), () -> false, Progress.NONE));
        assertTrue(tooFew.getMessage().contains("at least " + fewest + " steps"), tooFew.getMessage());
        assertEquals(fewest, model.generate(List.of("piano"), null, new MusicgenModel.Settings(fewest, SamplingConfig.greedy(), 0, 1),
                () -> false, Progress.NONE).loop().steps());
        assertThrows(BadInputException.class, () -> new MusicgenModel.Settings(8, SamplingConfig.greedy(), 0, Double.NaN));
        assertThrows(BadInputException.class, () -> model.encode(new float[0]));
        ModelException family = assertThrows(ModelException.class,
                () -> MusicgenModel.open(TestPaths.fixtures("gpt2").resolve("tiny"), OnnxSessions.Device.CPU));
        assertTrue(family.getMessage().contains("musicgen"), family.getMessage());
    }
}
