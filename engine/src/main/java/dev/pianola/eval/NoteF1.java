package dev.pianola.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Note-level precision, recall and F1 the way mir_eval's {@code precision_recall_f1_overlap} counts
 * them with {@code offset_ratio=None}: a reference and an estimated note match when their onsets are
 * within the tolerance and their pitches within 50 cents; each note matches at most once, and the
 * count is a maximum bipartite matching (so the figure does not depend on note order).
 */
public final class NoteF1 {
    /** A note for scoring: onset in seconds and MIDI pitch (fractional pitches allowed). */
    public record TimedPitch(double onsetSeconds, double pitch) {}

    public record Score(int references, int estimates, int matches, double precision, double recall, double f1) {
        @Override
        public String toString() {
            return String.format("P %.3f  R %.3f  F1 %.3f  (%d matched of %d reference, %d estimated)", precision, recall, f1, matches, references, estimates);
        }
    }

    private NoteF1() {}

    public static Score score(List<TimedPitch> reference, List<TimedPitch> estimate, double onsetToleranceSeconds) {
        int nr = reference.size(), ne = estimate.size();
        List<int[]> adjacency = new ArrayList<>(nr);
        for (TimedPitch r : reference) {
            List<Integer> hits = new ArrayList<>();
            for (int j = 0; j < ne; j++) {
                TimedPitch e = estimate.get(j);
                // mir_eval rounds onset distances to 7 decimals before comparing
                double dt = Math.rint(Math.abs(r.onsetSeconds() - e.onsetSeconds()) * 1e7) / 1e7;
                if (dt <= onsetToleranceSeconds && Math.abs(r.pitch() - e.pitch()) * 100 <= 50.0 + 1e-9) hits.add(j);
            }
            adjacency.add(hits.stream().mapToInt(Integer::intValue).toArray());
        }
        int matches = maximumMatching(adjacency, ne);
        double p = ne == 0 ? 0 : matches / (double) ne;
        double r = nr == 0 ? 0 : matches / (double) nr;
        double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
        return new Score(nr, ne, matches, p, r, f);
    }

    /** Kuhn's augmenting paths; the graphs here are sparse (a few candidates per note). */
    private static int maximumMatching(List<int[]> adjacency, int rightSize) {
        int[] matchOfRight = new int[rightSize];
        Arrays.fill(matchOfRight, -1);
        int matches = 0;
        for (int left = 0; left < adjacency.size(); left++) {
            if (augment(left, adjacency, matchOfRight, new boolean[rightSize])) matches++;
        }
        return matches;
    }

    private static boolean augment(int left, List<int[]> adjacency, int[] matchOfRight, boolean[] seen) {
        // iterative deepening would avoid recursion, but paths are short: a note competes with few others
        for (int right : adjacency.get(left)) {
            if (seen[right]) continue;
            seen[right] = true;
            if (matchOfRight[right] < 0 || augment(matchOfRight[right], adjacency, matchOfRight, seen)) {
                matchOfRight[right] = left;
                return true;
            }
        }
        return false;
    }
}
