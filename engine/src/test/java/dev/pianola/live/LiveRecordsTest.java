package dev.pianola.live;

import dev.pianola.midi.Note;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LiveRecordsTest {
    @Test
    void timePositionInSixEightBecomesQuarterBeats() {
        // bar 2 (from 0), 3 eighths into it, 120 eighths per minute
        TransportSnapshot t = TransportSnapshot.ofPosition(96_000, 256, 48_000, 1, 2, 3, 6, 8, 120);
        assertEquals(7.5, t.beats(), 1e-12);
        assertEquals(6.0, t.barStartBeats(), 1e-12);
        assertEquals(3.0, t.barBeats(), 1e-12);
        assertEquals(60.0, t.bpm(), 1e-12);
        assertEquals(9.0, t.barLineAtOrAfter(7.5), 1e-12);
        assertEquals(6.0, t.barLineAtOrBefore(7.5), 1e-12);
        // 256 frames at 60 quarters per minute: 256 / 48000 beats
        assertEquals(7.5 + 256 / 48_000.0, t.endBeats(), 1e-12);
        assertEquals(128, t.frameOffset(7.5 + 128 / 48_000.0), 1e-6);
        assertFalse(TransportSnapshot.ofPosition(0, 256, 48_000, 0, 0, 0, 4, 4, 120).rolling());
    }

    @Test
    void midiBytesBecomeInputAndOutputEvents() {
        assertEquals(new InputEvent(1.5, true, 60, 100, 2), InputEvent.ofMidi(1.5, 0x92, 60, 100));
        assertFalse(InputEvent.ofMidi(1.5, 0x92, 60, 0).pressed(), "velocity 0 releases");
        assertEquals(InputEvent.off(2, 61), InputEvent.ofMidi(2, 0x80, 61, 40));
        assertNull(InputEvent.ofMidi(2, 0xB0, 64, 127), "a pedal is not a note");
        OutputEvent on = OutputEvent.noteOn(3.25, 1, 64, 90);
        assertEquals(List.of(0x91, 64, 90), List.of(on.status(), on.data1(), on.data2()));
        assertTrue(on.isNoteOn());
        assertFalse(OutputEvent.noteOff(3.5, 1, 64).isNoteOn());
        assertThrows(IllegalArgumentException.class, () -> new OutputEvent(0, 0xB0, 64, 0));
    }

    @Test
    void placedNotesStayInTheWindowAndScaleVelocity() {
        AnswerRequest r = new AnswerRequest(List.of(new Note(60, 0, 1, 80)), 4, 4, 4, 120, 1, 0);
        List<Note> engineNotes = List.of(
                new Note(62, 3.5, 1, 80),  // before the window
                new Note(64, 5, 4, 120),   // runs past the window's end
                new Note(65, 6, 1.0 / 64, 80), // too short to play
                new Note(64, 4, 2, 100),   // out of order
                new Note(67, 8, 1, 80));   // at the window's end
        List<Note> placed = LiveSession.placed(engineNotes, r, 10, 1.2, 3);
        assertEquals(List.of(new Note(64, 14, 2, 120, 3), new Note(64, 15, 3, 127, 3)), placed);
    }
}
