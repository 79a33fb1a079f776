package dev.pianola.live;

import dev.pianola.audio.Audio;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.pop2piano.Pop2PianoConstants;
import dev.pianola.models.pop2piano.Pop2PianoFeatureExtractor;
import dev.pianola.models.pop2piano.Pop2PianoFeatures;
import dev.pianola.models.pop2piano.Pop2PianoModel;
import dev.pianola.models.pop2piano.Pop2PianoTokens;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Pop2Piano's part of the live cover ({@link CoverSession}): one bar's window of audio to the notes
 * heard in it, decoding only the segments whose notes can start in the bar. Used on the session's
 * worker only (one bar after another), so it needs no locking.
 *
 * <p>The window's beats run from the context bar's first beat (segment 0, 4 beats) through the bar;
 * segment r starts at half-beat step 8r and its notes may start up to 12 steps after that (the
 * tokenizer's cutoff), so segment 0 (the context) can put notes in the bar's first two beats, and a
 * segment starting at or after the bar's end cannot put any there: it is not decoded. The context
 * segment is the previous bar's own segment (same audio between the same host beats), so its tokens
 * are taken from that bar's cover when it was covered in this run, instead of being generated again:
 * in 4/4 a bar then decodes one row instead of three. Greedy float32 rows do not depend on the rows
 * decoded beside them, so this gives the tokens decoding every row would give; an int8 package's
 * rows do (its activations are quantized with one range per batch), so there the kept tokens are
 * those the previous bar generated, which are as valid a cover of that segment.
 */
final class Pop2PianoBars {
    /** A segment's audio as the host beats it spans, in one run (pass) of the capture. */
    private record SegmentKey(int pass, double startBeats, double endBeats) {}

    /** Tokens of the segments decoded for the last bar, for the next bar's context. */
    private final Map<SegmentKey, int[]> kept = new HashMap<>();
    /** Written by the worker only; volatile so that a benchmark or test may read them from another thread. */
    private volatile int reusedRows, generatedRows;
    private volatile long featuresNanos, modelNanos;

    /**
     * The notes Pop2Piano hears in {@code window} (in its seconds, on the features' beat map) (samples from its first, at {@code sampleRate}),
     * whose beats fall at {@code beatTimesSeconds}: the first at {@code contextStartBeats} (host
     * beats), one per beat through the bar {@code [startBeats, endBeats)}. Rows are decoded whole
     * ({@link Pop2PianoTokens#decodeRowsWhole}). {@code pass} names the capture run: tokens are
     * reused only within one.
     */
    NoteSequence cover(Pop2PianoModel model, Audio window, double[] beatTimesSeconds, double contextStartBeats, double startBeats,
                double endBeats, int pass, int composerIndex, BooleanSupplier cancelled) {
        long t0 = System.nanoTime();
        Pop2PianoFeatures f = Pop2PianoFeatureExtractor.extract(window, beatTimesSeconds);
        long t1 = System.nanoTime();
        featuresNanos += t1 - t0;
        float[][][] x = f.inputFeatures();
        int stepsToBarEnd = (int) Math.round((endBeats - contextStartBeats) * Pop2PianoConstants.STEPS_PER_BEAT);
        int rows = Math.min(x.length, (stepsToBarEnd + Pop2PianoConstants.STEPS_PER_SEGMENT - 1) / Pop2PianoConstants.STEPS_PER_SEGMENT);
        double beatsPerSegment = (double) Pop2PianoConstants.STEPS_PER_SEGMENT / Pop2PianoConstants.STEPS_PER_BEAT;
        // the grid's last half-beat step is one beat past the last beat time (the bar's end in 4/4)
        double gridEndBeats = contextStartBeats + beatTimesSeconds.length;
        SegmentKey[] keys = new SegmentKey[rows];
        int[][] tokens = new int[rows][];
        List<Integer> missing = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            double from = contextStartBeats + r * beatsPerSegment;
            keys[r] = new SegmentKey(pass, from, Math.min(from + beatsPerSegment, gridEndBeats));
            tokens[r] = kept.get(keys[r]);
            if (tokens[r] == null) missing.add(r);
        }
        if (!missing.isEmpty()) {
            float[][][] todo = new float[missing.size()][][];
            for (int i = 0; i < todo.length; i++) todo[i] = x[missing.get(i)];
            int[][] made = model.generate(todo, composerIndex, Pop2PianoModel.DEFAULT_BATCH_ROWS, cancelled, dev.pianola.runtime.Progress.NONE);
            for (int i = 0; i < made.length; i++) tokens[missing.get(i)] = made[i];
            modelNanos += System.nanoTime() - t1;
        }
        kept.clear();
        // a segment inside the bar is the next bar's context (in 4/4: the bar's own segment)
        for (int r = 0; r < rows; r++) if (keys[r].startBeats >= startBeats - 1e-9) kept.put(keys[r], tokens[r]);
        generatedRows += missing.size();
        reusedRows += rows - missing.size();
        float firstBeat = f.beatsteps()[0];
        return Pop2PianoTokens.toNoteSequence(
                Pop2PianoTokens.decodeRowsWhole(tokens, f.extrapolatedBeatstep(), firstBeat), f.extrapolatedBeatstep(), firstBeat);
    }

    /** What the bars cost so far (rows generated, rows taken from the bar before, and the time of each stage). */
    CoverSession.Pop2PianoWork work() {
        return new CoverSession.Pop2PianoWork(generatedRows, reusedRows, featuresNanos / 1e6, modelNanos / 1e6);
    }
}
