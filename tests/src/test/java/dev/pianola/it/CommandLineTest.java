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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a script or a new user meets it: exit codes, check order, output formats, JSON Lines, previews, lengths. */
class CommandLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The demo song's first {@code seconds}, as a short song of its own. */
    private Path excerpt(String name, double seconds) {
        Audio demo = AudioFiles.read(Cli.example());
        float[] samples = Arrays.copyOf(demo.samples(), (int) (seconds * demo.sampleRate()));
        Path wav = tmp.resolve(name);
        WavWriter.write(new Audio(samples, demo.sampleRate()), wav, WavWriter.Depth.PCM16, false);
        return wav;
    }

    private Path phrase() {
        List<Note> notes = new ArrayList<>();
        for (int i = 0; i < 16; i++) notes.add(new Note(60 + (i % 5) * 2, i * 0.5, 0.45, 80));
        Path mid = tmp.resolve("phrase.mid");
        MidiFiles.write(new NoteSequence(notes, TempoMap.constant(120)), mid, true);
        return mid;
    }

    private static List<JsonNode> lines(String out) throws Exception {
        List<JsonNode> objects = new ArrayList<>();
        for (String line : out.strip().split("\n")) objects.add(JSON.readTree(line));
        return objects;
    }

    @Test
    void aBadOptionValueIsExit3EverywhereAndComesBeforeAnOutputThatExists() throws Exception {
        Path song = excerpt("song.wav", 3);
        Path exists = Files.writeString(tmp.resolve("song.piano.mid"), "mine");
        Cli.Run r = Cli.run("cover", song, "--engine", "foo");
        assertEquals(3, r.exitCode(), r.toString());
        r = Cli.run("continue", phrase(), "--engine", "foo");
        assertEquals(3, r.exitCode(), r.toString());
        r = Cli.run("cover", song, "-o", exists, "--max-polyphony", "99");
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--max-polyphony"), r.err());
        r = Cli.run("continue", phrase(), "-o", exists, "--temperature", "-1");
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--temperature"), r.err());
        assertEquals("mine", Files.readString(exists));
        // a command that writes no file has no --force to offer
        assertEquals(2, Cli.run("models", "list", "--force").exitCode());
    }

    @Test
    void anOutputNamedForAnotherFormatIsRefusedAndAJpegIsAJpeg() throws Exception {
        Path song = excerpt("song.wav", 3);
        Cli.Run r = Cli.run("cover", song, "-o", tmp.resolve("a.mid"), "--render", tmp.resolve("a.mp3"));
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("a.mp3") && r.err().contains(".wav"), r.err());
        r = Cli.run("render", phrase(), "-o", tmp.resolve("r.flac"));
        assertEquals(3, r.exitCode(), r.toString());
        r = Cli.run("cover", song, "-o", tmp.resolve("a.png"));
        assertEquals(3, r.exitCode(), "a MIDI file named .png: " + r);
        assertFalse(Files.exists(tmp.resolve("a.mid")), "nothing written");
        r = Cli.run("continue", phrase(), "-o", tmp.resolve("b.mid"), "--piano-roll", tmp.resolve("b.jpg"), "--seed", "1", "-q");
        assertEquals(0, r.exitCode(), r.toString());
        byte[] jpeg = Files.readAllBytes(tmp.resolve("b.jpg"));
        assertEquals(0xFF, jpeg[0] & 0xFF);
        assertEquals(0xD8, jpeg[1] & 0xFF, "JPEG's start-of-image marker");
    }

    @Test
    void renderMaxSecondsIsExactAndItsJsonSaysTheFilesLength() throws Exception {
        List<Note> notes = new ArrayList<>();
        for (int i = 0; i < 40; i++) notes.add(new Note(60 + i % 12, i, 1, 80));
        Path song = tmp.resolve("long.mid");
        MidiFiles.write(new NoteSequence(notes, TempoMap.constant(120)), song, false);
        Cli.Run r = Cli.run("render", song, "-o", tmp.resolve("cut.wav"), "--max-seconds", "5", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        double fileSeconds = AudioFiles.info(tmp.resolve("cut.wav")).seconds();
        assertEquals(5.0, fileSeconds, 1e-3);
        r = Cli.run("render", song, "-o", tmp.resolve("whole.wav"), "--json");
        assertEquals(AudioFiles.info(tmp.resolve("whole.wav")).seconds(), lines(r.out()).get(0).get("audioSeconds").asDouble(), 1e-3);
    }

    @Test
    void aBatchPrintsOneJsonLinePerSongFailuresIncludedAndMakesPreviews() throws Exception {
        Path a = excerpt("a.wav", 4), b = excerpt("b.wav", 4);
        Path bad = Files.writeString(tmp.resolve("c.wav"), "not audio");
        Path out = tmp.resolve("covers");
        Cli.Run r = Cli.run("cover", a, bad, b, "--out-dir", out, "--previews", "--json", "-q");
        assertEquals(3, r.exitCode(), "the first failure's code: " + r);
        List<JsonNode> lines = lines(r.out());
        assertEquals(3, lines.size(), r.out());
        assertEquals(a.toString(), lines.get(0).get("input").asText());
        assertTrue(lines.get(1).get("error").asText().contains("c.wav"), lines.get(1).toString());
        assertEquals(3, lines.get(1).get("exitCode").asInt());
        for (String name : List.of("a", "b")) {
            for (String ext : List.of(".piano.mid", ".piano.wav", ".piano.png")) assertTrue(Files.isRegularFile(out.resolve(name + ext)), name + ext);
        }
        // a command that fails says so on standard output too
        r = Cli.run("continue", tmp.resolve("missing.mid"), "--json");
        assertEquals(3, r.exitCode());
        assertEquals(3, lines(r.out()).get(0).get("exitCode").asInt(), r.out());
    }

    @Test
    void continuesJsonSaysHowLongTheMusicIs() throws Exception {
        Cli.Run r = Cli.run("continue", phrase(), "-o", tmp.resolve("more.mid"), "--bars", "2", "--json", "-q");
        assertEquals(0, r.exitCode(), r.toString());
        double seconds = lines(r.out()).get(0).get("audioSeconds").asDouble();
        double expected = MidiFiles.read(tmp.resolve("more.mid")).tempo().secondsAt(MidiFiles.read(tmp.resolve("more.mid")).endBeats());
        assertEquals(expected, seconds, 1e-3);
    }

    @Test
    void verboseShowsNoEngineDebugLines() {
        Cli.Run r = Cli.run("continue", phrase(), "-o", tmp.resolve("v.mid"), "--verbose");
        assertEquals(0, r.exitCode(), r.toString());
        assertFalse(r.err().contains("[DEBUG]"), r.err());
    }

    /**
     * Stopped in the middle (SIGTERM, as Ctrl-C ends a job: shutdown hooks run): no half set of
     * outputs, no temporary file or staging folder left, so the same command can simply run again.
     * The job renders a long answer, so it is stopped while its audio preview is being written.
     */
    @Test
    void aJobStoppedMidwayLeavesNothingBehind() throws Exception {
        Path phrase = phrase(), out = Files.createDirectories(tmp.resolve("out"));
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "-Xmx1g", "-Djava.awt.headless=true", "--add-exports", "java.desktop/com.sun.media.sound=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.pianola.cli.Main", "continue", phrase.toString(), "-o", out.resolve("long.mid").toString(),
                "--bars", "256", "--seed", "1", "--render", out.resolve("long.wav").toString(), "--piano-roll", out.resolve("long.png").toString(), "-q")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("log.txt").toFile()).start();
        long until = System.nanoTime() + 60_000_000_000L;
        while (p.isAlive() && System.nanoTime() < until) {
            try (java.util.stream.Stream<Path> s = Files.list(out)) {
                if (s.findAny().isPresent()) break; // the outputs are being written
            }
            Thread.sleep(20);
        }
        Thread.sleep(300);
        org.junit.jupiter.api.Assumptions.assumeTrue(p.isAlive(), "the job ended before it could be stopped: " + Files.readString(tmp.resolve("log.txt")));
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "it stops");
        try (java.util.stream.Stream<Path> s = Files.list(out)) {
            assertEquals(List.of(), s.map(x -> x.getFileName().toString()).toList(), "nothing left: no outputs, no temporary files");
        }
    }
}
