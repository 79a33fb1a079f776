package dev.pianola.models.continuator;

import dev.pianola.arrange.Key;
import dev.pianola.arrange.KeyDetector;
import dev.pianola.midi.Note;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How well a continuation keeps to its prompt: pitch-class content, key and onset grid. For reports
 * and tests; each figure is simple enough to check by hand.
 */
public final class ContinuationMetrics {
    /** Subdivisions of the beat a prompt's onsets may sit on: whole beats, eighths, triplets, sixteenths, sextuplets, 32nds. */
    static final int[] SUBDIVISIONS = {1, 2, 3, 4, 6, 8};
    /**
     * An onset this close to a grid point is on it (25 ms at 120 BPM, a played note's usual
     * looseness), but never more than a quarter of the grid step, or a fine grid would take in
     * half of all onsets by chance.
     */
    static final double ONSET_TOLERANCE_BEATS = 0.05;
    /** Grid shifts tried: 1/96 beat apart, finer than the tolerance. */
    static final int OFFSET_STEPS_PER_BEAT = 96;

    private ContinuationMetrics() {}

    /** Cosine similarity of the duration-weighted pitch-class histograms; 0 when either has no duration. */
    public static double pitchClassSimilarity(List<Note> a, List<Note> b) {
        double[] x = KeyDetector.pitchClassProfile(a), y = KeyDetector.pitchClassProfile(b);
        double xy = 0, xx = 0, yy = 0;
        for (int i = 0; i < 12; i++) {
            xy += x[i] * y[i];
            xx += x[i] * x[i];
            yy += y[i] * y[i];
        }
        return xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0;
    }

    /** Notes per phrase-level n-gram of {@link #copyShare}: four notes quoted in order are a recognisable quote. */
    public static final int COPY_NGRAM = 4;

    /**
     * The melody a listener follows: the highest pitch of each event (a note, or the notes struck
     * together as a chord), in order.
     */
    public static List<Integer> topVoice(List<Note> notes) {
        List<Integer> top = new ArrayList<>();
        for (Event e : Event.of(notes)) top.add(e.topPitch());
        return top;
    }

    /** The longest run of one pitch repeated in the top voice (1 for a line that never repeats a note, 0 with no notes). */
    public static int longestRepeat(List<Note> notes) {
        List<Integer> top = topVoice(notes);
        int longest = top.isEmpty() ? 0 : 1, run = 1;
        for (int i = 1; i < top.size(); i++) {
            run = top.get(i).equals(top.get(i - 1)) ? run + 1 : 1;
            longest = Math.max(longest, run);
        }
        return longest;
    }

    /** How many different pitches sound (chord tones included). */
    public static int distinctPitches(List<Note> notes) {
        Set<Integer> pitches = new HashSet<>();
        for (Note n : notes) pitches.add(n.pitch());
        return pitches.size();
    }

    /**
     * The share of an answer copied verbatim from its phrase: of the answer's top-voice n-grams of
     * {@link #COPY_NGRAM} pitches, the fraction that also occur in the phrase's top voice. 1 for an
     * answer that replays the phrase (or loops one of its figures), near 0 for new material; 0 for
     * an answer too short to have an n-gram.
     */
    public static double copyShare(List<Note> phrase, List<Note> answer) {
        Set<List<Integer>> quoted = new HashSet<>(ngrams(topVoice(phrase), COPY_NGRAM));
        List<List<Integer>> grams = ngrams(topVoice(answer), COPY_NGRAM);
        if (grams.isEmpty()) return 0;
        int copied = 0;
        for (List<Integer> g : grams) if (quoted.contains(g)) copied++;
        return copied / (double) grams.size();
    }

    static List<List<Integer>> ngrams(List<Integer> line, int n) {
        List<List<Integer>> grams = new ArrayList<>();
        for (int i = 0; i + n <= line.size(); i++) grams.add(List.copyOf(line.subList(i, i + n)));
        return grams;
    }

    /** Whether the key detector finds the same key (tonic and mode) in both; false when either has none. */
    public static boolean sameKey(List<Note> a, List<Note> b) {
        Key ka = KeyDetector.detect(a), kb = KeyDetector.detect(b);
        return ka != null && kb != null && ka.withoutCorrelation().equals(kb.withoutCorrelation());
    }

    /**
     * A grid of beat subdivisions, shifted by offsetBeats from beat 0 (a file whose beats do not
     * start at its time zero, like a pickup written without its rests).
     *
     * @param chanceFraction the fraction of onsets spread at random that would fall on it
     */
    public record OnsetGrid(int subdivisionsPerBeat, double offsetBeats, double toleranceBeats, double chanceFraction) {
        public double stepBeats() {
            return 1.0 / subdivisionsPerBeat;
        }

        public boolean contains(double beats) {
            double x = (beats - offsetBeats) * subdivisionsPerBeat;
            return Math.abs(x - Math.round(x)) / subdivisionsPerBeat <= toleranceBeats + 1e-9;
        }

        /** The fraction of the notes' onsets on the grid (0 with no notes). */
        public double fractionOn(List<Note> notes) {
            if (notes.isEmpty()) return 0;
            int on = 0;
            for (Note n : notes) if (contains(n.startBeats())) on++;
            return on / (double) notes.size();
        }

        static OnsetGrid of(int subdivisions, double offsetBeats) {
            double step = 1.0 / subdivisions;
            double tolerance = Math.min(ONSET_TOLERANCE_BEATS, step / 4);
            return new OnsetGrid(subdivisions, offsetBeats, tolerance, 2 * tolerance / step);
        }
    }

    /**
     * The grid the notes' onsets sit on: the subdivision (and its shift, in steps of 1/96 beat)
     * whose share of onsets exceeds chance by the most. A finer grid always holds at least as many
     * onsets, so the raw share alone would always pick the finest; above chance, 16ths only win
     * when onsets really fall between eighths.
     */
    public static OnsetGrid dominantGrid(List<Note> notes) {
        OnsetGrid best = null;
        double bestExcess = Double.NEGATIVE_INFINITY;
        for (int d : SUBDIVISIONS) {
            for (int shift = 0; shift < OFFSET_STEPS_PER_BEAT / d; shift++) {
                OnsetGrid g = OnsetGrid.of(d, shift / (double) OFFSET_STEPS_PER_BEAT);
                double excess = g.fractionOn(notes) - g.chanceFraction();
                if (excess > bestExcess + 1e-9) {
                    best = g;
                    bestExcess = excess;
                }
            }
        }
        return best;
    }
}
