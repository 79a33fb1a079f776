package dev.pianola.arrange;

import dev.pianola.time.TimeSignature;

import java.util.Arrays;
import java.util.List;

/** Maps a transcription's amplitudes onto a musical dynamic range, with an optional downbeat accent. */
final class Velocities {
    /** How close to a bar line an onset must be to get the accent (a 32nd note). */
    static final double DOWNBEAT_TOLERANCE_BEATS = 1.0 / 32;
    /** The input's loudness range is read between these percentiles, so a few stray extremes do not squash the rest. */
    static final double LOW_PERCENTILE = 0.05, HIGH_PERCENTILE = 0.95;

    private Velocities() {}

    /**
     * Linear map of the 5th..95th percentile velocity of {@code heard} onto minVelocity..(maxVelocity - accent),
     * clamped, then the accent on bar lines; a flat input lands in the middle of the range. {@code heard}
     * are the notes as the hands played them: a left-hand texture's notes take their velocities from
     * them, and the right hand's dynamics do not depend on the texture.
     */
    static void shape(List<Voice> voices, List<Voice> heard, int minVelocity, int maxVelocity, int accent, List<TimeSignature> meters) {
        if (voices.isEmpty()) return;
        int[] raw = heard.stream().mapToInt(v -> v.velocity).sorted().toArray();
        double lo = percentile(raw, LOW_PERCENTILE), hi = percentile(raw, HIGH_PERCENTILE);
        int top = maxVelocity - accent;
        double end = voices.stream().mapToDouble(v -> v.startBeats).max().orElse(0);
        double[] bars = TimeSignature.barLines(meters, end + 1).stream().mapToDouble(Double::doubleValue).toArray();
        for (Voice v : voices) {
            double shaped = hi > lo ? minVelocity + (v.velocity - lo) / (hi - lo) * (top - minVelocity) : (minVelocity + top) / 2.0;
            int velocity = (int) Math.round(Math.max(minVelocity, Math.min(top, shaped)));
            if (onBarLine(v.startBeats, bars)) velocity += accent;
            v.velocity = velocity;
        }
    }

    static boolean onBarLine(double beats, double[] bars) {
        int i = Arrays.binarySearch(bars, beats);
        if (i >= 0) return true;
        int after = -i - 1;
        return (after < bars.length && bars[after] - beats <= DOWNBEAT_TOLERANCE_BEATS)
                || (after > 0 && beats - bars[after - 1] <= DOWNBEAT_TOLERANCE_BEATS);
    }

    static double percentile(int[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(sorted.length - 1, i + 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }
}
