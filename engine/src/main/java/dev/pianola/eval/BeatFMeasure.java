package dev.pianola.eval;

import java.util.Arrays;

/**
 * Beat F-measure as mir_eval 0.7 computes it in {@code mir_eval.beat.evaluate}: both beat lists
 * are first trimmed of beats before 5 s ({@code trim_beats}), then {@code f_measure} with a 70 ms
 * window counts a maximum one-to-one matching of reference and estimated beats that lie within
 * the window of each other (an estimate {@code e} hits a reference {@code r} when
 * {@code e - window <= r <= e + window}, the comparison mir_eval's {@code _fast_hit_windows} makes).
 * Precision is matches over estimates, recall matches over references; F is 0 when either list
 * is empty after trimming.
 */
public final class BeatFMeasure {
    /** mir_eval.beat.trim_beats' default: beats before this are ignored. */
    public static final double TRIM_SECONDS = 5.0;
    /** mir_eval.beat.f_measure's default window. */
    public static final double WINDOW_SECONDS = 0.07;

    public record Score(int references, int estimates, int matches, double precision, double recall, double f) {
        @Override
        public String toString() {
            return String.format("P %.3f  R %.3f  F %.3f  (%d matched of %d reference, %d estimated)", precision, recall, f, matches, references, estimates);
        }
    }

    private BeatFMeasure() {}

    /** The F-measure with mir_eval.beat.evaluate's defaults (5 s trim, 70 ms window). */
    public static double f(double[] reference, double[] estimated) {
        return score(reference, estimated, TRIM_SECONDS, WINDOW_SECONDS).f();
    }

    public static Score score(double[] reference, double[] estimated, double trimSeconds, double windowSeconds) {
        if (!(windowSeconds >= 0)) throw new IllegalArgumentException("window " + windowSeconds);
        double[] ref = trimmedSorted(reference, trimSeconds), est = trimmedSorted(estimated, trimSeconds);
        if (ref.length == 0 || est.length == 0) return new Score(ref.length, est.length, 0, 0, 0, 0);
        // Each estimate's hits form an interval of the sorted references, and those intervals move
        // right as the estimates do; matching each estimate, in time order, to the earliest
        // reference it hits that is still free therefore finds a maximum matching.
        int matches = 0;
        int i = 0;
        for (double e : est) {
            while (i < ref.length && ref[i] < e - windowSeconds) i++;
            if (i == ref.length) break;
            if (ref[i] <= e + windowSeconds) {
                matches++;
                i++;
            }
        }
        double p = matches / (double) est.length, r = matches / (double) ref.length;
        double f = matches == 0 ? 0 : 2 * p * r / (p + r);
        return new Score(ref.length, est.length, matches, p, r, f);
    }

    private static double[] trimmedSorted(double[] beats, double trimSeconds) {
        double[] kept = Arrays.stream(beats).filter(b -> b >= trimSeconds).toArray();
        Arrays.sort(kept);
        return kept;
    }
}
