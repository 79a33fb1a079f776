package dev.pianola.models.basicpitch;

import java.util.ArrayList;
import java.util.List;

import static dev.pianola.models.basicpitch.BasicPitchConstants.*;

/**
 * Posteriorgrams to note events, following basic-pitch 0.4.0's {@code model_output_to_notes}
 * step by step (same order of notes, same frame indices, same times). Numbers are doubles where
 * numpy promotes to float64, so thresholds and argmax ties fall the same way.
 */
public final class NoteCreation {
    private NoteCreation() {
    }

    public static List<NoteEvent> notes(Posteriorgrams pg, NoteOptions options) {
        int nFrames = pg.frames();
        if (nFrames == 0) return List.of();
        double[][] frames = toDouble(pg.note());
        double[][] onsets = toDouble(pg.onset());
        constrainFrequency(frames, onsets, options);
        if (options.inferOnsets()) onsets = inferredOnsets(onsets, frames);

        List<int[]> found = polyphonicNotes(frames, onsets, options); // {start, end, pitch}
        double[] times = framesToSeconds(nFrames);
        List<NoteEvent> events = new ArrayList<>(found.size());
        for (int[] n : found) {
            int start = n[0], end = n[1], pitch = n[2];
            int[] bends = options.includePitchBends() ? pitchBends(pg.contour(), start, end, pitch) : new int[0];
            events.add(new NoteEvent(start, end, times[start], times[end], pitch,
                    mean(frames, start, end, pitch - MIDI_OFFSET), bends));
        }
        return events;
    }

    /** Zero the columns outside [minFrequency, maxFrequency) as upstream's constrain_frequency. */
    private static void constrainFrequency(double[][] frames, double[][] onsets, NoteOptions options) {
        int from = 0, to = N_PITCHES;
        if (options.maxFrequencyHz() != null) to = clampColumn(Math.rint(hzToMidi(options.maxFrequencyHz()) - MIDI_OFFSET));
        if (options.minFrequencyHz() != null) from = clampColumn(Math.rint(hzToMidi(options.minFrequencyHz()) - MIDI_OFFSET));
        for (int t = 0; t < frames.length; t++) {
            for (int f = 0; f < N_PITCHES; f++) {
                if (f < from || f >= to) {
                    frames[t][f] = 0;
                    onsets[t][f] = 0;
                }
            }
        }
    }

    private static int clampColumn(double column) {
        return (int) Math.max(0, Math.min(N_PITCHES, column));
    }

    static double hzToMidi(double hz) {
        return 12 * (Math.log(hz) / Math.log(2) - Math.log(440.0) / Math.log(2)) + 69;
    }

