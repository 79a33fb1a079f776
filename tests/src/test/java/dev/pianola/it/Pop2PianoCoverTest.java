package dev.pianola.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.audio.Audio;
import dev.pianola.audio.AudioFiles;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.render.WavWriter;
import dev.pianola.time.TempoMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code pianola cover --engine pop2piano} end to end with the tiny random-weight package of
 * tests/fixtures/pop2piano/tiny (exported by tools/export/export_pop2piano.py): the written MIDI
 * against the Hugging Face pipeline's notes, its tempo map against the given beats, batches, and
 * the bad inputs a musician will feed it.
 */
class Pop2PianoCoverTest {
    private static Path pkg;
    private static JsonNode demo;

    @BeforeAll
    static void fixture() throws IOException {
        pkg = Cli.root().resolve("tests/fixtures/pop2piano/tiny");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(Cli.root().resolve("tests/fixtures/pop2piano/model-tiny.json.gz")))) {
            for (JsonNode c : new ObjectMapper().readTree(in).get("cases")) if (c.get("name").asText().equals("demo")) demo = c;
        }
        assertNotNull(demo);
    }

    private static void assertError(Cli.Run r, int code, String... mustContain) {
        assertEquals(code, r.exitCode(), r.toString());
        String line = r.err().strip();
        assertTrue(line.startsWith("pianola: "), r.toString());
        for (String s : mustContain) assertTrue(line.contains(s), "expected '" + s + "' in: " + line);
    }

    /** A 4/4 groove at {@code bpm}: a kick on every beat, a hat between, a held chord per bar. */
    static Audio groove(double seconds, int rate, double bpm, double gain) {
        float[] x = new float[(int) (seconds * rate)];
        Random rng = new Random(5);
        double beat = 60 / bpm;
        int[][] chords = {{57, 60, 64}, {53, 57, 60}, {48, 52, 55}, {55, 59, 62}};
        for (int i = 0; i < x.length; i++) {
            double t = i / (double) rate;
            double inBeat = t % beat, inHalf = t % (beat / 2);
            double kick = Math.exp(-inBeat * 30) * Math.sin(2 * Math.PI * 55 * inBeat);
            double hat = inHalf < 0.03 ? (rng.nextDouble() * 2 - 1) * Math.exp(-inHalf * 150) * 0.3 : 0;
            int[] chord = chords[(int) (t / (4 * beat)) % chords.length];
            double pad = 0;
            for (int p : chord) pad += Math.sin(2 * Math.PI * 440 * Math.pow(2, (p - 69) / 12.0) * t) * 0.12;
            x[i] = (float) (gain * (0.6 * kick + hat + pad));
        }
        return new Audio(x, rate);
    }

    private static Path wav(Path dir, String name, Audio audio) {
        Path p = dir.resolve(name);
        WavWriter.write(audio, p, WavWriter.Depth.PCM16, false);
        return p;
    }

    @Test
    void theCoverIsTheReferencesNotesOnTheGivenBeats(@TempDir Path dir) throws IOException {
        // the fixture's demo case: examples/demo.wav's first 14 s, essentia's beats, composer1
        Audio whole = AudioFiles.read(Cli.example());
        Path clip = wav(dir, "demo14.wav", new Audio(Arrays.copyOf(whole.samples(), demo.get("samples").asInt()), whole.sampleRate()));
        StringBuilder beats = new StringBuilder("# essentia RhythmExtractor2013 on the clip (fixture)\n");
        double[] beatSeconds = new double[demo.get("beat_times").size()];
        for (int i = 0; i < beatSeconds.length; i++) {
            beatSeconds[i] = demo.get("beat_times").get(i).asDouble();
            beats.append(beatSeconds[i]).append('\n');
        }
        Path beatsFile = Files.writeString(dir.resolve("beats.txt"), beats);
        Path out = dir.resolve("demo14.piano.mid");
        Cli.Run r = Cli.run("cover", clip, "--engine", "pop2piano", "--model", pkg, "--beats", beatsFile, "-o", out, "--json");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode summary = new ObjectMapper().readTree(r.out());
        assertEquals("pop2piano", summary.get("engine").asText());
        assertEquals("composer1", summary.get("composer").asText());
        assertEquals(4, summary.get("segments").asInt());

        NoteSequence written = MidiFiles.read(out);
        TempoMap tempo = written.tempo();
        // bars line up: every given beat is a whole beat of the file's tempo map
        for (int k = 0; k < beatSeconds.length; k++) {
            double b = tempo.beatsAt(beatSeconds[k]);
            assertEquals(Math.rint(b), b, 2e-3, "beat " + k + " at " + beatSeconds[k] + " s falls at beat " + b + " of the MIDI file");
            if (k > 0) assertEquals(1.0, b - tempo.beatsAt(beatSeconds[k - 1]), 2e-3, "beat " + k);
        }
        // the notes are the reference's, to the MIDI file's tick resolution
        JsonNode ref = null;
        for (JsonNode g : demo.get("generations")) if (g.get("composer").asText().equals("composer1")) ref = g.get("notes");
        assertNotNull(ref);
        List<double[]> expected = new ArrayList<>(), actual = new ArrayList<>();
        for (JsonNode n : ref) expected.add(new double[] {n.get(0).asInt(), n.get(1).asInt(), n.get(2).asDouble(), n.get(3).asDouble()});
        for (Note n : written.notes()) {
            actual.add(new double[] {n.pitch(), n.velocity(), tempo.secondsAt(n.startBeats()), tempo.secondsAt(n.endBeats())});
        }
        assertEquals(expected.size(), actual.size(), "note count");
        java.util.Comparator<double[]> order = java.util.Comparator.<double[]>comparingDouble(a -> a[2]).thenComparingDouble(a -> a[0]).thenComparingDouble(a -> a[3]);
        expected.sort(order);
        actual.sort(order);
        int endsChecked = 0;
        for (int i = 0; i < expected.size(); i++) {
            double[] e = expected.get(i), a = actual.get(i);
            assertEquals(e[0], a[0], "pitch of note " + i);
            assertEquals(e[1], a[1], "velocity of note " + i);
            assertEquals(e[2], a[2], 2e-3, "start of note " + i);
            // a MIDI file cannot hold two sounding notes of one pitch apart: the first note-off ends
            // the earlier note, in any reader. Ends are compared where no same-pitch note overlaps.
            boolean overlapped = false;
            for (double[] o : expected) overlapped |= o != e && o[0] == e[0] && o[2] < e[3] && e[2] < o[3];
            if (!overlapped) {
                assertEquals(e[3], a[3], 2e-3, "end of note " + i);
                endsChecked++;
            }
        }
        assertTrue(endsChecked >= expected.size() / 2, "ends checked: " + endsChecked + " of " + expected.size());
    }

    @Test
    void aBatchWritesOneCoverPerSongAndABadSongCostsOnlyItself(@TempDir Path dir) {
        Path a = wav(dir, "a.wav", groove(12, 22050, 100, 0.5));
        Path b = wav(dir, "b.wav", groove(10, 44100, 128, 0.5));
        Path silent = wav(dir, "silent.wav", new Audio(new float[44100 * 5], 44100));
        Path covers = dir.resolve("covers");
        Cli.Run r = Cli.run("cover", a, silent, b, "--engine", "pop2piano", "--model", pkg, "--out-dir", covers, "--composer", "composer7");
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("silent.wav: is silent"), r.toString());
        assertTrue(r.err().contains("covered 2 of 3 songs"), r.toString());
        assertTrue(Files.isRegularFile(covers.resolve("a.piano.mid")), r.toString());
        assertTrue(Files.isRegularFile(covers.resolve("b.piano.mid")), r.toString());
        assertFalse(Files.exists(covers.resolve("silent.piano.mid")));
        // the tracker found each song's own tempo
        assertEquals(100, MidiFiles.read(covers.resolve("a.piano.mid")).tempo().bpmAt(8), 3);
        assertEquals(128, MidiFiles.read(covers.resolve("b.piano.mid")).tempo().bpmAt(8), 3);
    }

    @Test
    void silenceAndClipsShorterThanTwoBarsAreRefusedClearly(@TempDir Path dir) {
        Path silent = wav(dir, "silence.wav", new Audio(new float[22050 * 20], 22050));
        assertError(Cli.run("cover", silent, "--engine", "pop2piano", "--model", pkg, "--bpm", "120"), 3, "silence.wav", "is silent");
        Path shortClip = wav(dir, "two-seconds.wav", groove(2, 44100, 120, 0.5));
        assertError(Cli.run("cover", shortClip, "--engine", "pop2piano", "--model", pkg, "--bpm", "120"), 3,
                "two-seconds.wav", "too short", "two 4/4 bars");
        assertFalse(Files.exists(dir.resolve("two-seconds.piano.mid")));
    }

    @Test
    void lowRateAndClippingAreCoveredWithAWarning(@TempDir Path dir) throws IOException {
        Path phone = wav(dir, "phone.wav", groove(12, 8000, 110, 0.5));
        Cli.Run r = Cli.run("cover", phone, "--engine", "pop2piano", "--model", pkg, "--bpm", "110");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("8000 Hz"), r.toString());
        assertEquals(110, MidiFiles.read(dir.resolve("phone.piano.mid")).tempo().bpmAt(4), 1e-3);

        Path loud = wav(dir, "loud.wav", groove(12, 44100, 110, 4.0)); // clamped to full scale when written
        r = Cli.run("cover", loud, "--engine", "pop2piano", "--model", pkg, "--bpm", "110");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("clips"), r.toString());
        assertTrue(Files.size(dir.resolve("loud.piano.mid")) > 0);
    }

    @Test
    void aTenMinuteSongIsCoveredInChunks(@TempDir Path dir) throws IOException {
        Path longSong = wav(dir, "ten-minutes.wav", groove(600, 22050, 120, 0.5));
        Cli.Run r = Cli.run("cover", longSong, "--engine", "pop2piano", "--model", pkg, "--bpm", "120", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode summary = new ObjectMapper().readTree(r.out());
        // 1200 beats at 120 BPM in 600 s: 2401 half-beat steps, cut every 8 steps (4 beats; the
        // reference's "bar" is 2 beats), the last segment a short one
        assertEquals(301, summary.get("segments").asInt(), r.out());
        assertEquals(600, summary.get("audioSeconds").asDouble(), 1e-6);
        NoteSequence written = MidiFiles.read(dir.resolve("ten-minutes.piano.mid"));
        assertEquals(120, written.tempo().bpmAt(1000), 1e-3);
    }

    @Test
    void wrongComposerAndFlagsOfTheOtherEngineAreRefusedBeforeAnyWork(@TempDir Path dir) {
        Path song = wav(dir, "song.wav", groove(12, 22050, 100, 0.5));
        assertError(Cli.run("cover", song, "--engine", "pop2piano", "--model", pkg, "--composer", "mozart"), 3,
                "no composer 'mozart'", "composer1", "composer21");
        assertFalse(Files.exists(dir.resolve("song.piano.mid")));
        // without --model, the installed package; none installed here: how to install it
        System.setProperty("pianola.models", dir.resolve("empty-store").toString());
        try {
            assertError(Cli.run("cover", song, "--engine", "pop2piano"), 4, "pianola models install pop2piano");
        } finally {
            System.clearProperty("pianola.models");
        }
        assertError(Cli.run("cover", song, "--engine", "pop2piano", "--model", pkg, "--preset", "simple"), 2, "--preset", "basic-pitch");
        assertError(Cli.run("cover", song, "--composer", "composer2"), 2, "--engine pop2piano");
        assertError(Cli.run("cover", song, song, "-o", dir.resolve("x.mid"), "--engine", "pop2piano", "--model", pkg), 2, "--out-dir");
        assertError(Cli.run("cover", song, "--engine", "lol"), 3, "basic-pitch or pop2piano");
        assertError(Cli.run("cover", song, "--engine", "pop2piano", "--model", dir), 4, "pianola-model.json");
    }
}
