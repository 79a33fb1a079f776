package dev.pianola.it;

import dev.pianola.runtime.ModelStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** Every kind of bad input: the right exit code, one line naming the file and the problem, nothing lost. */
class BadInputTest {
    @TempDir
    Path tmp;

    @AfterEach
    void restoreModels() {
        System.clearProperty("pianola.models");
    }

    private static void assertError(Cli.Run r, int code, String... mustContain) {
        assertEquals(code, r.exitCode(), r.toString());
        String line = r.err().strip();
        assertFalse(line.contains("\n"), "one line only: " + r.err());
        assertTrue(line.startsWith("pianola: "), line);
        for (String s : mustContain) assertTrue(line.contains(s), "'" + s + "' in: " + line);
        assertFalse(line.contains("Exception"), "written for users, not a stack trace: " + line);
    }

    @Test
    void corruptAndEmptyMidi() {
        Path corrupt = Cli.corpus("midi/bad/ValueError_Control168.mid");
        assertError(Cli.run("render", corrupt, "-o", tmp.resolve("a.wav")), 3, corrupt.toString(), "corrupt");
        assertFalse(Files.exists(tmp.resolve("a.wav")));
        // a valid file with no notes renders to a short silence: that is not an error
        Cli.Run r = Cli.run("render", Cli.corpus("midi/bad/empty.mid"), "-o", tmp.resolve("empty.wav"), "--quiet");
        assertEquals(0, r.exitCode(), r.toString());
    }

    @Test
    void badAudioFiles() throws Exception {
        Path empty = Files.write(tmp.resolve("empty.wav"), new byte[0]);
        assertError(Cli.run("cover", empty, "-o", tmp.resolve("x.mid")), 3, empty.toString(), "empty");
        Path text = Files.writeString(tmp.resolve("notes.wav"), "these are my lyrics, not audio\n");
        assertError(Cli.run("transcribe", text, "-o", tmp.resolve("x.mid")), 3, text.toString(), "not a WAV file");
        Path nan = Files.write(tmp.resolve("nan.wav"), floatWav(new float[]{0.1f, Float.NaN, 0.2f, Float.POSITIVE_INFINITY}));
        assertError(Cli.run("cover", nan, "-o", tmp.resolve("x.mid")), 3, nan.toString());
        byte[] wav = Files.readAllBytes(Cli.example());
        Path truncated = Files.write(tmp.resolve("truncated.wav"), Arrays.copyOf(wav, wav.length / 2));
        assertError(Cli.run("cover", truncated, "-o", tmp.resolve("x.mid")), 3, truncated.toString(), "truncated");
        Path missing = tmp.resolve("missing.wav");
        assertError(Cli.run("cover", missing, "-o", tmp.resolve("x.mid")), 3, missing.toString());
        assertFalse(Files.exists(tmp.resolve("x.mid")), "no output for bad input");
    }

    @Test
    void corruptAndMissingModel() throws Exception {
        byte[] real = Files.readAllBytes(ModelStore.locate().basicPitch());
        Path models = Files.createDirectories(tmp.resolve("models"));
        System.setProperty("pianola.models", models.toString());
        assertError(Cli.run("transcribe", Cli.example(), "-o", tmp.resolve("x.mid")), 4, "nmp.onnx", "scripts/setup");
        Path onnx = Files.createDirectories(models.resolve("basic-pitch")).resolve("nmp.onnx");
        Files.write(onnx, Arrays.copyOf(real, real.length / 2));
        assertError(Cli.run("transcribe", Cli.example(), "-o", tmp.resolve("x.mid")), 4, onnx.toString());
        assertFalse(Files.exists(tmp.resolve("x.mid")));
    }

