package dev.pianola.arrange;

import dev.pianola.BadInputException;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.pianola.arrange.Playability.assertPlayable;
import static dev.pianola.arrange.Playability.hand;
import static dev.pianola.arrange.Playability.onGrid;
import static dev.pianola.arrange.Playability.soundingAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The arranger's rules on synthetic worst cases, each built so that a broken rule shows. */
class ArrangerTest {
    private static final TempoMap TEMPO = TempoMap.constant(100);

    private static NoteSequence seq(List<Note> notes) {
        return new NoteSequence(notes, TEMPO);
    }

    private static ArrangeOptions with(Map<String, ?> overrides) {
        return ArrangePresets.withOverrides(ArrangeOptions.defaults(), overrides);
    }

    /** Timing and velocity left alone, so the rule under test is the only one acting. */
    private static ArrangeOptions plain(Map<String, ?> more) {
        Map<String, Object> all = new java.util.HashMap<>(Map.of("quantizeGrid", "OFF", "velocityMode", "RAW"));
        all.putAll(more);
        return with(all);
    }

    /** Twelve-note clusters with pitches 0 and 127 on top, every beat: nothing about it is playable. */
    private static List<Note> worstCase() {
        List<Note> notes = new ArrayList<>();
        for (int beat = 0; beat < 16; beat++) {
            for (int p = 54; p < 66; p++) notes.add(new Note(p, beat, 0.9, 40 + p, 0));
            notes.add(new Note(0, beat, 1.5, 100, 0));
            notes.add(new Note(127, beat + 0.5, 1.7, 100, 0));
            notes.add(new Note(30 + beat, beat + 0.03, 3.0, 70, 0)); // long bass, slightly late
        }
        return notes;
    }

    @Test
    void worstCaseBecomesPlayableUnderEveryPreset() {
        for (String preset : List.of("default", "simple", "full")) {
            ArrangeOptions o = ArrangePresets.load(preset);
            Arrangement a = Arranger.arrange(seq(worstCase()), o);
            assertPlayable(a, o, preset);
            assertTrue(a.report().notesOut() > 16 * 2, preset + ": most onsets keep something: " + a.report().summary());
            assertTrue(a.report().droppedByPolyphony() > 0, preset + ": the 15-note chords exceed every cap");
        }
        // quantization off and a wide chord window: the caps must hold for onsets that do not coincide
        ArrangeOptions loose = plain(Map.of("chordWindowBeats", 0.1, "maxPolyphony", 4, "maxNotesRightHand", 3, "maxNotesLeftHand", 2));
        assertPlayable(Arranger.arrange(seq(worstCase()), loose), loose, "unquantized");
    }

    @Test
    void pitchesOutsideTheKeyboardAreFoldedByOctavesOrDropped() {
        List<Note> in = List.of(new Note(0, 0, 1, 80), new Note(127, 2, 1, 80), new Note(20, 4, 1, 80), new Note(109, 6, 1, 80));
        Arrangement folded = Arranger.arrange(seq(in), plain(Map.of()));
        assertEquals(List.of(24, 103, 32, 97), folded.notes().notes().stream().map(Note::pitch).toList());
        assertEquals(4, folded.report().foldedIntoRange());

        Arrangement dropped = Arranger.arrange(seq(in), plain(Map.of("outOfRange", "DROP")));
        assertTrue(dropped.notes().notes().isEmpty());
        assertEquals(4, dropped.report().droppedOutOfRange());
        assertEquals(0, dropped.report().notesOut());
    }

    @Test
    void tremoloFragmentsMergeIntoOneNoteButRealRepeatsStay() {
        List<Note> in = new ArrayList<>();
        // a held E4 that the transcription re-triggered 16 times: 0.1-beat fragments 0.02 beats apart
        for (int i = 0; i < 16; i++) in.add(new Note(64, i * 0.12, 0.1, 60 + i, 0));
        // a pianist's repeated G4 eighths with a clear release between them
        for (int i = 0; i < 4; i++) in.add(new Note(67, 4 + i * 0.5, 0.3, 70, 0));
        Arrangement a = Arranger.arrange(seq(in), plain(Map.of()));
        List<Note> e = a.notes().notes().stream().filter(n -> n.pitch() == 64).toList();
        assertEquals(1, e.size(), "fragments merged: " + e);
        assertEquals(0, e.get(0).startBeats(), 1e-12);
        assertEquals(15 * 0.12 + 0.1, e.get(0).endBeats(), 1e-9);
        assertEquals(75, e.get(0).velocity(), "the merged note takes the loudest fragment");
        assertEquals(15, a.report().mergedFragments());
        assertEquals(4, a.notes().notes().stream().filter(n -> n.pitch() == 67).count(), "repeats 0.2 beats apart are notes");

        // the threshold is the option: with a gap limit below 0.02 beats nothing merges
        Arrangement strict = Arranger.arrange(seq(in), plain(Map.of("mergeGapBeats", 0.01)));
        assertEquals(16, strict.notes().notes().stream().filter(n -> n.pitch() == 64).count());
        assertEquals(0, strict.report().mergedFragments());
    }

