package dev.pianola.arrange;

import dev.pianola.BadInputException;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.time.TempoMap;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Key spelling, Krumhansl-Schmuckler detection on music whose key is known by construction, and scale snap. */
class KeyTest {
    private static final String[] NAMES = {"C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"};

    @Test
    void keysAreReadAsMusiciansWriteThem() {
        assertEquals(new Key(0, Key.Mode.MAJOR), Key.parse("C"));
        assertEquals(new Key(6, Key.Mode.MINOR), Key.parse("F#m"));
        assertEquals(new Key(10, Key.Mode.MAJOR), Key.parse("Bbmaj"));
        assertEquals(new Key(1, Key.Mode.MINOR), Key.parse("C#min"));
        assertEquals(new Key(3, Key.Mode.MINOR), Key.parse("Eb minor"));
        assertEquals(new Key(9, Key.Mode.MAJOR), Key.parse("A major"));
        assertEquals(new Key(9, Key.Mode.MINOR), Key.parse("a minor"));
        assertEquals(new Key(4, Key.Mode.MAJOR), Key.parse("EM"));
        assertEquals(new Key(11, Key.Mode.MAJOR), Key.parse("Cb"));
        assertEquals(new Key(8, Key.Mode.MINOR), Key.parse("G\u266Fm"));
        for (String bad : List.of("", "H", "X#m", "C##", "Cmollusc", "F#m7", "1")) {
            BadInputException e = assertThrows(BadInputException.class, () -> Key.parse(bad), bad);
            assertTrue(e.getMessage().contains("unknown key"), e.getMessage());
            assertEquals(3, e.exitCode());
        }
        // names read back as the same key
        for (int pc = 0; pc < 12; pc++) {
            for (Key.Mode mode : Key.Mode.values()) assertEquals(new Key(pc, mode), Key.parse(new Key(pc, mode).name()));
        }
    }

    @Test
    void scalesHoldTheirDegrees() {
        assertArrayEquals(new int[]{0, 2, 4, 5, 7, 9, 11}, Key.parse("C").pitchClasses());
        assertArrayEquals(new int[]{1, 2, 4, 6, 7, 9, 11}, Key.parse("D").pitchClasses());
        // A minor: natural minor plus the raised seventh G#
        assertArrayEquals(new int[]{0, 2, 4, 5, 7, 8, 9, 11}, Key.parse("Am").pitchClasses());
    }

    /** A scale up and down in quarters, then I-IV-V-I (i-iv-V-i in minor) in half notes and a long tonic chord. */
    static List<Note> scaleAndCadence(int tonic, Key.Mode mode) {
        int[] steps = mode == Key.Mode.MAJOR ? new int[]{0, 2, 4, 5, 7, 9, 11, 12} : new int[]{0, 2, 3, 5, 7, 8, 11, 12};
        int third = mode == Key.Mode.MAJOR ? 4 : 3, sixth = mode == Key.Mode.MAJOR ? 9 : 8;
        int root = 60 + tonic;
        List<Note> notes = new ArrayList<>();
        double t = 0;
        for (int s : steps) notes.add(new Note(root + s, t++, 1, 80));
        for (int i = steps.length - 2; i >= 0; i--) notes.add(new Note(root + steps[i], t++, 1, 80));
        int[][] chords = {{0, third, 7}, {5, sixth, 12}, {7, 11, 14}, {0, third, 7}};
        double[] lengths = {2, 2, 2, 4};
        for (int c = 0; c < chords.length; c++) {
            notes.add(new Note(root - 12 + chords[c][0], t, lengths[c], 70));
            for (int interval : chords[c]) notes.add(new Note(root + interval, t, lengths[c], 70));
            t += lengths[c];
        }
        return notes;
    }

    @Test
    void detectsEveryMajorAndMinorKeyFromAScaleAndCadence() {
        for (int tonic = 0; tonic < 12; tonic++) {
            for (Key.Mode mode : Key.Mode.values()) {
                Key k = KeyDetector.detect(scaleAndCadence(tonic, mode));
                assertEquals(new Key(tonic, mode), k.withoutCorrelation(), NAMES[tonic] + " " + mode);
                assertTrue(k.correlation() > 0.8, "a clear key correlates well: " + k);
            }
        }
    }

    @Test
    void durationWeightingDecides() {
        // the same pitch classes, C major triad and A minor triad: which one is held decides the key
        List<Note> cHeld = List.of(new Note(60, 0, 8, 80), new Note(64, 0, 8, 80), new Note(67, 0, 8, 80),
                new Note(57, 8, 0.5, 80), new Note(60, 8.5, 0.5, 80), new Note(64, 9, 0.5, 80));
        List<Note> aHeld = List.of(new Note(57, 0, 8, 80), new Note(60, 0, 8, 80), new Note(64, 0, 8, 80),
                new Note(67, 8, 0.5, 80));
        assertEquals(Key.parse("C"), KeyDetector.detect(cHeld).withoutCorrelation());
        assertEquals(Key.parse("Am"), KeyDetector.detect(aHeld).withoutCorrelation());
    }

    @Test
    void nothingToGoOnGivesNoKey() {
        assertNull(KeyDetector.detect(List.of()));
        List<Note> chromatic = new ArrayList<>();
        for (int p = 60; p < 72; p++) chromatic.add(new Note(p, p - 60, 1, 80));
        assertNull(KeyDetector.detect(chromatic), "all twelve pitch classes equally: no key");
    }

    @Test
    void scaleSnapPutsEveryNoteInTheKey() {
        List<Note> chromatic = new ArrayList<>();
        for (int p = 36; p < 84; p++) chromatic.add(new Note(p, (p - 36) * 0.5, 0.5, 80));
        for (String name : List.of("C", "D", "F#m", "Bb", "Ebm")) {
            Key key = Key.parse(name);
            Arrangement a = Arranger.arrange(new NoteSequence(chromatic, TempoMap.constant(120)), ArrangeOptions.defaults().withScaleSnap(name));
            for (Note n : a.notes().notes()) assertTrue(key.contains(n.pitch()), name + ": " + n.pitch() + " is not in the key");
            int outOfKey = (int) chromatic.stream().filter(n -> !key.contains(n.pitch())).count();
            assertEquals(outOfKey, a.report().snappedToKey(), name);
            assertEquals(key, a.report().key());
            assertEquals(false, a.report().keyDetected());
        }
    }

    @Test
    void snapTiesGoToTheMoreStableDegree() {
        Key c = Key.parse("C");
        assertEquals(60, ScaleSnap.nearestInKey(61, c, 21, 108), "C# to the tonic");
        assertEquals(67, ScaleSnap.nearestInKey(66, c, 21, 108), "F# to the dominant");
        assertEquals(69, ScaleSnap.nearestInKey(70, c, 21, 108), "Bb to A");
        assertEquals(64, ScaleSnap.nearestInKey(63, c, 21, 108), "Eb to the third");
        // at the edge of the keyboard the other neighbour is taken: C#8 does not exist, A#0's upper neighbour B0 is there
        assertEquals(108, ScaleSnap.nearestInKey(109, c, 21, 108));
        assertEquals(23, ScaleSnap.nearestInKey(22, c, 22, 108), "A0 is below the range, so B0");
    }
}
