package dev.pianola.models.pop2piano;

import dev.pianola.BadInputException;
import dev.pianola.TestPaths;
import dev.pianola.audio.Audio;
import dev.pianola.audio.AudioFiles;
import org.jetbrains.bio.npy.NpyArray;
import org.jetbrains.bio.npy.NpzFile;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Java against Hugging Face's Pop2PianoFeatureExtractor (transformers 4.57.6) on the fixture made
 * by tools/reference/pop2piano_features.py: same WAV crops, same beat times.
 */
class Pop2PianoFeaturesTest {
    /** The bar: features and beat grids within 1e-4 absolute. */
    private static final double TOLERANCE = 1e-4;

    private static NpyArray fixture(String name) {
        try (NpzFile.Reader r = NpzFile.read(TestPaths.fixtures("pop2piano").resolve("features.npz"))) {
            return r.get(name, 1 << 24);
        }
    }

    private static double[] beats(String name) {
        float[] f = fixture(name).asFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static Audio crop(Audio a, double fromSeconds, double toSeconds) {
        // Same truncation as the script's int(seconds * sr).
        return new Audio(Arrays.copyOfRange(a.samples(), (int) (fromSeconds * a.sampleRate()),
                (int) (toSeconds * a.sampleRate())), a.sampleRate());
    }

    /** The script's synthetic_48k: computed in double, cast to float. */
    private static Audio synthetic48k(double seconds) {
        float[] x = new float[(int) (seconds * 48000)];
        for (int i = 0; i < x.length; i++) {
            double t = i / 48000.0;
            x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440.0 * t) + 0.2 * Math.sin(2 * Math.PI * (200.0 + 300.0 * t) * t)
                    + 0.1 * Math.sin(2 * Math.PI * 3000.5 * t));
        }
        return new Audio(x, 48000);
    }

    private static double maxDiff(float[][][] expected, float[][][] actual) {
        assertEquals(expected.length, actual.length, "segments");
        double max = 0;
        for (int s = 0; s < expected.length; s++) {
            assertEquals(expected[s].length, actual[s].length, "frames");
            for (int t = 0; t < expected[s].length; t++)
                for (int m = 0; m < expected[s][t].length; m++)
                    max = Math.max(max, Math.abs(expected[s][t][m] - actual[s][t][m]));
        }
        return max;
    }

    private static double maxDiff(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        double max = 0;
        for (int i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(expected[i] - actual[i]));
        return max;
    }

    private static float[][][] cube(String name) {
        return cube(fixture(name));
    }

    /** A float32 [a][b][c] npy array as nested arrays (shared with Pop2PianoModelTest). */
    static float[][][] cube(NpyArray a) {
        int[] sh = a.getShape();
        float[] flat = a.asFloatArray();
        float[][][] out = new float[sh[0]][sh[1]][sh[2]];
        for (int i = 0, p = 0; i < sh[0]; i++)
            for (int j = 0; j < sh[1]; j++, p += sh[2]) System.arraycopy(flat, p, out[i][j], 0, sh[2]);
        return out;
    }

    private static float[][] floats(String name) {
        NpyArray a = fixture(name);
        int[] sh = a.getShape();
        float[] flat = a.asFloatArray();
        float[][] out = new float[sh[0]][sh[1]];
        for (int i = 0; i < sh[0]; i++) System.arraycopy(flat, i * sh[1], out[i], 0, sh[1]);
        return out;
    }

    private static int[][] ints(String name) {
        NpyArray a = fixture(name);
        int[] sh = a.getShape();
        int[] flat = a.asIntArray();
        int[][] out = new int[sh[0]][sh[1]];
        for (int i = 0; i < sh[0]; i++) System.arraycopy(flat, i * sh[1], out[i], 0, sh[1]);
        return out;
    }

    @Test
    void batchOfTwoMatchesReference() {
        Audio a = crop(AudioFiles.read(TestPaths.root().resolve("examples/demo.wav")), 0.0, 4.5);
        Audio b = crop(AudioFiles.read(TestPaths.corpus("audio/vocadito_10.wav")), 1.0, 5.0);
        assertEquals(22050, a.sampleRate());
        assertEquals(44100, b.sampleRate());
        Pop2PianoFeatures.Batch got = Pop2PianoFeatureExtractor.extractBatch(List.of(a, b),
                List.of(beats("beats_a"), beats("beats_b")));

        double features = maxDiff(cube("batch_input_features"), got.inputFeatures());
        assertArrayEquals(ints("batch_attention_mask"), got.attentionMask());
        assertArrayEquals(ints("batch_attention_mask_beatsteps"), got.attentionMaskBeatsteps());
        assertArrayEquals(ints("batch_attention_mask_extrapolated_beatstep"), got.attentionMaskExtrapolatedBeatstep());
        double steps = 0, ext = 0;
        float[][] es = floats("batch_beatsteps"), ee = floats("batch_extrapolated_beatstep");
        for (int i = 0; i < 2; i++) {
            steps = Math.max(steps, maxDiff(es[i], got.beatsteps()[i]));
            ext = Math.max(ext, maxDiff(ee[i], got.extrapolatedBeatstep()[i]));
        }
        System.out.printf("pop2piano batch: max |diff| input_features %.3g, beatsteps %.3g, extrapolated %.3g%n",
                features, steps, ext);
        assertTrue(features <= TOLERANCE, "input_features max diff " + features);
        assertTrue(steps <= TOLERANCE, "beatsteps max diff " + steps);
        assertTrue(ext <= TOLERANCE, "extrapolated_beatstep max diff " + ext);
    }

    @Test
    void single48kHzInputMatchesReference() {
        Pop2PianoFeatures got = Pop2PianoFeatureExtractor.extract(synthetic48k(3.0), beats("beats_c"));
        double features = maxDiff(cube("c_input_features"), got.inputFeatures());
        double steps = maxDiff(floats("c_beatsteps")[0], got.beatsteps());
        double ext = maxDiff(floats("c_extrapolated_beatstep")[0], got.extrapolatedBeatstep());
        System.out.printf("pop2piano 48 kHz single: max |diff| input_features %.3g, beatsteps %.3g, extrapolated %.3g%n",
                features, steps, ext);
        assertTrue(features <= TOLERANCE, "input_features max diff " + features);
        assertTrue(steps <= TOLERANCE, "beatsteps max diff " + steps);
        assertTrue(ext <= TOLERANCE, "extrapolated_beatstep max diff " + ext);
    }

    private static double[] regularBeats(int n, double periodSeconds) {
        double[] b = new double[n];
        for (int i = 0; i < n; i++) b[i] = 0.25 + i * periodSeconds;
        return b;
    }

    @Test
    void refusesNoBeats() {
        Audio tenSeconds = new Audio(new float[22050 * 10], 22050);
        BadInputException e = assertThrows(BadInputException.class,
                () -> Pop2PianoFeatureExtractor.extract(tenSeconds, new double[0]));
        assertTrue(e.getMessage().contains("no beats"), e.getMessage());
    }

    @Test
    void refusesBeatsThatDoNotIncrease() {
        Audio tenSeconds = new Audio(new float[22050 * 10], 22050);
        double[] beats = regularBeats(12, 0.5);
        beats[5] = beats[4];
        BadInputException e = assertThrows(BadInputException.class,
                () -> Pop2PianoFeatureExtractor.extract(tenSeconds, beats));
        assertTrue(e.getMessage().contains("must increase"), e.getMessage());
        double[] backwards = regularBeats(12, 0.5);
        backwards[7] = 1.0;
        assertThrows(BadInputException.class, () -> Pop2PianoFeatureExtractor.extract(tenSeconds, backwards));
    }

    @Test
    void refusesAudioShorterThanTwoBars() {
        // 2 s at 120 BPM holds 4 beats; two 4/4 bars need 8.
        Audio twoSeconds = new Audio(new float[22050 * 2], 22050);
        BadInputException e = assertThrows(BadInputException.class,
                () -> Pop2PianoFeatureExtractor.extract(twoSeconds, regularBeats(8, 0.5)));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
    }
}
