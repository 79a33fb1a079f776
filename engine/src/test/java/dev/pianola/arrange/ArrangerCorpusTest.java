package dev.pianola.arrange;

import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import org.junit.jupiter.api.Test;

import javax.sound.midi.MetaMessage;
import javax.sound.midi.Sequence;
import javax.sound.midi.Track;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import dev.pianola.TestPaths;

import java.util.List;
import java.util.stream.Stream;

import static dev.pianola.arrange.Playability.assertPlayable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The arranger on real music nobody here wrote: the shared corpus, every pitched channel merged into one dense part. */
class ArrangerCorpusTest {
    static Path corpus() {
        return TestPaths.corpus("midi");
    }

    static List<Path> files(String folder) {
        try (Stream<Path> s = Files.list(corpus().resolve(folder))) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".mid")).sorted().toList();
            if (files.isEmpty()) fail("no .mid files in " + corpus().resolve(folder));
            return files;
        } catch (IOException e) {
            throw new AssertionError("cannot list " + folder, e);
        }
    }

    /** Every non-drum note of the file on one channel: the densest input the arranger could get. */
    static NoteSequence merged(Path file) {
        NoteSequence s = MidiFiles.read(file);
        List<Note> notes = new ArrayList<>();
        for (Note n : s.notes()) if (n.channel() != 9) notes.add(n.withChannel(0));
        assertTrue(notes.size() > 20, file + " has notes");
        return s.withNotes(notes);
    }

    @Test
    void everyCorpusFileBecomesPlayableUnderEveryPreset() {
        List<Path> all = new ArrayList<>(files("piano"));
        all.addAll(files("multitrack"));
        for (Path file : all) {
            NoteSequence in = merged(file);
            int peak = Playability.maxSounding(in.notes());
            for (String preset : List.of("default", "simple", "full")) {
                ArrangeOptions o = ArrangePresets.load(preset);
                Arrangement a = Arranger.arrange(in, o);
                String what = file.getFileName() + " [" + preset + "]";
                assertPlayable(a, o, what);
                assertEquals(in.tempo().changes(), a.notes().tempo().changes(), what + ": tempo map kept");
                assertEquals(in.timeSignatures(), a.notes().timeSignatures(), what + ": meters kept");
                assertTrue(a.report().notesOut() > a.report().notesIn() / 10, what + ": an arrangement, not silence: " + a.report().summary());
                if (preset.equals("default")) {
                    System.out.printf("%s: input peak polyphony %d%n%s", file.getFileName(), peak, a.report().summary());
                }
            }
        }
    }

    /**
     * Files whose key is known independently of the detector:
     * <ul>
     * <li>Mr_Blue_Sky.mid: the file's own key-signature event says one flat, major (F major), ELO's
     *     song is published in F major, and the bass part starts and ends on F.</li>
     * <li>I_Gotta_Feeling.mid: the song is in G major (its loop is G - C - Em - C); the file's bass
     *     part starts and ends on G and dwells on C, G, E, D.</li>
     * <li>Funkytown.mid: the file's key-signature event says no accidentals, major (C major), and
     *     the bass part starts and ends on C, its most-played pitch class.</li>
     * </ul>
     * The key signatures are read from the files here, so the test states where the answer comes from.
     */
    @Test
    void detectsTheKeyOfCorpusSongsWithAKnownKey() throws Exception {
        Path dir = corpus().resolve("multitrack");
        assertEquals(new KeySignature(-1, false), keySignature(dir.resolve("Mr_Blue_Sky.mid")));
        assertEquals(new KeySignature(0, false), keySignature(dir.resolve("Funkytown.mid")));
        assertEquals(Key.parse("F"), KeyDetector.detect(merged(dir.resolve("Mr_Blue_Sky.mid")).notes()).withoutCorrelation());
        assertEquals(Key.parse("G"), KeyDetector.detect(merged(dir.resolve("I_Gotta_Feeling.mid")).notes()).withoutCorrelation());
        assertEquals(Key.parse("C"), KeyDetector.detect(merged(dir.resolve("Funkytown.mid")).notes()).withoutCorrelation());
        // and the arranger reports it
        Arrangement a = Arranger.arrange(merged(dir.resolve("Mr_Blue_Sky.mid")), ArrangeOptions.defaults());
        assertEquals(Key.parse("F"), a.report().key().withoutCorrelation());
        assertTrue(a.report().keyDetected());
    }

    @Test
    void scaleSnapOnARealSongPutsEveryNoteInTheDetectedKey() {
        for (Path file : List.of(corpus().resolve("multitrack/Mr_Blue_Sky.mid"), corpus().resolve("piano/Maestro_2.mid"))) {
            ArrangeOptions o = ArrangeOptions.defaults().withScaleSnap(null);
            Arrangement a = Arranger.arrange(merged(file), o);
            Key key = a.report().key();
            assertPlayable(a, o, file.getFileName() + " snapped");
            assertTrue(a.report().snappedToKey() > 0, "a real song has chromatic notes: " + file.getFileName());
            for (Note n : a.notes().notes()) assertTrue(key.contains(n.pitch()), file.getFileName() + ": " + n + " not in " + key);
        }
    }

    @Test
    void sameInputSameArrangement() {
        NoteSequence in = merged(corpus().resolve("multitrack/Mr_Blue_Sky.mid"));
        Arrangement a = Arranger.arrange(in, ArrangeOptions.defaults()), b = Arranger.arrange(in, ArrangeOptions.defaults());
        assertEquals(a.notes().notes(), b.notes().notes());
        assertEquals(a.report(), b.report());
    }

    /** Sharps (+) or flats (-) and minor flag of the first key-signature meta event (FF 59), read with javax.sound.midi. */
    record KeySignature(int sharps, boolean minor) {}

    static KeySignature keySignature(Path file) {
        Sequence seq = MidiFiles.readSequence(file);
        for (Track track : seq.getTracks()) {
            for (int i = 0; i < track.size(); i++) {
                if (track.get(i).getMessage() instanceof MetaMessage m && m.getType() == 0x59) {
                    byte[] d = m.getData();
                    return new KeySignature(d[0], d[1] != 0);
                }
            }
        }
        return null;
    }
}
