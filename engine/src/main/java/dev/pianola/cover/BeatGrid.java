package dev.pianola.cover;

import dev.pianola.audio.Audio;
import dev.pianola.audio.BeatTracker;
import dev.pianola.audio.Beats;
import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;

import java.util.Arrays;
import java.util.List;

/**
 * The beat grid a cover is written on: the tempo map, the meters (4/4 with a bar line where bar 1
 * starts, a short pickup bar before it), whether bar 1 is known (someone said where the beats are;
 * a tracker alone only finds beats), how it was found ("given", "tempo", "tracked", or none found)
 * and its beat times in seconds (empty when none were found).
 */
public record BeatGrid(TempoMap tempo, List<TimeSignature> meters, boolean knowsBarOne, String source, double[] beatSeconds) {
    public static final String NONE_FOUND = "none found (120 BPM)";

    public int beatCount() {
        return beatSeconds.length;
    }

    /** A steady tempo from {@code firstBeatSeconds} (bar 1) to the end. */
    public static BeatGrid ofTempo(double bpm, double firstBeatSeconds, double durationSeconds) {
        Beats beats = Beats.fromTempo(bpm, firstBeatSeconds, durationSeconds);
        return withBarOneAt(beats.tempoMap(), firstBeatSeconds, true, "tempo", beats.beatSeconds());
    }

    /** Beat times someone gave (at least two, increasing); the first is bar 1. */
    public static BeatGrid ofBeatTimes(double[] beatSeconds) {
        if (beatSeconds.length < 2) throw new IllegalArgumentException("a beat grid from beat times needs at least two");
        double[] gaps = new double[beatSeconds.length - 1];
        for (int i = 0; i < gaps.length; i++) gaps[i] = beatSeconds[i + 1] - beatSeconds[i];
        Arrays.sort(gaps);
        double medianBpm = 60.0 / gaps[gaps.length / 2];
        return withBarOneAt(new Beats(beatSeconds, medianBpm).tempoMap(), beatSeconds[0], true, "given", beatSeconds);
    }

    /**
     * The beat tracker's grid of {@code audio}; bar 1 on the tracked beat nearest {@code barOneSeconds}
     * when given (null: the first beat, and bar 1 is not known). Audio with no pulse to find (silence,
     * a second of sound) gets a plain 120 BPM grid, which keeps the cover usable.
     */
    public static BeatGrid tracked(Audio audio, Double barOneSeconds) {
        Beats tracked = BeatTracker.track(audio);
        boolean barOneGiven = barOneSeconds != null;
        double first = barOneGiven ? barOneSeconds : 0;
        if (tracked.beatSeconds().length < 2) {
            return withBarOneAt(TempoMap.constant(TempoMap.DEFAULT_BPM), first, barOneGiven, NONE_FOUND, new double[0]);
        }
        return withBarOneAt(tracked.tempoMap(), first, barOneGiven, "tracked", tracked.beatSeconds());
    }

    /** The grid with bar 1 on the beat nearest {@code barOneSeconds}. */
    private static BeatGrid withBarOneAt(TempoMap tempo, double barOneSeconds, boolean knowsBarOne, String source, double[] beatSeconds) {
        long barOneBeats = Math.round(tempo.beatsAt(barOneSeconds));
        return new BeatGrid(tempo, TimeSignature.fourFourFrom(barOneBeats), knowsBarOne, source, beatSeconds);
    }
}
