package dev.pianola.audio;

import dev.pianola.BadInputException;
import dev.pianola.time.TempoMap;
import java.util.Arrays;

/**
 * Beat times of a piece of audio, in seconds from its start, and the tempo they were placed at.
 * Empty beats (with bpm 0) mean that no beat could be found, as in silence.
 */
public record Beats(double[] beatSeconds, double bpm) {
    public Beats {
        beatSeconds = beatSeconds.clone();
        for (int i = 0; i < beatSeconds.length; i++) {
            if (!Double.isFinite(beatSeconds[i]) || beatSeconds[i] < 0 || (i > 0 && beatSeconds[i] <= beatSeconds[i - 1]))
                throw new IllegalArgumentException("beat times must be finite, non-negative and increasing: "
                        + Arrays.toString(beatSeconds));
        }
        if (!(bpm >= 0 && Double.isFinite(bpm))) throw new IllegalArgumentException("bpm must be finite and >= 0: " + bpm);
    }

    public static final Beats NONE = new Beats(new double[0], 0);

    /** A steady grid: beats at {@code firstBeatSeconds + k * 60 / bpm} before {@code durationSeconds}. */
    public static Beats fromTempo(double bpm, double firstBeatSeconds, double durationSeconds) {
        if (!(bpm > 0 && bpm <= 1000)) throw new BadInputException("tempo must be between 0 and 1000 BPM: " + bpm);
        if (!(firstBeatSeconds >= 0 && Double.isFinite(firstBeatSeconds)))
            throw new BadInputException("first beat must be at 0 s or later: " + firstBeatSeconds);
        if (!(durationSeconds >= 0 && Double.isFinite(durationSeconds)))
            throw new BadInputException("duration must be at least 0 s: " + durationSeconds);
        double period = 60.0 / bpm;
        int count = firstBeatSeconds < durationSeconds ? (int) Math.ceil((durationSeconds - firstBeatSeconds) / period) : 0;
        double[] beats = new double[count];
        for (int k = 0; k < count; k++) beats[k] = firstBeatSeconds + k * period;
        // ceil can include a beat landing exactly on the end; the grid is half-open
        if (count > 0 && beats[count - 1] >= durationSeconds) beats = Arrays.copyOf(beats, count - 1);
        return new Beats(beats, bpm);
    }

    /**
     * How far a beat of {@link #tempoMap()} may sit from a beat time: a tracker's beats jitter by a
     * frame (23 ms) either way, and a least-squares line through 16 such beats misses the worst of
     * them by up to about 40 ms; a real tempo change soon misses by more (100 to 130 BPM: 140 ms a
     * beat). Within the 70 ms in which beat-tracking evaluations count a beat as found.
     */
    public static final double GRID_TOLERANCE_SECONDS = 0.05;

    /** The beat grid as a tempo map: one tempo per steady stretch (see {@link TempoMap#fromBeatTimes(double[], double)}). */
    public TempoMap tempoMap() {
        return beatSeconds.length >= 2 ? TempoMap.fromBeatTimes(beatSeconds, GRID_TOLERANCE_SECONDS) : TempoMap.constant(bpm > 0 ? bpm : TempoMap.DEFAULT_BPM);
    }

    public int count() {
        return beatSeconds.length;
    }

    /** A copy: the record's array must not be changed by callers. */
    @Override
    public double[] beatSeconds() {
        return beatSeconds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Beats b && b.bpm == bpm && Arrays.equals(b.beatSeconds, beatSeconds);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(beatSeconds) + Double.hashCode(bpm);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "Beats[%d beats, %.2f BPM]", beatSeconds.length, bpm);
    }
}
