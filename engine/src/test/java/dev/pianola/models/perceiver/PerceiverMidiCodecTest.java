package dev.pianola.models.perceiver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pianola.BadInputException;
import dev.pianola.midi.ControlChange;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import javax.sound.midi.MidiEvent;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-made and seeded cases of tests/fixtures/perceiver/cases.json, and bad input. */
class PerceiverMidiCodecTest {
    private static JsonNode cases(String kind) {
        return PerceiverFixtures.cases().get(kind);
    }

    @TestFactory
    List<DynamicTest> encodeEqualsEncodeMidi() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases("encode")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> PerceiverFixtures.assertIdsEqual(
                    PerceiverFixtures.ids(c.get("ids")), PerceiverMidiCodec.encode(PerceiverFixtures.instruments(c.get("instruments"))), name)));
        }
        assertTrue(tests.size() >= 50, "encode cases in the fixture: " + tests.size());
        return tests;
    }

    /**
     * The NoteSequence path: at 60 BPM beats are seconds, and the cases' times are dyadic, so the
     * sequence holds exactly the reference's seconds. The notes are handed over shuffled: the
     * codec must put them back into pretty_midi's order itself.
     */
    @TestFactory
    List<DynamicTest> encodeNoteSequenceEqualsEncodeMidi() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases("sequence")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                PrettyMidiInstrument inst = PerceiverFixtures.instruments(c.get("instruments")).get(0);
                List<Note> notes = new ArrayList<>();
                for (TimedNote n : inst.notes()) notes.add(new Note(n.pitch(), n.startSeconds(), n.endSeconds() - n.startSeconds(), n.velocity(), 0));
                Collections.shuffle(notes, new Random(name.hashCode()));
                List<ControlChange> controls = new ArrayList<>();
                for (TimedControl t : inst.controls()) controls.add(new ControlChange(t.timeSeconds(), 0, t.number(), t.value()));
                NoteSequence seq = new NoteSequence(notes, TempoMap.constant(60), List.of(TimeSignature.FOUR_FOUR), controls, List.of());
                PerceiverFixtures.assertIdsEqual(PerceiverFixtures.ids(c.get("ids")), PerceiverMidiCodec.encode(seq), name);
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> decodeEqualsDecodeMidi() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases("decode")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () ->
                    PerceiverFixtures.assertNotesEqual(c.get("notes"), PerceiverMidiCodec.decode(PerceiverFixtures.ids(c.get("ids"))), name)));
        }
        return tests;
    }

    /** The spec's worked example (symbolic.md 1.2, case 1) is what the pinned perceiver-io produced. */
    @Test
    void specExampleIsTheReference() {
        JsonNode first = cases("encode").get(0);
        assertTrue(first.get("name").asText().startsWith("spec case 1"));
        assertArrayEquals(new int[]{376, 60, 305, 188, 376, 64, 256, 376, 67, 305, 192, 355, 285, 195}, PerceiverFixtures.ids(first.get("ids")));
    }

    @Test
    void idsOutsideTheVocabularyAreRefused() {
        for (int bad : new int[]{-1, PerceiverVocab.VOCAB_SIZE, 1000}) {
            BadInputException e = assertThrows(BadInputException.class, () -> PerceiverMidiCodec.decode(new int[]{376, 60, 256, bad, 188}));
            assertTrue(e.getMessage().contains("id " + bad + " at position 3"), e.getMessage());
        }
    }

    @Test
    void playableNotesClampPadVelocityAndDropSilentNotes() {
        // velocity 0 before the first velocity token, then PAD (388) -> velocity 128
        int[] ids = {60, 256 + 9, 128 + 60, PerceiverVocab.PAD_ID, 62, 256 + 9, 128 + 62};
        List<TimedNote> decoded = PerceiverMidiCodec.decode(ids);
        assertEquals(List.of(0, 128), decoded.stream().map(TimedNote::velocity).toList());
        NoteSequence seq = PerceiverMidiCodec.toNoteSequence(decoded, TempoMap.constant(120));
        assertEquals(1, seq.notes().size());
        Note n = seq.notes().get(0);
        assertEquals(62, n.pitch());
        assertEquals(127, n.velocity());
        assertEquals(0.2, n.startBeats(), 1e-12);   // 0.1 s at 120 BPM
        assertEquals(0.2, n.durationBeats(), 1e-12);
    }

    /** Files pretty_midi cannot read are refused with the reason, not encoded some other way. */
    @Test
    void filesPrettyMidiRefusesAreBadInput() throws Exception {
        Sequence smpte = new Sequence(Sequence.SMPTE_25, 40);
        smpte.createTrack().add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 0, 60, 90), 0));
        BadInputException e = assertThrows(BadInputException.class, () -> PrettyMidiReader.fromSequence(smpte, Path.of("smpte.mid")));
        assertTrue(e.getMessage().contains("SMPTE"), e.getMessage());

        Sequence huge = oneNoteEndingAt(PerceiverVocab.PRETTY_MIDI_MAX_TICK);
        e = assertThrows(BadInputException.class, () -> PrettyMidiReader.fromSequence(huge, Path.of("huge.mid")));
        assertTrue(e.getMessage().contains("largest tick " + PerceiverVocab.PRETTY_MIDI_MAX_TICK), e.getMessage());
        // one tick less is still read
        Sequence largest = oneNoteEndingAt(PerceiverVocab.PRETTY_MIDI_MAX_TICK - 1);
        assertEquals(1, PrettyMidiReader.fromSequence(largest, Path.of("largest.mid")).get(0).notes().size());
    }

    private static Sequence oneNoteEndingAt(long tick) throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, 480);
        Track t = seq.createTrack();
        t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 0, 60, 90), 0));
        t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, 0, 60, 0), tick));
        return seq;
    }

    @Test
    void brokenMidiFileIsBadInput(@TempDir Path dir) throws IOException {
        Path empty = Files.write(dir.resolve("empty.mid"), new byte[0]);
        assertThrows(BadInputException.class, () -> PerceiverMidiCodec.encodeFile(empty));
        Path junk = Files.writeString(dir.resolve("junk.mid"), "MThd but not really");
        assertThrows(BadInputException.class, () -> PerceiverMidiCodec.encodeFile(junk));
    }

    /**
     * A time shift is at most a second, so silence costs an event a second: one tick per quarter at
     * the slowest tempo SMF can write put a note 4.7 years out (the perceiverMidi fuzz target ran
     * out of memory on such a file, its times wrapped negative).
     */
    @Test
    void musicLongerThanTheEncodingTakesIsRefusedNamingTheFile(@TempDir java.nio.file.Path dir) throws Exception {
        javax.sound.midi.Sequence seq = new javax.sound.midi.Sequence(javax.sound.midi.Sequence.PPQ, 1);
        javax.sound.midi.Track t = seq.createTrack();
        t.add(new MidiEvent(new javax.sound.midi.MetaMessage(0x51, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, 3), 0)); // 16.8 s a beat
        t.add(new MidiEvent(new javax.sound.midi.ShortMessage(javax.sound.midi.ShortMessage.NOTE_ON, 0, 60, 80), 9_000_000));
        t.add(new MidiEvent(new javax.sound.midi.ShortMessage(javax.sound.midi.ShortMessage.NOTE_OFF, 0, 60, 0), 9_000_001));
        java.nio.file.Path file = dir.resolve("years.mid");
        javax.sound.midi.MidiSystem.write(seq, 0, file.toFile());
        BadInputException e = org.junit.jupiter.api.Assertions.assertThrows(BadInputException.class, () -> PerceiverMidiCodec.encodeFile(file));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith(file + ": its music lasts 41943.") && e.getMessage().contains("at most 12"), e.getMessage());
    }
}
