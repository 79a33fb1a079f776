package dev.pianola.time;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TempoMapTest {
    @Test
    void constantTempoConvertsBothWays() {
        TempoMap t = TempoMap.constant(90);
        assertEquals(2.0 / 1.5, t.secondsAt(2), 1e-12);
        assertEquals(3.0, t.beatsAt(2.0), 1e-12);
        assertEquals(44100 * 2.0 / 1.5, t.framesAt(2, 44100), 1e-6);
        assertEquals(2.0, t.beatsAtFrame(t.framesAt(2, 48000), 48000), 1e-12);
    }

    @Test
    void tempoChangesAreHonoured() {
        // 4 beats at 120 (2 s), then 60 BPM
        TempoMap t = new TempoMap(List.of(new TempoMap.Change(0, 120), new TempoMap.Change(4, 60)));
        assertEquals(2.0, t.secondsAt(4), 1e-12);
        assertEquals(3.0, t.secondsAt(5), 1e-12);
        assertEquals(5.0, t.beatsAt(3.0), 1e-12);
        assertEquals(60, t.bpmAt(4.5));
        assertEquals(120, t.bpmAt(3.99));
        for (double b = 0; b < 10; b += 0.37) assertEquals(b, t.beatsAt(t.secondsAt(b)), 1e-9);
    }

    @Test
    void missingStartTempoDefaultsTo120AndDuplicatesKeepTheLast() {
        TempoMap t = new TempoMap(List.of(new TempoMap.Change(2, 100), new TempoMap.Change(2, 60)));
        assertEquals(120, t.bpmAt(0));
        assertEquals(60, t.bpmAt(2));
        assertEquals(2, t.changes().size());
    }

    @Test
    void beatTimesBecomeIntegerBeats() {
        double[] beats = {0.3, 0.8, 1.3, 1.85, 2.45, 3.0};
        TempoMap t = TempoMap.fromBeatTimes(beats);
        double first = t.beatsAt(beats[0]);
        assertEquals(1.0, first, 1e-9, "a pickup of 0.6 beats becomes one whole beat");
        for (int i = 0; i < beats.length; i++) assertEquals(first + i, t.beatsAt(beats[i]), 1e-9);
        assertEquals(60 / 0.55, t.bpmAt(first + 2.5), 1e-9);
        assertEquals(60 / 0.3, t.bpmAt(0.5), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> TempoMap.fromBeatTimes(new double[]{1.0, 1.0}));
        assertThrows(IllegalArgumentException.class, () -> TempoMap.fromBeatTimes(new double[]{1.0}));
    }

    @Test
    void aTinyPickupJoinsTheFirstBeatInsteadOfRacing() {
        // first beat 10 ms in at 108 BPM: no 6000 BPM beat before it
        double interval = 60 / 108.0;
        double[] beats = new double[8];
        for (int i = 0; i < beats.length; i++) beats[i] = 0.01 + i * interval;
        TempoMap t = TempoMap.fromBeatTimes(beats);
        for (TempoMap.Change c : t.changes()) assertTrue(c.bpm() > 108 * 0.66 && c.bpm() <= 108 * 1.0001, c.toString());
        for (int i = 1; i < beats.length; i++) assertEquals(i, t.beatsAt(beats[i]), 1e-9, "beat " + i);
        // pickups of whole beats keep them: 1.5 beats in -> two beats before the first
        double[] late = {1.5 * interval, 2.5 * interval, 3.5 * interval};
        TempoMap l = TempoMap.fromBeatTimes(late);
        assertEquals(2.0, l.beatsAt(late[0]), 1e-9);
        for (TempoMap.Change c : l.changes()) assertTrue(c.bpm() >= 108 * 0.99 && c.bpm() <= 108 * 2.01, c.toString());
    }

    /** Beat times at {@code bpm} from {@code firstSeconds}, each moved by up to a tracker frame (23 ms) either way. */
    private static double[] jittered(int count, double firstSeconds, double bpm, long seed) {
        java.util.Random random = new java.util.Random(seed);
        double[] t = new double[count];
        for (int i = 0; i < count; i++) t[i] = firstSeconds + i * 60 / bpm + (random.nextInt(3) - 1) * 512 / 22050.0;
        return t;
    }

    private static final double TOLERANCE = 0.035;

    @Test
    void steadyJitteredBeatsAreOneTempo() {
        double[] beats = jittered(200, 60 / 108.0, 108, 1);
        TempoMap t = TempoMap.fromBeatTimes(beats, TOLERANCE);
        assertEquals(1, t.changes().size(), t.toString());
        assertEquals(108, t.bpmAt(0), 0.1);
        for (int i = 0; i < beats.length; i++) assertEquals(i + 1, t.beatsAt(beats[i]), TOLERANCE * 108 / 60 + 1e-9, "beat " + i);
        // exactly: a regular grid is one tempo too, not one change per beat
        TempoMap shortOne = TempoMap.fromBeatTimes(jittered(50, 2 * 60 / 108.0, 108, 0), TOLERANCE);
        assertEquals(1, shortOne.changes().size(), shortOne.toString());
        double[] regular = new double[47];
        for (int i = 0; i < regular.length; i++) regular[i] = i * 60 / 108.0;
        assertEquals(List.of(new TempoMap.Change(0, TempoMap.fromBeatTimes(regular).bpmAt(0))), TempoMap.fromBeatTimes(regular).changes());
        assertEquals(108, TempoMap.fromBeatTimes(regular).bpmAt(0), 1e-9);
    }

    @Test
    void aTempoChangeIsOneOrTwoChangesWhereItHappens() {
        double[] slow = jittered(32, 0.6, 100, 2), fast = jittered(50, 0.6, 130, 3);
        double[] beats = new double[slow.length + fast.length];
        System.arraycopy(slow, 0, beats, 0, slow.length);
        for (int i = 0; i < fast.length; i++) beats[slow.length + i] = 32 * 0.6 + fast[i];
        TempoMap t = TempoMap.fromBeatTimes(beats, TOLERANCE);
        assertTrue(t.changes().size() <= 3, t.toString());
        for (TempoMap.Change c : t.changes().subList(1, t.changes().size())) assertEquals(33, c.beats(), 2, t.toString());
        assertEquals(100, t.bpmAt(16), 0.5);
        assertEquals(130, t.bpmAt(50), 0.5);
        for (int i = 0; i < beats.length; i++) assertEquals(i + 1, t.beatsAt(beats[i]), TOLERANCE * 130 / 60 + 1e-9, "beat " + i);
        assertEquals(130, t.mainBpm(83), 1, "50 beats at 130 last longer than 32 at 100");
    }

    @Test
    void theQuotedTempoIgnoresThePickupAndTheJitter() {
        TempoMap pickup = new TempoMap(List.of(new TempoMap.Change(0, 300), new TempoMap.Change(1, 108)));
        assertEquals(108, pickup.mainBpm(0));
        assertEquals(108, pickup.mainBpm(100));
        double[] beats = jittered(60, 0.5, 108, 4);
        assertEquals(108, TempoMap.fromBeatTimes(beats).mainBpm(60), 3, "the median of a beat-per-beat map");
        assertEquals("108", TempoMap.bpmText(107.9999));
        assertEquals("107.7", TempoMap.bpmText(107.666));
        assertEquals(107.7, TempoMap.bpmRounded(107.666));
    }

    @Test
    void aPickupBarPutsBarOneOnItsBeat() {
        assertEquals(List.of(TimeSignature.FOUR_FOUR), TimeSignature.fourFourFrom(0));
        assertEquals(List.of(TimeSignature.FOUR_FOUR), TimeSignature.fourFourFrom(8));
        List<TimeSignature> one = TimeSignature.fourFourFrom(1);
        assertEquals(List.of(0.0, 1.0, 5.0, 9.0), TimeSignature.barLines(one, 9));
        assertEquals(List.of(0.0, 3.0, 7.0), TimeSignature.barLines(TimeSignature.fourFourFrom(7), 7));
    }

    @Test
    void absurdTemposAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> TempoMap.constant(0));
        assertThrows(IllegalArgumentException.class, () -> TempoMap.constant(Double.NaN));
    }

    @Test
    void barLinesFollowMeterChanges() {
        List<Double> bars = TimeSignature.barLines(List.of(new TimeSignature(0, 4, 4), new TimeSignature(8, 3, 4), new TimeSignature(14, 6, 8)), 20);
        assertEquals(List.of(0.0, 4.0, 8.0, 11.0, 14.0, 17.0, 20.0), bars);
    }

    /** Uneven beat times (a hand-made --beats file) never give a tempo of 0 or less: beyond smoothing, each beat is kept. */
    @Test
    void unevenBeatTimesGiveAPositiveTempoEverywhere() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
        double[] reported = {1.279, 2.409, 2.464, 2.555, 2.669, 3.576, 3.597, 4.656, 5.863};
        check(reported);
        for (int run = 0; run < 20_000; run++) {
            double[] t = new double[2 + rng.nextInt(8)];
            double at = rng.nextDouble() * 2;
            for (int i = 0; i < t.length; i++) t[i] = at += 0.01 + rng.nextDouble() * 1.5;
            check(t);
        }
    }

    private static void check(double[] beatSeconds) {
        TempoMap map = TempoMap.fromBeatTimes(beatSeconds, dev.pianola.audio.Beats.GRID_TOLERANCE_SECONDS);
        for (TempoMap.Change c : map.changes()) org.junit.jupiter.api.Assertions.assertTrue(c.bpm() > 0, java.util.Arrays.toString(beatSeconds));
    }
}
