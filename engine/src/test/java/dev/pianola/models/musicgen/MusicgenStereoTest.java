package dev.pianola.models.musicgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pianola.BadInputException;
import dev.pianola.TestPaths;
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
import java.util.Arrays;
import java.util.Map;

import static dev.pianola.models.musicgen.MusicgenFixtures.longs2;
import static dev.pianola.models.musicgen.MusicgenFixtures.longs3;
import static dev.pianola.models.musicgen.MusicgenFixtures.strings;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Stereo MusicGen (audio_channels 2, 8 interleaved codebooks) against transformers' {@code generate}
 * (tools/reference/musicgen_fixtures.py --size tiny-stereo): the delay pattern over channel pairs,
 * greedy codes with guidance and with a stereo audio prompt (each channel encoded on its own),
 * each channel's audio within 1e-4.
 */
class MusicgenStereoTest {
    private static final Path DIR = TestPaths.fixtures("musicgen");
    private static final double AUDIO_TOLERANCE = 1e-4;
    private static final JsonNode fixture = MusicgenFixtures.cases("stereo-cases.json");
    private static final Map<String, NpyArray> arrays = MusicgenFixtures.arrays("stereo-arrays.npz");
    private static MusicgenModel model;

    @BeforeAll
    static void load() throws IOException {
        model = MusicgenModel.open(DIR.resolve("tiny-stereo"), OnnxSessions.Device.CPU);
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    private static JsonNode testCase(String name) {
        return MusicgenFixtures.testCase(fixture, name);
    }

    @Test
    void stereoModelHasTwoChannelsOfFourCodebooks() {
        assertEquals(2, model.channels());
        assertEquals(8, model.codebooks());
        assertEquals(3, model.stepsForFrames(0), "the delay spans one channel's 4 codebooks, not 8");
        assertEquals(model.maxNewTokens(0) - 3, model.maxFrames(0));
    }

    @Test
    void greedyCodesAndStereoAudioEqualTransformers() {
        checkGreedy(testCase("greedy_guidance"), null);
    }

    @Test
    void stereoAudioPromptIsEncodedPerChannelAndContinued() {
        JsonNode c = testCase("audio_prompt");
        NpyArray input = arrays.get("audio_prompt.input"); // [1, 2, samples]
        int samples = input.getShape()[2];
        float[] all = input.asFloatArray();
        float[][] channels = {Arrays.copyOfRange(all, 0, samples), Arrays.copyOfRange(all, samples, 2 * samples)};
        long[][][] promptCodes = model.encode(channels);
        assertArrayEquals(longs3(c.get("prompt_codes")), promptCodes, "EnCodec's codes of each channel, interleaved");
        checkGreedy(c, promptCodes);
    }

    @Test
    void monoPromptGoesToBothChannels() {
        float[] left = Arrays.copyOfRange(arrays.get("audio_prompt.input").asFloatArray(), 0, 3000);
        long[][][] mono = model.encode(left);
        assertArrayEquals(model.encode(new float[][] {left, left}), mono, "mono = the same recording on both channels");
        for (int q = 0; q < 4; q++) assertArrayEquals(mono[0][2 * q], mono[0][2 * q + 1]);
        assertThrows(IllegalArgumentException.class, () -> model.encode(new float[][] {left, left, left}));
        assertThrows(BadInputException.class, () -> model.encode(new float[][] {new float[0], new float[0]}));
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
            if (promptCodes != null) System.arraycopy(promptCodes[r / 8][r % 8], 0, prompt[r], 1, promptLength - 1);
        }
        assertArrayEquals(mask, DelayPattern.forced(prompt, 8, 2, mask[0][0], mask[0].length), name + ": delay pattern");
        long[][] hfSequences = longs2(c.get("sequences"));
        for (int r = 0; r < mask.length; r++) {
            for (int j = 0; j < mask[r].length; j++) if (mask[r][j] != MultiCodebookLoop.FREE) hfSequences[r][j] = mask[r][j];
        }
        assertArrayEquals(hfSequences, g.loop().sequences(), name + ": sequences");
        assertArrayEquals(longs3(c.get("codes")), g.codes(), name + ": codes");

        float[][][] audio = model.decodeChannels(g.codes());
        NpyArray expected = arrays.get(name + ".audio"); // [batch, 2, samples]
        int[] shape = expected.getShape();
        float[] want = expected.asFloatArray();
        assertEquals(shape[0], audio.length);
        assertEquals(2, shape[1]);
        double worst = 0, channelsApart = 0;
        for (int b = 0; b < audio.length; b++) {
            assertEquals(2, audio[b].length);
            for (int ch = 0; ch < 2; ch++) {
                assertEquals(shape[2], audio[b][ch].length, name + ": samples");
                for (int i = 0; i < shape[2]; i++) {
                    worst = Math.max(worst, Math.abs(audio[b][ch][i] - want[(b * 2 + ch) * shape[2] + i]));
                }
            }
            for (int i = 0; i < shape[2]; i++) channelsApart = Math.max(channelsApart, Math.abs(audio[b][0][i] - audio[b][1][i]));
        }
        assertTrue(worst < AUDIO_TOLERANCE, name + ": audio differs by " + worst);
        assertTrue(channelsApart > 5e-3, name + ": the two channels should differ");
        // the mono view is the channels' average
        float[][] mix = model.decode(g.codes());
        for (int b = 0; b < audio.length; b++) {
            for (int i = 0; i < shape[2]; i++) assertEquals((audio[b][0][i] + audio[b][1][i]) * 0.5f, mix[b][i], 1e-7);
        }
    }
}
