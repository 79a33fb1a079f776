package dev.pianola.it;

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
        assertError(Cli.run("transcribe", text, "-o", tmp.resolve("x.mid")), 3, text.toString());
        byte[] wav = Files.readAllBytes(Cli.example());
        Path truncated = Files.write(tmp.resolve("truncated.wav"), Arrays.copyOf(wav, wav.length / 2));
        assertError(Cli.run("cover", truncated, "-o", tmp.resolve("x.mid")), 3, truncated.toString(), "truncated");
        Path missing = tmp.resolve("missing.wav");
        assertError(Cli.run("cover", missing, "-o", tmp.resolve("x.mid")), 3, missing.toString());
        assertFalse(Files.exists(tmp.resolve("x.mid")), "no output for bad input");
    }

    @Test
    void corruptAndMissingModel() throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        System.setProperty("pianola.models", models.toString());
        assertError(Cli.run("transcribe", Cli.example(), "-o", tmp.resolve("x.mid")), 4, "nmp.onnx", "scripts/setup");
        Path onnx = Files.createDirectories(models.resolve("basic-pitch")).resolve("nmp.onnx");
        byte[] real = Files.readAllBytes(Cli.root().resolve("../shared/models/basic-pitch/nmp.onnx").normalize());
        Files.write(onnx, Arrays.copyOf(real, real.length / 2));
        assertError(Cli.run("transcribe", Cli.example(), "-o", tmp.resolve("x.mid")), 4, onnx.toString());
        assertFalse(Files.exists(tmp.resolve("x.mid")));
    }

    @Test
    void absurdParametersAreUsageOrInputErrors() {
        Path out = tmp.resolve("x.mid");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--bpm", "0"), 3, "--bpm");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--onset-threshold", "7"), 3, "onset threshold");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--max-polyphony", "50"), 3, "maxPolyphony");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--key", "H#q"), 3, "H#q");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--grid", "1/7"), 3, "--grid");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--preset", "nosuch"), 3, "nosuch");
        assertError(Cli.run("cover", Cli.example(), "-o", out, "--device", "tpu"), 2, "--device");
        assertError(Cli.run("cover", Cli.example(), "--no-such-option"), 2, "--no-such-option");
        assertError(Cli.run("render", Cli.corpus("midi/piano/Maestro_1.mid"), "-o", tmp.resolve("y.wav"), "--sample-rate", "12"), 3, "--sample-rate");
        assertError(Cli.run("cover"), 2, "AUDIO");
        assertFalse(Files.exists(out));
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
