package dev.pianola.live;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MIDI clock to transport: Start, clocks, Stop, Continue, Song Position, a sender that goes away. */
class MidiClockTest {
    static final int RATE = 48000, TICK = 1000; // 1000 frames a clock at 48 kHz: 120 BPM

    static void clocks(MidiClock c, long fromFrame, int count) {
        for (int k = 0; k < count; k++) c.accept(fromFrame + (long) k * TICK, 0xF8, 0, 0);
    }

    @Test
    void startThenSteadyClocksGiveTempoAndBeats() {
        MidiClock c = new MidiClock(RATE);
        assertTrue(c.accept(0, 0xFA, 0, 0));
        assertFalse(c.active(0), "no tempo before two clocks");
        clocks(c, 0, 49); // clock 0 is beat 0, clock 48 beat 2
        assertTrue(c.active(48 * TICK + 500));
        assertEquals(120.0, c.bpm(), 1e-9);
        TransportSnapshot t = c.snapshot(48 * TICK + 500, 256);
        assertEquals(1.0, t.speed());
        assertEquals(2.0 + 500.0 / (24 * TICK), t.beats(), 1e-9, "between clocks the beat runs on at the clock's tempo");
        assertEquals(0.0, t.barStartBeats());
        assertTrue(c.takeJump(), "Start is a jump");
        assertFalse(c.takeJump(), "once");
    }

    @Test
    void betweenClocksTheBeatNeverPassesTheNextClock() {
        MidiClock c = new MidiClock(RATE);
        c.accept(0, 0xFA, 0, 0);
        clocks(c, 0, 25);
        // the sender is late: 3 clocks' time with no clock, the beat waits at the next clock's
        assertEquals(1.0 + 1.0 / 24, c.snapshot(24 * TICK + 3 * TICK, 256).beats(), 1e-12);
    }

    @Test
    void stopHoldsThePositionAndContinueGoesOn() {
        MidiClock c = new MidiClock(RATE);
        c.accept(0, 0xFA, 0, 0);
        clocks(c, 0, 24); // beats 0 .. 23/24
        c.accept(24 * TICK - 10, 0xFC, 0, 0);
        clocks(c, 24 * TICK, 10); // clocks go on while stopped: tempo only
        assertFalse(c.active(34 * TICK));
        TransportSnapshot stopped = c.snapshot(34 * TICK, 256);
        assertEquals(0.0, stopped.speed());
        assertEquals(1.0, stopped.beats(), 1e-12, "stopped: where it will continue, the next clock's beat");
        c.accept(34 * TICK, 0xFB, 0, 0);
        clocks(c, 34 * TICK, 2);
        assertTrue(c.active(35 * TICK + 1));
        assertEquals(1.0 + 1.0 / 24, c.snapshot(35 * TICK, 256).beats(), 1e-12, "Continue: the next clock is the beat after the last");
    }

    @Test
    void songPositionSetsTheBeatOfTheNextClock() {
        MidiClock c = new MidiClock(RATE);
        c.accept(0, 0xF2, 32 & 0x7F, 32 >> 7); // 32 sixteenths: beat 8
        c.accept(0, 0xFB, 0, 0);
        clocks(c, 0, 3);
        assertEquals(8.0 + 2.0 / 24, c.snapshot(2 * TICK, 256).beats(), 1e-12);
        assertEquals(8.0, c.snapshot(2 * TICK, 256).barStartBeats());
    }

    @Test
    void aSenderThatGoesAwayIsNoLongerFollowed() {
        MidiClock c = new MidiClock(RATE);
        c.accept(0, 0xFA, 0, 0);
        clocks(c, 0, 10);
        assertTrue(c.active(9 * TICK + (long) (0.4 * RATE)));
        assertFalse(c.active(9 * TICK + (long) (0.6 * RATE)), "half a second without a clock");
        assertFalse(c.accept(0, 0x90, 60, 100), "a note is not a clock message");
    }
}
