package dev.pianola.midi;

import dev.pianola.BadInputException;
import dev.pianola.PianolaException;
import dev.pianola.TestPaths;
import dev.pianola.UsageException;
import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sound.midi.MidiSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class MidiFilesTest {
    @TempDir
    Path tmp;

    private static NoteSequence sample() {
        TempoMap tempo = new TempoMap(List.of(new TempoMap.Change(0, 96), new TempoMap.Change(8, 140)));
        List<Note> notes = List.of(
                new Note(60, 0, 1, 90, 0), new Note(64, 0, 1, 80, 0), new Note(60, 1, 0.5, 70, 0), // repeated C
                new Note(36, 0, 4, 60, 1), new Note(72, 7.75, 2.5, 100, 0));
        return new NoteSequence(notes, tempo, List.of(new TimeSignature(0, 4, 4), new TimeSignature(8, 3, 4)),
                List.of(new ControlChange(0, 0, 64, 127), new ControlChange(2, 0, 64, 0)), List.of(new PitchBend(7.75, 0, 2048)));
    }

    @Test
    void roundTripType1AndType0AtSeveralResolutions() throws Exception {
        NoteSequence in = sample();
        for (int type : new int[]{0, 1}) {
            for (int ppq : new int[]{96, 480, 960}) {
                Path f = tmp.resolve("t" + type + "_" + ppq + ".mid");
                MidiFiles.write(in, f, false, new MidiFiles.WriteOptions(type, ppq, 0, "test"));
                assertEquals(type, MidiSystem.getMidiFileFormat(f.toFile()).getType());
                NoteSequence out = MidiFiles.read(f);
                assertEquals(in.notes(), out.notes(), "notes, type " + type + " ppq " + ppq);
                assertEquals(in.tempo().changes(), out.tempo().changes().stream()
                        .map(c -> new TempoMap.Change(c.beats(), Math.round(c.bpm() * 1000) / 1000.0)).toList());
                assertEquals(in.timeSignatures(), out.timeSignatures());
                assertEquals(in.controls(), out.controls());
                assertEquals(in.bends(), out.bends());
                assertEquals(in.endSeconds(), out.endSeconds(), 1e-3);
            }
        }
    }

    @Test
    void type1PutsEachChannelOnItsOwnTrack() throws Exception {
        Path f = tmp.resolve("hands.mid");
        MidiFiles.write(sample(), f, false);
        assertEquals(3, MidiSystem.getSequence(f.toFile()).getTracks().length, "conductor + right hand + left hand");
    }

    @Test
    void readsEveryCorpusFile() throws Exception {
        try (Stream<Path> files = Stream.concat(Files.list(TestPaths.corpus("midi/piano")), Files.list(TestPaths.corpus("midi/multitrack")))) {
            for (Path f : files.toList()) {
                NoteSequence s = MidiFiles.read(f);
                assertFalse(s.notes().isEmpty(), f.toString());
                assertTrue(s.endSeconds() > 5, f + " lasts " + s.endSeconds());
                for (Note n : s.notes()) assertTrue(n.durationBeats() >= 0);
            }
        }
        // POP909 files carry a tempo; check one conversion against the file's own length in microseconds
        Path pop = TestPaths.corpus("midi/piano/POP909_008.mid");
        NoteSequence s = MidiFiles.read(pop);
        double fileSeconds = MidiSystem.getSequence(pop.toFile()).getMicrosecondLength() / 1e6;
        assertTrue(s.endSeconds() <= fileSeconds + 1e-3 && s.endSeconds() > fileSeconds - 5, s.endSeconds() + " vs " + fileSeconds);
    }

    @Test
    void emptyButValidFileHasNoNotes() {
        assertTrue(MidiFiles.read(TestPaths.corpus("midi/bad/empty.mid")).notes().isEmpty());
    }

    @Test
    void badFilesGiveOneLineErrorsNamingTheFile() throws Exception {
        Path corrupt = TestPaths.corpus("midi/bad/ValueError_Control168.mid");
        BadInputException e = assertThrows(BadInputException.class, () -> MidiFiles.read(corrupt));
        assertTrue(e.getMessage().startsWith(corrupt.toString()), e.getMessage());
        assertEquals(PianolaException.EXIT_BAD_INPUT, e.exitCode());

        Path empty = Files.write(tmp.resolve("zero.mid"), new byte[0]);
        assertTrue(assertThrows(BadInputException.class, () -> MidiFiles.read(empty)).getMessage().contains("empty"));
        Path text = Files.writeString(tmp.resolve("notes.mid"), "this is not midi\n");
        assertTrue(assertThrows(BadInputException.class, () -> MidiFiles.read(text)).getMessage().startsWith(text.toString()));
        Path missing = tmp.resolve("missing.mid");
        assertTrue(assertThrows(BadInputException.class, () -> MidiFiles.read(missing)).getMessage().contains("no such file"));
        byte[] good = Files.readAllBytes(TestPaths.corpus("midi/piano/Maestro_1.mid"));
        Path truncated = Files.write(tmp.resolve("truncated.mid"), java.util.Arrays.copyOf(good, good.length / 3));
        assertThrows(BadInputException.class, () -> MidiFiles.read(truncated));
        for (String line : new String[]{assertThrows(BadInputException.class, () -> MidiFiles.read(truncated)).getMessage()}) {
            assertFalse(line.contains("\n"), "one line: " + line);
        }
    }

    @Test
    void neverOverwritesWithoutForce() throws Exception {
        Path f = Files.writeString(tmp.resolve("mine.mid"), "precious");
        UsageException e = assertThrows(UsageException.class, () -> MidiFiles.write(sample(), f, false));
        assertTrue(e.getMessage().contains("--force"));
        assertEquals("precious", Files.readString(f));
        MidiFiles.write(sample(), f, true);
        assertEquals(sample().notes(), MidiFiles.read(f).notes());
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(f), left.toList(), "no temporary files left behind");
        }
    }

    /** A DAW shows the tracks by name, the right hand first, with the key the arranger found. */
    @Test
    void tracksAreNamedInChannelOrderWithTheKeySignature() throws Exception {
        // the left hand's note comes first in time: its track used to come first too
        NoteSequence hands = new NoteSequence(List.of(new Note(36, 0, 1, 80, 1), new Note(72, 0.5, 1, 80, 0)), TempoMap.constant(100));
        javax.sound.midi.Sequence seq = MidiFiles.toSequence(hands, MidiFiles.WriteOptions.PIANO.withKey(KeySignature.of(9, true)));
        assertEquals(3, seq.getTracks().length);
        assertEquals("Right hand", trackName(seq.getTracks()[1]));
        assertEquals("Left hand", trackName(seq.getTracks()[2]));
        byte[] key = null;
        for (int i = 0; i < seq.getTracks()[0].size(); i++) {
            if (seq.getTracks()[0].get(i).getMessage() instanceof javax.sound.midi.MetaMessage mm && mm.getType() == 0x59) key = mm.getData();
        }
        assertArrayEquals(new byte[]{0, 1}, key, "A minor: no sharps, minor");
        assertNull(keyOf(MidiFiles.toSequence(hands, MidiFiles.WriteOptions.PIANO)), "no key, no signature");
        Path f = tmp.resolve("named.mid");
        MidiFiles.write(hands, f, false, MidiFiles.WriteOptions.PHRASE_AND_ANSWER.withChannelName(0, "My take"));
        assertEquals("My take", trackName(MidiFiles.readSequence(f).getTracks()[1]));
        assertEquals("Answer", trackName(MidiFiles.readSequence(f).getTracks()[2]));
        assertEquals(java.util.Optional.empty(), MidiFiles.trackName(MidiFiles.readSequence(f)), "two tracks of notes: no one name");
        Path one = tmp.resolve("one.mid");
        MidiFiles.write(hands.withNotes(List.of(new Note(60, 0, 1, 80, 0))), one, false, MidiFiles.WriteOptions.PHRASE_AND_ANSWER.withChannelName(0, "My take"));
        assertEquals(java.util.Optional.of("My take"), MidiFiles.trackName(MidiFiles.readSequence(one)));
    }

    @Test
    void keySignaturesAreSpelledAsMusiciansSpellThem() {
        assertEquals(new KeySignature(0, false), KeySignature.of(0, false));
        assertEquals(new KeySignature(6, false), KeySignature.of(6, false)); // F#
        assertEquals(new KeySignature(-5, false), KeySignature.of(1, false)); // Db
        assertEquals(new KeySignature(-1, false), KeySignature.of(5, false)); // F
        assertEquals(new KeySignature(0, true), KeySignature.of(9, true)); // Am
        assertEquals(new KeySignature(-6, true), KeySignature.of(3, true)); // Ebm
        assertEquals(new KeySignature(5, true), KeySignature.of(8, true)); // G#m
        assertEquals(new KeySignature(-3, true), KeySignature.of(0, true)); // Cm
    }

    private static String trackName(javax.sound.midi.Track track) {
        for (int i = 0; i < track.size(); i++) {
            if (track.get(i).getMessage() instanceof javax.sound.midi.MetaMessage mm && mm.getType() == 0x03) return new String(mm.getData());
        }
        return null;
    }

    private static byte[] keyOf(javax.sound.midi.Sequence seq) {
        for (javax.sound.midi.Track track : seq.getTracks()) {
            for (int i = 0; i < track.size(); i++) {
                if (track.get(i).getMessage() instanceof javax.sound.midi.MetaMessage mm && mm.getType() == 0x59) return mm.getData();
            }
        }
        return null;
    }

    /** Found by the SMF fuzz target: a delta-time of more than 4 bytes wrapped to a negative time, and Note refused it (exit 1). */
    @Test
    void aTimeThatOverflowsIsACorruptFile() {
        Path file = TestPaths.root().resolve("engine/src/test/resources/dev/pianola/fuzz/MidiFuzzTestInputs/smf/delta-time-overflows.mid");
        BadInputException e = assertThrows(BadInputException.class, () -> MidiFiles.read(file));
        assertTrue(e.getMessage().startsWith(file + ": corrupt MIDI event") && e.getMessage().contains("negative"), e.getMessage());
    }
}