    /**
     * Onsets plus onsets inferred from rises in the frame activations: min of the 1- and 2-frame
     * differences, clipped at 0, zero for the first two frames, scaled to the onsets' maximum.
     */
    static double[][] inferredOnsets(double[][] onsets, double[][] frames) {
        int n = frames.length;
        double[][] diff = new double[n][N_PITCHES];
        double maxDiff = 0, maxOnset = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < n; t++) {
            for (int f = 0; f < N_PITCHES; f++) {
                maxOnset = Math.max(maxOnset, onsets[t][f]);
                if (t < 2) continue;
                double d = Math.min(frames[t][f] - frames[t - 1][f], frames[t][f] - frames[t - 2][f]);
                diff[t][f] = Math.max(d, 0);
                maxDiff = Math.max(maxDiff, diff[t][f]);
            }
        }
        double[][] out = new double[n][N_PITCHES];
        for (int t = 0; t < n; t++) {
            for (int f = 0; f < N_PITCHES; f++) {
                // upstream divides by max(diff) unguarded: flat activations (silence) turn every onset
                // into NaN there and no onset-driven note survives; we keep the predicted onsets instead
                double inferred = maxDiff > 0 ? maxOnset * diff[t][f] / maxDiff : 0;
                out[t][f] = Math.max(onsets[t][f], inferred);
            }
        }
        return out;
    }

    /** Onset-driven notes, then (melodia trick) notes grown from the strongest leftover energy. */
    private static List<int[]> polyphonicNotes(double[][] frames, double[][] onsets, NoteOptions options) {
        int n = frames.length;
        int minLen = options.minNoteLengthFrames(), tolerance = options.energyTolerance();
        double frameThreshold = options.frameThreshold();
        double[][] remaining = new double[n][];
        for (int t = 0; t < n; t++) remaining[t] = frames[t].clone();
        List<int[]> notes = new ArrayList<>();

        // peaks in time (strictly above both neighbours, never the first or last frame) that reach
        // the onset threshold, visited latest first and, within a frame, highest pitch first
        for (int t0 = n - 2; t0 >= 1; t0--) {
            for (int f = N_PITCHES - 1; f >= 0; f--) {
                double v = onsets[t0][f];
                if (!(v > onsets[t0 - 1][f] && v > onsets[t0 + 1][f] && v >= options.onsetThreshold())) continue;
                int i = t0 + 1, k = 0;
                while (i < n - 1 && k < tolerance) {
                    k = remaining[i][f] < frameThreshold ? k + 1 : 0;
                    i++;
                }
                i -= k;
                if (i - t0 <= minLen) continue;
                for (int t = t0; t < i; t++) zeroAround(remaining[t], f);
                notes.add(new int[]{t0, i, f + MIDI_OFFSET});
            }
        }
        if (!options.melodiaTrick()) return notes;

        // Upstream takes the argmax of the whole matrix on every pass (first in row-major order on a
        // tie). Values here only ever fall to 0, so visiting the cells above the threshold once, in
        // descending order (ties by row-major index), and skipping those zeroed meanwhile, picks the
        // very same cells in the same order without rescanning the matrix each time.
        for (int cell : cellsAbove(remaining, frameThreshold)) {
            int im = cell / N_PITCHES, f = cell % N_PITCHES;
            if (!(remaining[im][f] > frameThreshold)) continue; // zeroed by a note found earlier
            remaining[im][f] = 0;

            int i = im + 1, k = 0;
            while (i < n - 1 && k < tolerance) {
                k = remaining[i][f] < frameThreshold ? k + 1 : 0;
                zeroAround(remaining[i], f);
                i++;
            }
            int end = i - 1 - k;

            i = im - 1;
            k = 0;
            while (i > 0 && k < tolerance) {
                k = remaining[i][f] < frameThreshold ? k + 1 : 0;
                zeroAround(remaining[i], f);
                i--;
            }
            int start = i + 1 + k;
            if (end - start <= minLen) continue;
            notes.add(new int[]{start, end, f + MIDI_OFFSET});
        }
        return notes;
    }

    /** Row-major indices of the cells above {@code threshold}, highest value first, ties by index. */
    private static int[] cellsAbove(double[][] m, double threshold) {
        List<Integer> cells = new ArrayList<>();
        for (int t = 0; t < m.length; t++) {
            for (int f = 0; f < N_PITCHES; f++) if (m[t][f] > threshold) cells.add(t * N_PITCHES + f);
        }
        cells.sort((a, b) -> {
            int byValue = Double.compare(m[b / N_PITCHES][b % N_PITCHES], m[a / N_PITCHES][a % N_PITCHES]);
            return byValue != 0 ? byValue : Integer.compare(a, b);
        });
        return cells.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void zeroAround(double[] row, int f) {
        row[f] = 0;
        if (f < MAX_FREQ_IDX) row[f + 1] = 0;
        if (f > 0) row[f - 1] = 0;
    }

    /**
     * Per-frame bend of a note in thirds of a semitone: the contour bin with the highest value
     * within 25 bins of the note, weighted by a Gaussian (std 5 bins) centred on the note.
     */
    static int[] pitchBends(float[][] contour, int start, int end, int pitch) {
        int tol = PITCH_BEND_TOLERANCE_BINS;
        int centre = CONTOUR_BINS_PER_SEMITONE * (pitch - MIDI_OFFSET);
        int from = Math.max(centre - tol, 0), to = Math.min(N_CONTOUR_BINS, centre + tol + 1);
        int gaussianFrom = Math.max(0, tol - centre);
        int shift = tol - Math.max(0, tol - centre);
        int[] bends = new int[end - start];
        for (int t = start; t < end; t++) {
            int best = 0;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int c = from; c < to; c++) {
                double x = c - from + gaussianFrom - tol; // distance from the window's centre, in bins
                double weight = Math.exp(-(x * x) / (2 * PITCH_BEND_GAUSSIAN_STD * PITCH_BEND_GAUSSIAN_STD));
                double v = contour[t][c] * weight;
                if (v > bestValue) {
                    bestValue = v;
                    best = c - from;
                }
            }
            bends[t - start] = best - shift;
        }
        return bends;
    }

    /**
     * Upstream's model_frames_to_time: frame * 256 / 22050, less 0.0103 s for every 172 frames
     * (a window's worth), a correction upstream applies although trimmed windows are 142 frames.
     */
    public static double[] framesToSeconds(int nFrames) {
        double windowOffset = ((double) FFT_HOP / SAMPLE_RATE) * (WINDOW_FRAMES - ((double) WINDOW_SAMPLES / FFT_HOP))
                + MAGIC_ALIGNMENT_OFFSET;
        double[] seconds = new double[nFrames];
        for (int i = 0; i < nFrames; i++) {
            seconds[i] = ((long) i * FFT_HOP) / (double) SAMPLE_RATE - windowOffset * Math.floor(i / (double) WINDOW_FRAMES);
        }
        return seconds;
    }

    private static double mean(double[][] frames, int start, int end, int column) {
        double sum = 0;
        for (int t = start; t < end; t++) sum += frames[t][column];
        return sum / (end - start);
    }

    private static double[][] toDouble(float[][] a) {
        double[][] out = new double[a.length][];
        for (int t = 0; t < a.length; t++) {
            out[t] = new double[a[t].length];
            for (int f = 0; f < a[t].length; f++) out[t][f] = a[t][f];
        }
        return out;
    }
}
