package dev.pianola.arrange;

import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.time.TempoMap;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.pianola.arrange.Playability.assertPlayable;
import static dev.pianola.arrange.Playability.hand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tune on top of the right hand: found, kept whole, raised when low. */
class MelodyTest {
    private static final TempoMap TEMPO = TempoMap.constant(100);

    /** A sung line in G3..D4 with repeated notes (struck back to back), over a bass and soft chords. */
    private static List<Note> lowTuneOverChords() {
        List<Note> in = new ArrayList<>();
        int[] tune = {55, 55, 57, 55, 60, 59, 55, 55, 57, 55, 62, 60};
        for (int i = 0; i < tune.length; i++) in.add(new Note(tune[i], i, 1, 100));
        for (int bar = 0; bar < 3; bar++) {
            in.add(new Note(36, bar * 4, 4, 60));
            for (int p : new int[]{48, 52}) in.add(new Note(p, bar * 4 + 0.5, 3.5, 45));
        }
        return in;
    }

    @Test
    void aLowTuneIsRaisedAnOctaveAndPlayedOnTopOfTheRightHandWithItsRepeatedNotes() {
        ArrangeOptions o = ArrangeOptions.defaults();
        Arrangement a = Arranger.arrange(new NoteSequence(lowTuneOverChords(), TEMPO), o);
        assertPlayable(a, o, "low tune");
        List<Note> right = hand(a.notes().notes(), Hands.RIGHT);
        int[] expected = {67, 67, 69, 67, 72, 71, 67, 67, 69, 67, 74, 72};
        for (int beat = 0; beat < expected.length; beat++) {
            final double t = beat;
            List<Note> struck = right.stream().filter(n -> Math.abs(n.startBeats() - t) < 1e-9).toList();
            int top = struck.stream().mapToInt(Note::pitch).max().orElse(-1);
            assertEquals(expected[beat], top, "beat " + beat + ": the tune, an octave up, struck on top of the right hand: " + struck);
        }
        // the line may also take the chords struck while it holds (they are not above it): at least the tune
        assertTrue(a.report().melodyNotes() >= 12, a.report().summary());
        assertEquals(a.report().melodyNotes(), a.report().raisedMelodyNotes(), "the whole phrase moves together");
        assertTrue(hand(a.notes().notes(), Hands.LEFT).stream().anyMatch(n -> n.pitch() == 36), "the bass stays in the left hand");
    }

    @Test
    void thePitchSplitLeavesTheTuneWhereItIs() {
        ArrangeOptions o = ArrangePresets.withOverrides(ArrangeOptions.defaults(), Map.of("melodyOnTop", false));
        Arrangement a = Arranger.arrange(new NoteSequence(lowTuneOverChords(), TEMPO), o);
        assertPlayable(a, o, "pitch split");
        assertEquals(0, a.report().melodyNotes());
        assertTrue(a.notes().notes().stream().anyMatch(n -> n.pitch() == 55 && n.channel() == Hands.LEFT),
                "below middle C the tune goes to the left hand, as it did before the tune was found");
    }
}
