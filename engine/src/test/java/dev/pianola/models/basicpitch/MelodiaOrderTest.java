package dev.pianola.models.basicpitch;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.pianola.models.basicpitch.BasicPitchConstants.MIDI_OFFSET;
import static dev.pianola.models.basicpitch.BasicPitchConstants.N_CONTOUR_BINS;
import static dev.pianola.models.basicpitch.BasicPitchConstants.N_PITCHES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NoteCreation visits the melodia cells once in sorted order instead of taking upstream's argmax
 * over the whole matrix on every pass. This checks the two give the same notes in the same order
 * on random activations full of ties, against a literal argmax loop written here.
 */
class MelodiaOrderTest {
    @Test
    void sortedVisitEqualsRepeatedArgmax() {
        Random random = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            int n = 200 + random.nextInt(200);
            float[][] note = new float[n][N_PITCHES], onset = new float[n][N_PITCHES], contour = new float[n][N_CONTOUR_BINS];
            for (int t = 0; t < n; t++) {
                for (int f = 0; f < N_PITCHES; f++) {
                    // coarse steps make many exact ties; runs of activity make notes long enough to keep
                    boolean active = ((t / 30) + f) % 7 == 0 || random.nextDouble() < 0.05;
                    note[t][f] = active ? Math.round(random.nextFloat() * 10) / 10f : 0;
                }
            }
            Posteriorgrams pg = new Posteriorgrams(note, onset, contour);
            NoteOptions melodiaOnly = new NoteOptions(1.0, 0.3, 127.7, false, true, false, null, null, 11);
            List<int[]> expected = literalMelodia(note, 0.3, melodiaOnly.minNoteLengthFrames(), 11);
            List<NoteEvent> got = NoteCreation.notes(pg, melodiaOnly);
            assertEquals(expected.size(), got.size(), "trial " + trial);
            assertTrue(expected.size() > 3, "the trial exercises the loop: " + expected.size());
            for (int i = 0; i < got.size(); i++) {
                assertEquals(expected.get(i)[0], got.get(i).startFrame(), "trial " + trial + " note " + i);
                assertEquals(expected.get(i)[1], got.get(i).endFrame(), "trial " + trial + " note " + i);
                assertEquals(expected.get(i)[2], got.get(i).pitch(), "trial " + trial + " note " + i);
            }
        }
    }

    /** basic-pitch's melodia loop as written upstream: argmax of everything left, every pass. */
    private static List<int[]> literalMelodia(float[][] note, double threshold, int minLen, int tolerance) {
        int n = note.length;
        double[][] rem = new double[n][N_PITCHES];
        for (int t = 0; t < n; t++) for (int f = 0; f < N_PITCHES; f++) rem[t][f] = note[t][f];
        List<int[]> notes = new ArrayList<>();
        while (true) {
            int im = 0, f = 0;
            for (int t = 0; t < n; t++) for (int c = 0; c < N_PITCHES; c++) if (rem[t][c] > rem[im][f]) { im = t; f = c; }
            if (!(rem[im][f] > threshold)) return notes;
            rem[im][f] = 0;
            int i = im + 1, k = 0;
            while (i < n - 1 && k < tolerance) {
                k = rem[i][f] < threshold ? k + 1 : 0;
                zero(rem[i], f);
                i++;
            }
            int end = i - 1 - k;
            i = im - 1;
            k = 0;
            while (i > 0 && k < tolerance) {
                k = rem[i][f] < threshold ? k + 1 : 0;
                zero(rem[i], f);
                i--;
            }
            int start = i + 1 + k;
            if (end - start > minLen) notes.add(new int[]{start, end, f + MIDI_OFFSET});
        }
    }

    private static void zero(double[] row, int f) {
        row[f] = 0;
        if (f < N_PITCHES - 1) row[f + 1] = 0;
        if (f > 0) row[f - 1] = 0;
    }
}
