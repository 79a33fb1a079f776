package dev.pianola.arrange;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds the tune: the most salient continuous line near the top of the texture, as a listener
 * follows it. A Viterbi path over the onsets: at each onset the line takes one of the highest notes
 * that start there, or rests. A note earns for being loud, long, the top of what sounds, and in a
 * singing register; the path pays for leaps, and a rest long enough to start a new phrase frees it
 * to begin anywhere. The notes on the best path are marked {@link Voice#melody}.
 */
final class Melody {
    /** The tune is one of the four highest notes of its onset: lower ones are accompaniment. */
    private static final int CANDIDATES = 4;
    /** A silence longer than this (two beats) ends a phrase: the next one may start at any pitch. */
    static final double PHRASE_GAP_BEATS = 2;
    /** Below G3 a note is more likely a bass or a chord than a tune; it earns less per semitone below. */
    private static final int SINGING_FLOOR = 55;

    private static final double BASE = 0.5, LOUD = 1.0, LONG = 0.5, TOP = 0.8, LOW_PER_SEMITONE = 1.0 / 6;
    private static final double LEAP_PER_SEMITONE = 0.03, LEAP_OVER_AN_OCTAVE = 0.5;

    private Melody() {}

    /** Marks the tune among {@code voices} (sorted by {@link Voice#ORDER}). */
    static void mark(List<Voice> voices, double chordWindowBeats) {
        List<List<Voice>> onsets = new ArrayList<>();
        List<double[]> rewards = new ArrayList<>();
        List<Voice> sounding = new ArrayList<>();
        int i = 0;
        while (i < voices.size()) {
            double t = voices.get(i).startBeats;
            int j = i;
            while (j < voices.size() && voices.get(j).startBeats - t <= chordWindowBeats + Cleanup.SAME_TIME_BEATS) j++;
            List<Voice> chord = new ArrayList<>(voices.subList(i, j));
            i = j;
            sounding.removeIf(v -> v.endBeats <= t + Cleanup.SAME_TIME_BEATS);
            int heldTop = sounding.stream().mapToInt(v -> v.pitch).max().orElse(-1);
            sounding.addAll(chord);
            chord.sort(Comparator.comparingInt((Voice v) -> -v.pitch).thenComparing(Voice.ORDER));
            List<Voice> candidates = chord.subList(0, Math.min(CANDIDATES, chord.size()));
            double[] r = new double[candidates.size()];
            for (int c = 0; c < r.length; c++) r[c] = reward(candidates.get(c), c == 0 && candidates.get(c).pitch > heldTop);
            onsets.add(candidates);
            rewards.add(r);
        }
        if (onsets.isEmpty()) return;

        // state c < size: the tune takes candidate c here; state size: it rests, remembering its last note
        int n = onsets.size();
        double[][] score = new double[n][];
        int[][] back = new int[n][];
        Voice[][] last = new Voice[n][];
        for (int g = 0; g < n; g++) {
            List<Voice> here = onsets.get(g);
            int states = here.size() + 1;
            score[g] = new double[states];
            back[g] = new int[states];
            last[g] = new Voice[states];
            for (int s = 0; s < states; s++) {
                Voice note = s < here.size() ? here.get(s) : null;
                double best = Double.NEGATIVE_INFINITY;
                int from = -1;
                Voice before = null;
                int previousStates = g == 0 ? 1 : score[g - 1].length;
                for (int p = 0; p < previousStates; p++) {
                    Voice prior = g == 0 ? null : last[g - 1][p];
                    double sc = g == 0 ? 0 : score[g - 1][p];
                    if (note != null) sc += rewards.get(g)[s] - leapCost(prior, note);
                    if (sc > best) {
                        best = sc;
                        from = p;
                        before = prior;
                    }
                }
                score[g][s] = best;
                back[g][s] = from;
                last[g][s] = note != null ? note : before;
            }
        }
        int s = 0;
        for (int k = 1; k < score[n - 1].length; k++) if (score[n - 1][k] > score[n - 1][s]) s = k;
        for (int g = n - 1; g >= 0; g--) {
            if (s < onsets.get(g).size()) onsets.get(g).get(s).melody = true;
            s = back[g][s];
        }
    }

    /** What a note earns as part of the tune; a note that earns nothing is better left to rest. */
    static double reward(Voice v, boolean topOfWhatSounds) {
        return BASE + LOUD * v.velocity / 127.0 + LONG * Math.min(v.durationBeats(), 1.0)
                + (topOfWhatSounds ? TOP : 0) - LOW_PER_SEMITONE * Math.max(0, SINGING_FLOOR - v.pitch);
    }

    /** The price of going from the tune's last note to {@code next}; nothing across a phrase break. */
    static double leapCost(Voice previous, Voice next) {
        if (previous == null || next.startBeats - previous.endBeats > PHRASE_GAP_BEATS) return 0;
        int leap = Math.abs(next.pitch - previous.pitch);
        return LEAP_PER_SEMITONE * leap + (leap > 12 ? LEAP_OVER_AN_OCTAVE : 0);
    }

    /**
     * Moves each phrase of the tune whose median pitch lies below {@code melodyLowestPitch} up by
     * whole octaves, the same for the whole phrase so the line keeps its shape, as far as the
     * keyboard allows. Returns the number of notes moved.
     */
    static int raise(List<Voice> voices, ArrangeOptions o) {
        List<Voice> tune = new ArrayList<>();
        for (Voice v : voices) if (v.melody) tune.add(v);
        int raised = 0, from = 0;
        for (int k = 1; k <= tune.size(); k++) {
            if (k < tune.size() && tune.get(k).startBeats - tune.get(k - 1).endBeats <= PHRASE_GAP_BEATS) continue;
            List<Voice> phrase = tune.subList(from, k);
            from = k;
            int[] pitches = phrase.stream().mapToInt(v -> v.pitch).sorted().toArray();
            int median = pitches[pitches.length / 2], highest = pitches[pitches.length - 1];
            int octaves = Math.min(Cleanup.ceilDiv(o.melodyLowestPitch() - median, 12), Math.floorDiv(o.highestPitch() - highest, 12));
            if (octaves <= 0) continue;
            for (Voice v : phrase) v.pitch += 12 * octaves;
            raised += phrase.size();
        }
        return raised;
    }
}
