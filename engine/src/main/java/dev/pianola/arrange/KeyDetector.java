package dev.pianola.arrange;

import dev.pianola.midi.Note;

import java.util.List;

/**
 * Krumhansl-Schmuckler key finding: correlate the music's pitch-class profile, weighted by how long
 * each pitch class sounds, with the Krumhansl-Kessler probe-tone profile of each of the 24 keys and
 * take the best (Krumhansl 1990, "Cognitive Foundations of Musical Pitch", ch. 4).
 */
public final class KeyDetector {
    /** Krumhansl-Kessler major-key profile, from the tonic upwards (C major: C, C#, D, ...). */
    static final double[] MAJOR_PROFILE = {6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
    /** Krumhansl-Kessler minor-key profile, from the tonic upwards. */
    static final double[] MINOR_PROFILE = {6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17};

    private KeyDetector() {}

    /** Total duration in beats of each pitch class (0 = C). */
    public static double[] pitchClassProfile(List<Note> notes) {
        double[] profile = new double[12];
        for (Note n : notes) profile[n.pitch() % 12] += n.durationBeats();
        return profile;
    }

    /** The best-matching key, or null when there is nothing to go on (no notes, or no duration). */
    public static Key detect(List<Note> notes) {
        return detect(pitchClassProfile(notes));
    }

    /**
     * The best-matching key for a pitch-class profile; null when the profile is flat (silence, or all
     * twelve pitch classes equally). Ties go to the lower tonic, major before minor, so the answer
     * is the same on every run.
     */
    public static Key detect(double[] profile) {
        Key best = null;
        for (int tonic = 0; tonic < 12; tonic++) {
            for (Key.Mode mode : Key.Mode.values()) {
                double[] template = mode == Key.Mode.MAJOR ? MAJOR_PROFILE : MINOR_PROFILE;
                double r = correlation(profile, template, tonic);
                if (Double.isNaN(r)) return null;
                if (best == null || r > best.correlation()) best = new Key(tonic, mode, r);
            }
        }
        return best;
    }

    /** Pearson correlation of profile[pc] with template[(pc - tonic) mod 12]. */
    static double correlation(double[] profile, double[] template, int tonic) {
        double meanP = 0, meanT = 0;
        for (int i = 0; i < 12; i++) {
            meanP += profile[i];
            meanT += template[i];
        }
        meanP /= 12;
        meanT /= 12;
        double sPT = 0, sPP = 0, sTT = 0, energy = 0;
        for (int pc = 0; pc < 12; pc++) {
            double p = profile[pc] - meanP, t = template[Math.floorMod(pc - tonic, 12)] - meanT;
            sPT += p * t;
            sPP += p * p;
            sTT += t * t;
            energy += profile[pc] * profile[pc];
        }
        // a flat profile (up to rounding) favours no key
        if (!(sPP > 1e-12 * energy)) return Double.NaN;
        return sPT / Math.sqrt(sPP * sTT);
    }
}