    @Test
    void duplicatesAndTooShortNotesAreRemoved() {
        List<Note> in = List.of(
                new Note(60, 1, 1, 50), new Note(60, 1, 1, 90), new Note(60, 1, 0.5, 70), // the same key struck three times at once
                new Note(72, 3, 0.03, 80), new Note(74, 3.5, 0.02, 80),                   // blips under 1/32 beat
                new Note(76, 4, 1.0 / 32, 80));                                           // exactly the minimum: kept
        Arrangement a = Arranger.arrange(seq(in), plain(Map.of()));
        List<Note> out = a.notes().notes();
        assertEquals(List.of(60, 76), out.stream().map(Note::pitch).toList());
        assertEquals(90, out.get(0).velocity());
        assertEquals(2, a.report().removedDuplicates());
        assertEquals(2, a.report().droppedTooShort());
    }

    @Test
    void quantizedOnsetsAndEndsLieOnTheGridAtFullStrength() {
        Random random = new Random(7);
        List<Note> in = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            in.add(new Note(40 + random.nextInt(50), random.nextDouble() * 64, 0.07 + random.nextDouble() * 2, 30 + random.nextInt(90), 0));
        }
        for (ArrangeOptions.Grid grid : ArrangeOptions.Grid.values()) {
            if (grid == ArrangeOptions.Grid.OFF) continue;
            ArrangeOptions o = ArrangeOptions.defaults().withQuantize(grid, 1.0);
            Arrangement a = Arranger.arrange(seq(in), o);
            assertPlayable(a, o, grid.name()); // checks onsets and ends on the grid, lengths > 0
            for (Note n : a.notes().notes()) {
                assertTrue(onGrid(n.startBeats(), grid.stepBeats()), grid + " onset " + n);
                assertTrue(n.durationBeats() >= grid.stepBeats() - 1e-9, grid + ": a note keeps at least one step: " + n);
            }
        }
    }

    @Test
    void partialStrengthMovesPartOfTheWayAndOffLeavesTimingAlone() {
        // sparse notes of distinct pitches: no other rule touches them
        List<Note> in = List.of(new Note(60, 0.1, 0.5, 80), new Note(64, 1.2, 0.45, 80), new Note(67, 2.37, 0.2, 80), new Note(72, 3.9, 0.02 + 0.2, 80));
        Arrangement half = Arranger.arrange(seq(in), plain(Map.of("quantizeGrid", "SIXTEENTH", "quantizeStrength", 0.5)));
        Arrangement off = Arranger.arrange(seq(in), plain(Map.of()));
        for (int i = 0; i < in.size(); i++) {
            Note orig = in.get(i), h = half.notes().notes().get(i), o = off.notes().notes().get(i);
            double target = Math.round(orig.startBeats() / 0.25) * 0.25;
            assertEquals(orig.startBeats() + 0.5 * (target - orig.startBeats()), h.startBeats(), 1e-12, "half-way onset of " + orig);
            assertNotEquals(target, h.startBeats(), "not all the way");
            assertEquals(orig.startBeats(), o.startBeats(), 0, "grid OFF keeps onsets");
            assertEquals(orig.durationBeats(), o.durationBeats(), 1e-12, "grid OFF keeps lengths");
        }
        // a tiny note that would round to nothing keeps a step at full strength
        Arrangement tiny = Arranger.arrange(seq(List.of(new Note(60, 0.13, 0.07, 80))), plain(Map.of("quantizeGrid", "SIXTEENTH")));
        Note t = tiny.notes().notes().get(0);
        assertEquals(0.25, t.startBeats(), 1e-12);
        assertEquals(0.25, t.durationBeats(), 1e-12);
    }

    @Test
    void quantizingWithoutEndsKeepsLengths() {
        List<Note> in = List.of(new Note(60, 0.1, 0.37, 80), new Note(64, 1.2, 0.45, 80));
        Arrangement a = Arranger.arrange(seq(in), plain(Map.of("quantizeGrid", "EIGHTH", "quantizeEnds", false)));
        assertEquals(0.0, a.notes().notes().get(0).startBeats(), 1e-12);
        assertEquals(0.37, a.notes().notes().get(0).durationBeats(), 1e-12);
        assertEquals(1.0, a.notes().notes().get(1).startBeats(), 1e-12);
        assertEquals(0.45, a.notes().notes().get(1).durationBeats(), 1e-12);
    }

    @Test
    void handsSplitBassAndMelodyOntoTwoChannels() {
        List<Note> in = new ArrayList<>();
        int[] bass = {36, 41, 43, 36, 38, 43, 41, 36};
        int[] melody = {76, 74, 72, 71, 72, 74, 76, 79};
        for (int i = 0; i < 8; i++) {
            in.add(new Note(bass[i], i, 1, 70));
            in.add(new Note(bass[i] + 4, i, 1, 60)); // no key repeats back to back: that would merge
            in.add(new Note(melody[i], i, 0.5, 90));
            in.add(new Note(melody[i] - 4, i + 0.5, 0.5, 80));
        }
        Arrangement a = Arranger.arrange(seq(in), ArrangeOptions.defaults());
        assertPlayable(a, ArrangeOptions.defaults(), "bass and melody");
        for (Note n : a.notes().notes()) assertEquals(n.pitch() < 60 ? 1 : 0, n.channel(), "hand of " + n);
        assertEquals(16, a.report().leftHandNotes());
        assertEquals(16, a.report().rightHandNotes());
    }

    @Test
    void melodyAndBassSurviveTheCapEvenWhenQuiet() {
        List<Note> in = new ArrayList<>();
        for (int beat = 0; beat < 8; beat++) {
            for (int p = 50; p < 70; p++) in.add(new Note(p, beat, 1, 110)); // a loud cluster in the middle
            in.add(new Note(84 + beat % 3, beat, 1, 20));                     // a quiet melody above
            in.add(new Note(31 + beat % 2, beat, 1, 20));                     // a quiet bass below
        }
        for (String preset : List.of("default", "simple", "full")) {
            ArrangeOptions o = ArrangePresets.load(preset).withScaleSnap("C"); // 31 and 85 move to in-key neighbours
            Arrangement a = Arranger.arrange(seq(in), o);
            assertPlayable(a, o, preset);
            for (int beat = 0; beat < 8; beat++) {
                List<Note> now = soundingAt(a.notes().notes(), beat);
                int top = now.stream().mapToInt(Note::pitch).max().orElseThrow();
                int bottom = now.stream().mapToInt(Note::pitch).min().orElseThrow();
                assertTrue(top >= 84 && top <= 86, preset + " beat " + beat + ": melody on top, got " + now);
                assertTrue(bottom >= 31 && bottom <= 33, preset + " beat " + beat + ": bass at the bottom, got " + now);
                assertEquals(0, now.stream().filter(n -> n.pitch() == top).findFirst().orElseThrow().channel(), "melody in the right hand");
                assertEquals(1, now.stream().filter(n -> n.pitch() == bottom).findFirst().orElseThrow().channel(), "bass in the left hand");
            }
        }
    }

    @Test
    void notesOutsideAHandsSpanAreFoldedTowardsTheMelodyOrDropped() {
        // left hand: 50; right hand: 64, 67 under an 84 melody, more than an octave below it
        List<Note> in = List.of(new Note(50, 0, 1, 80), new Note(64, 0, 1, 80), new Note(67, 0, 1, 80), new Note(84, 0, 1, 80));
        Arrangement folded = Arranger.arrange(seq(in), plain(Map.of()));
        assertEquals(List.of(76, 79, 84), hand(folded.notes().notes(), 0).stream().map(Note::pitch).toList());
        assertEquals(List.of(50), hand(folded.notes().notes(), 1).stream().map(Note::pitch).toList());
        assertEquals(2, folded.report().foldedIntoHandSpan());

        Arrangement dropped = Arranger.arrange(seq(in), plain(Map.of("outOfSpan", "DROP")));
        assertEquals(List.of(50, 84), dropped.notes().notes().stream().map(Note::pitch).toList());
        assertEquals(2, dropped.report().droppedByHandSpan());

        // left hand folds down onto the bass: 36 with 52 and 55 (more than an octave up) over a 70 melody
        List<Note> low = List.of(new Note(36, 0, 1, 80), new Note(52, 0, 1, 80), new Note(55, 0, 1, 80), new Note(70, 0, 1, 80));
        Arrangement lowFolded = Arranger.arrange(seq(low), plain(Map.of("splitPitch", 64)));
        assertEquals(List.of(36, 40, 43), hand(lowFolded.notes().notes(), 1).stream().map(Note::pitch).toList());
    }

    @Test
    void heldNotesAreReleasedWhenTheHandMovesAway() {
        // a long right-hand C5 and then, while it still sounds, a chord two octaves higher
        List<Note> in = List.of(new Note(72, 0, 4, 80), new Note(96, 1, 1, 80), new Note(100, 1, 1, 80));
        Arrangement a = Arranger.arrange(seq(in), plain(Map.of()));
        Note held = a.notes().notes().stream().filter(n -> n.pitch() == 72).findFirst().orElseThrow();
        assertEquals(1.0, held.endBeats(), 1e-12, "released when the hand leaves");
        assertEquals(1, a.report().shortenedNotes());
        assertPlayable(a, plain(Map.of()), "released");
    }

    @Test
    void velocitiesAreShapedIntoTheRangeWithADownbeatAccent() {
        List<Note> in = new ArrayList<>();
        for (int i = 0; i < 32; i++) in.add(new Note(60 + i % 12, i * 0.5 + 0.25, 0.5, 1 + i * 4)); // never on a bar line
        in.add(new Note(48, 4, 1, 64)); // on the bar line of bar 2
        in.add(new Note(50, 5, 1, 64)); // beat 2 of that bar
        Arrangement shaped = Arranger.arrange(seq(in), ArrangeOptions.defaults());
        for (Note n : shaped.notes().notes()) assertTrue(n.velocity() >= 35 && n.velocity() <= 110, "velocity " + n);
        int min = shaped.notes().notes().stream().mapToInt(Note::velocity).min().orElseThrow();
        int max = shaped.notes().notes().stream().mapToInt(Note::velocity).max().orElseThrow();
        assertEquals(35, min, "the softest notes reach the bottom of the range");
        assertEquals(104, max, "the loudest unaccented notes reach the top minus the accent");
        Note down = shaped.notes().notes().stream().filter(n -> n.pitch() == 48).findFirst().orElseThrow();
        Note offbeat = shaped.notes().notes().stream().filter(n -> n.pitch() == 50).findFirst().orElseThrow();
        assertEquals(6, down.velocity() - offbeat.velocity(), "downbeat accent");

        Arrangement raw = Arranger.arrange(seq(in), with(Map.of("velocityMode", "RAW")));
        assertEquals(64, raw.notes().notes().stream().filter(n -> n.pitch() == 48).findFirst().orElseThrow().velocity());
        assertEquals(1, raw.notes().notes().stream().mapToInt(Note::velocity).min().orElseThrow());

        // in 3/4 the bar lines are at 0, 3, 6: beat 4 is not a downbeat there, beat 3 is
        NoteSequence waltz = new NoteSequence(List.of(new Note(60, 3, 1, 64), new Note(62, 4, 1, 64)), TEMPO,
                List.of(new TimeSignature(0, 3, 4)), List.of(), List.of());
        List<Note> w = Arranger.arrange(waltz, ArrangeOptions.defaults()).notes().notes();
        assertEquals(6, w.get(0).velocity() - w.get(1).velocity());
    }

    @Test
    void tempoMapAndMetersAreKeptAndTheResultIsDeterministic() {
        TempoMap tempo = new TempoMap(List.of(new TempoMap.Change(0, 90), new TempoMap.Change(8, 132.5)));
        List<TimeSignature> meters = List.of(new TimeSignature(0, 4, 4), new TimeSignature(8, 7, 8));
        NoteSequence in = new NoteSequence(worstCase(), tempo, meters, List.of(), List.of());
        Arrangement a = Arranger.arrange(in, ArrangeOptions.defaults());
        Arrangement b = Arranger.arrange(in, ArrangeOptions.defaults());
        assertEquals(tempo.changes(), a.notes().tempo().changes());
        assertEquals(meters, a.notes().timeSignatures());
        assertEquals(a.notes().notes(), b.notes().notes());
        assertEquals(a.report(), b.report());
    }

    @Test
    void drumChannelIsIgnoredUnlessAskedFor() {
        List<Note> in = List.of(new Note(36, 0, 0.5, 100, 9), new Note(42, 0.5, 0.5, 100, 9), new Note(60, 0, 1, 80, 0));
        Arrangement a = Arranger.arrange(seq(in), plain(Map.of()));
        assertEquals(List.of(60), a.notes().notes().stream().map(Note::pitch).toList());
        assertEquals(2, a.report().droppedDrums());
        assertEquals(3, Arranger.arrange(seq(in), plain(Map.of("dropDrumChannel", false))).report().notesOut());
    }

    @Test
    void anEmptyInputGivesAnEmptyArrangement() {
        Arrangement a = Arranger.arrange(seq(List.of()), ArrangeOptions.defaults());
        assertTrue(a.notes().notes().isEmpty());
        assertEquals(null, a.report().key());
        assertFalse(a.report().summary().isBlank());
    }

    @Test
    void absurdOptionValuesAreRefused() {
        ArrangeOptions d = ArrangeOptions.defaults();
        assertThrows(BadInputException.class, () -> d.withQuantize(ArrangeOptions.Grid.SIXTEENTH, 1.5));
        assertThrows(BadInputException.class, () -> d.withPolyphony(0, 5, 5));
        assertThrows(BadInputException.class, () -> d.withPolyphony(6, 6, 5));
        assertThrows(BadInputException.class, () -> d.withScaleSnap("H#"));
        assertThrows(BadInputException.class, () -> with(Map.of("lowestPitch", 60, "highestPitch", 65)));
    }
}
