package dev.pianola.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The readers' failures a fuzzer found (issue 14), through the command line: each input is taken or
 * refused with exit 3 (the user's file) or 4 (a model package) and one line naming the file; before,
 * they hung, ran out of memory or ended in a Java exception (exit 1). The inputs the fuzz targets
 * found live beside their seeds in engine/src/test/resources/dev/pianola/fuzz.
 */
class ReaderRefusalTest {
    private static final Path FOUND = Cli.root().resolve("engine/src/test/resources/dev/pianola/fuzz");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @AfterEach
    void restoreModels() {
        System.clearProperty("pianola.models");
    }

    private static void assertRefused(Cli.Run r, int code, String... mustContain) {
        assertEquals(code, r.exitCode(), r.toString());
        String line = r.err().strip();
        assertFalse(line.contains("\n"), "one line only: " + r.err());
        for (String s : mustContain) assertTrue(line.contains(s), "'" + s + "' in: " + line);
        assertFalse(line.contains("Exception"), "written for users, not a stack trace: " + line);
    }

    @Test
    @Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang guard: the FLAC and the FIFO blocked forever
    void brokenAudioIsRefusedNotHungOn() throws Exception {
        Path spins = FOUND.resolve("AudioFuzzTestInputs/flac/spins-jflac.flac");
        assertRefused(Cli.run("transcribe", spins, "-o", tmp.resolve("a.mid")), 3, spins.toString(), "broken FLAC");

        byte[] flac = Files.readAllBytes(Cli.root().resolve("tests/fixtures/audio/tone.flac"));
        flac[21] = (byte) (flac[21] & 0xF0); // STREAMINFO's total samples: 2^30
        ByteBuffer.wrap(flac, 22, 4).putInt(1 << 30);
        Path huge = Files.write(tmp.resolve("huge.flac"), flac);
        assertRefused(Cli.run("transcribe", huge, "-o", tmp.resolve("b.mid")), 3, huge.toString(), "13.5 hours");

        for (String name : new String[] {"decoder-index-error.mp3", "decoder-division-by-zero.mp3"}) {
            Path mp3 = FOUND.resolve("AudioFuzzTestInputs/mp3").resolve(name);
            assertRefused(Cli.run("transcribe", mp3, "-o", tmp.resolve("c.mid")), 3, mp3.toString(), "broken MP3 file");
        }

        Path fifo = tmp.resolve("live.wav");
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo");
        assertRefused(Cli.run("cover", fifo, "-o", tmp.resolve("d.mid")), 3, fifo.toString(), "not a regular file");
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(java.util.List.of(huge, fifo), left.sorted().toList(), "no output, no temporary file");
        }
    }

    @Test
    void aPresetOutOfRangeByOverflowIsRefused() throws Exception {
        Path preset = Files.writeString(tmp.resolve("odd.json"), "{\"highestPitch\": -2147483648}");
        assertRefused(Cli.run("cover", Cli.example(), "-o", tmp.resolve("x.mid"), "--preset", preset), 3, preset.toString(), "highestPitch");
    }

    private Path copyPackage(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
        return to;
    }

    @Test
    void modelsListShowsAPackageWithNullsAsBrokenAndTheOthers() throws Exception {
        Path store = tmp.resolve("models");
        copyPackage(Cli.root().resolve("tests/fixtures/remi-model/tiny"), store.resolve("gpt2-remi/good"));
        Path bad = copyPackage(Cli.root().resolve("tests/fixtures/remi-model/tiny"), store.resolve("gpt2-remi/nulls"));
        Path manifest = bad.resolve("pianola-model.json");
        ObjectNode m = (ObjectNode) JSON.readTree(manifest.toFile());
        ((ObjectNode) m.get("graphs")).putNull("decoder");
        ((ArrayNode) m.get("files")).addNull();
        JSON.writeValue(manifest.toFile(), m);
        System.setProperty("pianola.models", store.toString());
        Cli.Run list = Cli.run("models", "list");
        assertEquals(0, list.exitCode(), list.toString());
        assertTrue(list.out().contains("BAD: " + manifest), list.out());
        assertTrue(list.out().contains(store.resolve("gpt2-remi/good").toString()), list.out());
        assertRefused(Cli.run("continue", Cli.root().resolve("examples/demo.mid"), "-o", tmp.resolve("x.mid"), "--engine", "remi", "--model", bad),
                4, manifest.toString());
    }

    @Test
    void aNullComposerIsAModelProblem() throws Exception {
        Path pkg = copyPackage(Cli.root().resolve("tests/fixtures/pop2piano/tiny"), tmp.resolve("p2p"));
        Path composers = Files.writeString(pkg.resolve("composers.json"), "{\"composer1\": null}");
        // the manifest vouches for the file's sha256, so the edit passes the package check and reaches the reader
        Path manifest = pkg.resolve("pianola-model.json");
        ObjectNode m = (ObjectNode) JSON.readTree(manifest.toFile());
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(composers)));
        for (var f : m.get("files")) if (f.get("path").asText().equals("composers.json")) ((ObjectNode) f).put("sha256", sha);
        JSON.writeValue(manifest.toFile(), m);
        assertRefused(Cli.run("cover", Cli.example(), "--engine", "pop2piano", "--model", pkg, "-o", tmp.resolve("x.mid")),
                4, composers.toString(), "composer1");
    }

    /** 46 bytes: a note at tick 0 and one at tick 2^28. */
    static byte[] farOnsetMidi() throws Exception {
        return Files.readAllBytes(FOUND.resolve("MidiFuzzTestInputs/smf/far-onset.mid"));
    }

    @Test
    @Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang guard: this ran for hours
    void remiContinuesAPhraseWithAnOnsetFarOutInTime() throws Exception {
        Path phrase = Files.write(tmp.resolve("far.mid"), farOnsetMidi());
        Cli.Run r = Cli.run("continue", phrase, "-o", tmp.resolve("x.mid"), "--engine", "remi", "--model",
                Cli.root().resolve("tests/fixtures/remi-model/tiny"), "--bars", 2, "--seed", 1, "--quiet");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(Files.size(tmp.resolve("x.mid")) > 0);
    }
}
