package dev.pianola.models.continuator;

import dev.pianola.BadInputException;
import dev.pianola.midi.Note;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhraseDetectorTest {
    @Test
    void aHeldNoteKeepsThePhraseOpenHoweverLongTheSilence() {
        PhraseDetector d = new PhraseDetector();
        assertEquals(2.0, d.silenceBeats(), "Pachet's 1 s at 120 BPM");
        d.noteOn(60, 80, 0);
        assertFalse(d.phraseEnded(10), "held for ten beats");
        assertTrue(d.poll(10).isEmpty());
        assertTrue(Double.isNaN(d.phraseEndBeats()));
        d.noteOff(60, 10.5);
        assertEquals(12.5, d.phraseEndBeats(), 1e-12);
        assertFalse(d.phraseEnded(12.49));
        assertTrue(d.phraseEnded(12.5), "two beats after the release");
        assertEquals(List.of(new Note(60, 0, 10.5, 80)), d.poll(12.5));
        assertTrue(d.poll(20).isEmpty(), "handed over once");
        assertFalse(d.inPhrase());
    }

    @Test
    void theSilenceCountsFromTheLastReleaseAndANewNoteStartsItAgain() {
        PhraseDetector d = new PhraseDetector();
        d.noteOn(60, 70, 0);
        d.noteOn(64, 71, 0.5);
        d.noteOff(60, 1);
        assertTrue(Double.isNaN(d.phraseEndBeats()), "E is still held");
        assertFalse(d.phraseEnded(2.9));
        d.noteOff(64, 3);
        assertEquals(5, d.phraseEndBeats(), 1e-12);
        d.noteOn(62, 72, 4.5); // played inside the silence: the phrase goes on
        assertFalse(d.phraseEnded(5));
        d.noteOn(62, 0, 5.5); // velocity 0 is a release
        assertFalse(d.phraseEnded(7.4));
        List<Note> phrase = d.poll(7.5);
        assertEquals(List.of(new Note(60, 0, 1, 70), new Note(64, 0.5, 2.5, 71), new Note(62, 4.5, 1, 72)), phrase);
    }

    @Test
    void restrikingAHeldKeyEndsTheFirstNote() {
        PhraseDetector d = new PhraseDetector(1.0);
        d.noteOn(60, 90, 0);
        d.noteOn(60, 60, 1);
        d.noteOff(60, 2);
        d.noteOff(61, 2); // never pressed: ignored
        assertEquals(List.of(new Note(60, 0, 1, 90), new Note(60, 1, 1, 60)), d.poll(3));
    }

    @Test
    void theSilenceCanBeGivenInSecondsAtATempo() {
        assertEquals(1.5, PhraseDetector.forSilenceSeconds(1.0, 90).silenceBeats(), 1e-12);
        PhraseDetector d = new PhraseDetector();
        assertFalse(d.phraseEnded(100), "no phrase yet");
        assertTrue(d.poll(100).isEmpty());
    }

    @Test
    void absurdSettingsAndTimesGoingBackAreRefused() {
        for (double s : new double[] {0, -1, Double.NaN, 65}) assertThrows(BadInputException.class, () -> new PhraseDetector(s), "silence " + s);
        assertThrows(BadInputException.class, () -> PhraseDetector.forSilenceSeconds(1, 0));
        PhraseDetector d = new PhraseDetector();
        d.noteOn(60, 80, 2);
        assertThrows(IllegalArgumentException.class, () -> d.noteOff(60, 1));
    }
}