    @Test
    void absurdParametersAreUsageOrInputErrors() {
        Path out = tmp.resolve("x.mid");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--bpm", "0"), 3, "--bpm");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--onset-threshold", "7"), 3, "onset threshold");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--max-polyphony", "50"), 3, "--max-polyphony");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--hand-span", "40"), 3, "--hand-span");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--beats", "b.txt", "--first-beat", "0.5"), 2, "--first-beat and --beats");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--min-hz", "900", "--max-hz", "100"), 3, "900");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--bpm", "96", "--beats", "b.txt"), 2, "mutually exclusive");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--key", "H#q"), 3, "H#q");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--grid", "1/7"), 3, "--grid");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--preset", "nosuch"), 3, "nosuch");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--device", "tpu"), 3, "--device");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--bpm", "fast"), 2, "fast");
        assertError(Cli.run("cover", Cli.example(), "--no-such-option"), 2, "--no-such-option");
        assertError(Cli.run("render", Cli.corpus("midi/piano/Maestro_1.mid"), "-o", tmp.resolve("y.wav"), "--sample-rate", "12"), 3, "--sample-rate");
        assertError(Cli.run("cover"), 2, "AUDIO");
        assertFalse(Files.exists(out));
    }

    @Test
    void beatFiles() throws Exception {
        Path out = tmp.resolve("x.mid");
        Path words = Files.writeString(tmp.resolve("words.txt"), "0.5\n1.0\nsoon\n");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--beats", words), 3, words.toString(), "line 3", "soon");
        Path backwards = Files.writeString(tmp.resolve("back.txt"), "0.5 1.0 0.9\n");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--beats", backwards), 3, backwards.toString(), "increase");
        Path slow = Files.writeString(tmp.resolve("slow.txt"), "0\n100\n");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--beats", slow), 3, slow.toString(), "BPM");
        Path one = Files.writeString(tmp.resolve("one.txt"), "# just one\n1.0\n");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--beats", one), 3, one.toString(), "two beat times");
        Path missing = tmp.resolve("nobeats.txt");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--beats", missing), 3, missing.toString(), "no such file");
        assertFalse(Files.exists(out));
    }

    @Test
    void outputsThatClashAreRefused() throws Exception {
        Path same = tmp.resolve("same.mid");
        assertError(Cli.run("cover", Cli.example(), "-o", same, "--piano-roll", same), 2, "two outputs");
        assertError(Cli.run("cover", Cli.example(), "-o", tmp.resolve("x.mid"), "--piano-roll", tmp.resolve("roll.mid")), 3, "PNG or JPEG");
        Path song = Files.copy(Cli.root().resolve("examples/demo.mid"), tmp.resolve("song.mid")); // a copy: this test must never risk the example
        byte[] before = Files.readAllBytes(song);
        assertError(Cli.run("render", song, "-o", tmp.resolve(".").resolve("song.mid"), "--force"), 2, "is the input");
        assertArrayEquals(before, Files.readAllBytes(song));
        assertFalse(Files.exists(same));
    }

    @Test
    void aMissingSoundFontIsRefusedBeforeTheLongWork() {
        Path sf = tmp.resolve("nope.sf2");
        assertError(Cli.run("cover", Cli.example(), "-o", tmp.resolve("c.mid"), "--render", tmp.resolve("c.wav"), "--soundfont", sf), 3, sf.toString());
        assertFalse(Files.exists(tmp.resolve("c.mid")), "nothing written when a later step was bound to fail");
    }

    /** A 32-bit float mono WAV at 22050 Hz. */
    static byte[] floatWav(float[] samples) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44 + 4 * samples.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 4 * samples.length).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 3).putShort((short) 1).putInt(22050).putInt(22050 * 4).putShort((short) 4).putShort((short) 32);
        b.put("data".getBytes()).putInt(4 * samples.length);
        for (float f : samples) b.putFloat(f);
        return b.array();
    }

    @Test
    void existingOutputsAreNeverOverwrittenWithoutForce() throws Exception {
        Path mine = Files.writeString(tmp.resolve("mine.wav"), "my mix");
        Cli.Run r = Cli.run("render", Cli.corpus("midi/bad/empty.mid"), "-o", mine);
        assertError(r, 2, mine.toString(), "--force");
        assertEquals("my mix", Files.readString(mine));
        Path roll = Files.writeString(tmp.resolve("roll.png"), "my picture");
        assertError(Cli.run("cover", Cli.example(), "-o", tmp.resolve("new.mid"), "--piano-roll", roll), 2, roll.toString());
        assertEquals("my picture", Files.readString(roll));
        assertFalse(Files.exists(tmp.resolve("new.mid")), "refused before any work, nothing half-written");
    }
}
