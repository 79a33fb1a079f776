package dev.pianola.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** pianola continue through the CLI: the default engine, reproducibility, and bad input. */
class ContinueTest {
    @TempDir
    Path tmp;

    @Test
    void theContinuatorAnswersAfterThePhraseReproducibly() throws Exception {
        Path phrase = Cli.corpus("midi/piano/POP909_010.mid");
        Path a = tmp.resolve("a.mid"), b = tmp.resolve("b.mid"), c = tmp.resolve("c.mid");
        Cli.Run run = Cli.run("continue", phrase, "-o", a, "--bars", 8, "--seed", 7, "--json", "--quiet");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(0, Cli.run("continue", phrase, "-o", b, "--bars", 8, "--seed", 7, "--quiet").exitCode());
        assertEquals(0, Cli.run("continue", phrase, "-o", c, "--bars", 8, "--seed", 8, "--quiet").exitCode());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "same seed, same answer");
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)), "another seed, another answer");

        NoteSequence source = MidiFiles.read(phrase), out = MidiFiles.read(a);
        List<Note> answer = out.notes().stream().filter(n -> n.channel() == 1).toList();
        List<Note> kept = out.notes().stream().filter(n -> n.channel() == 0).toList();
        assertEquals(source.notes().size(), kept.size(), "the phrase is kept on track 1");
        assertEquals(new ObjectMapper().readTree(run.out()).get("notes").asInt(), answer.size());
        assertTrue(answer.size() > 8, "an answer of some substance: " + answer.size());
        double end = source.endBeats();
        for (Note n : answer) {
            assertTrue(n.startBeats() >= end - 1e-9 && n.endBeats() <= end + 8 * 4 + 1e-9, "inside the 8 bars after the phrase: " + n);
        }

        Path only = tmp.resolve("only.mid");
        assertEquals(0, Cli.run("continue", phrase, "-o", only, "--bars", 8, "--seed", 7, "--continuation-only", "--quiet").exitCode());
        assertEquals(answer, MidiFiles.read(only).notes());
    }

    /** The example: E D C D | E E E over two bars, which used to come back as 24 E's in a row. */
    @Test
    void eachRunAnswersAShortPhraseAnewAndItsSeedPlaysItAgain() throws Exception {
        Path phrase = tmp.resolve("phrase.mid");
        int[] pitches = {64, 62, 60, 62, 64, 64, 64};
        List<Note> notes = new java.util.ArrayList<>();
        for (int i = 0; i < pitches.length; i++) notes.add(new Note(pitches[i], i, i == 6 ? 2 : 1, 80));
        MidiFiles.write(new NoteSequence(notes, dev.pianola.time.TempoMap.constant(120)), phrase, false);

        Path a = tmp.resolve("a.mid"), b = tmp.resolve("b.mid"), again = tmp.resolve("again.mid");
        Cli.Run first = Cli.run("continue", phrase, "-o", a, "--bars", 8, "--json", "--quiet");
        Cli.Run second = Cli.run("continue", phrase, "-o", b, "--bars", 8, "--json", "--quiet");
        assertEquals(0, first.exitCode(), first.toString());
        assertEquals(0, second.exitCode(), second.toString());
        long seed = new ObjectMapper().readTree(first.out()).get("seed").asLong();
        assertNotEquals(seed, new ObjectMapper().readTree(second.out()).get("seed").asLong(), "each run draws its own seed");
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)), "two runs, two answers");
        assertEquals(0, Cli.run("continue", phrase, "-o", again, "--bars", 8, "--seed", seed, "--quiet").exitCode());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(again), "the printed seed plays the answer again");

        List<Note> answer = MidiFiles.read(a).notes().stream().filter(n -> n.channel() == 1).toList();
        assertTrue(dev.pianola.models.continuator.ContinuationMetrics.longestRepeat(answer) <= 5, "no run of one note: " + answer);
        assertTrue(dev.pianola.models.continuator.ContinuationMetrics.distinctPitches(answer) >= 3, "more than two pitches: " + answer);
    }

    @Test
    void theNeuralEnginesRunFromTheirPackages() throws Exception {
        Path phrase = Cli.corpus("midi/piano/perceiver_prompt_1.mid");
        Path remi = Cli.root().resolve("tests/fixtures/remi-model/tiny"), perceiver = Cli.root().resolve("tests/fixtures/perceiver-ar/tiny");
        Path a = tmp.resolve("remi-a.mid"), b = tmp.resolve("remi-b.mid");
        Cli.Run run = Cli.run("continue", phrase, "-o", a, "--engine", "remi", "--model", remi, "--bars", 4, "--seed", 3, "--json", "--quiet");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(0, Cli.run("continue", phrase, "-o", b, "--engine", "remi", "--model", remi, "--bars", 4, "--seed", 3, "--quiet").exitCode());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "same seed, same answer");
        NoteSequence source = MidiFiles.read(phrase), out = MidiFiles.read(a);
        List<Note> answer = out.notes().stream().filter(n -> n.channel() == 1).toList();
        assertEquals(new ObjectMapper().readTree(run.out()).get("notes").asInt(), answer.size());
        assertFalse(answer.isEmpty(), "the tiny model's tokens decode to notes (its seed 3 answer has notes)");
        for (Note n : answer) assertTrue(n.startBeats() >= source.endBeats() - 1e-6 && n.endBeats() <= source.endBeats() + 16 + 1e-6, n.toString());

        Path p = tmp.resolve("perceiver.mid");
        Cli.Run pr = Cli.run("continue", phrase, "-o", p, "--engine", "perceiver", "--model", perceiver, "--seconds", 3, "--seed", 3, "--quiet");
        assertEquals(0, pr.exitCode(), pr.toString());
        assertEquals(source.notes().size(), MidiFiles.read(p).notes().stream().filter(n -> n.channel() == 0).count(), "the phrase is kept");
    }

    @Test
    void wrongOrMissingModelsAreRefused() throws Exception {
        Path phrase = Cli.corpus("midi/piano/perceiver_prompt_1.mid"), out = tmp.resolve("x.mid");
        assertBad(Cli.run("continue", phrase, "-o", out, "--engine", "perceiver", "--model", Cli.root().resolve("tests/fixtures/remi-model/tiny")),
                4, "pianola-model.json", "perceiver-ar");
        // no --model: the installed package; none installed (an empty store): how to install one
        System.setProperty("pianola.models", tmp.resolve("empty-store").toString());
        try {
            assertBad(Cli.run("continue", phrase, "-o", out, "--engine", "remi"), 4, "pianola models install gpt2-remi");
        } finally {
            System.clearProperty("pianola.models");
        }
        // a tokenizer that is not the model's: the tiny GPT-2 has 512 ids, the test tokenizer 1000
        Path mixed = Files.createDirectories(tmp.resolve("mixed"));
        try (var files = Files.list(Cli.root().resolve("tests/fixtures/gpt2/tiny"))) {
            for (Path f : files.toList()) Files.copy(f, mixed.resolve(f.getFileName()));
        }
        Files.copy(Cli.root().resolve("tests/fixtures/remi/tokenizer.json"), mixed.resolve("tokenizer.json"));
        assertBad(Cli.run("continue", phrase, "-o", out, "--engine", "remi", "--model", mixed), 4, "pianola-model.json", "tokenizer");
        // listed in the manifest with its sha256, it is read, and its vocabulary is not the model's
        ObjectMapper json = new ObjectMapper();
        var manifest = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(mixed.resolve("pianola-model.json").toFile());
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(mixed.resolve("tokenizer.json"))));
        ((com.fasterxml.jackson.databind.node.ArrayNode) manifest.get("files")).addObject().put("path", "tokenizer.json").put("sha256", sha);
        json.writeValue(mixed.resolve("pianola-model.json").toFile(), manifest);
        assertBad(Cli.run("continue", phrase, "-o", out, "--engine", "remi", "--model", mixed), 4, "tokenizer.json", "1000", "512");
        Path noTokenizer = Cli.root().resolve("tests/fixtures/gpt2/tiny");
        assertBad(Cli.run("continue", phrase, "-o", out, "--engine", "remi", "--model", noTokenizer), 4, "tokenizer");
        assertFalse(Files.exists(out));
    }

    @Test
    void modelsVerifyAndList() throws Exception {
        Path good = Cli.root().resolve("tests/fixtures/gpt2/tiny");
        Cli.Run ok = Cli.run("models", "verify", good, "--json");
        assertEquals(0, ok.exitCode(), ok.toString());
        assertTrue(new ObjectMapper().readTree(ok.out()).get("ok").asBoolean());
        Path store = Files.createDirectories(tmp.resolve("store"));
        Path damaged = Files.createDirectories(store.resolve("damaged"));
        try (var files = Files.list(good)) {
            for (Path f : files.toList()) Files.copy(f, damaged.resolve(f.getFileName()));
        }
        Files.write(damaged.resolve("decoder.onnx"), new byte[]{1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        assertBad(Cli.run("models", "verify", damaged), 4, "decoder.onnx", "sha256");
        Path int8 = Cli.root().resolve("tests/fixtures/gpt2/tiny-int8");
        Cli.Run verified = Cli.run("models", "verify", int8);
        assertEquals(0, verified.exitCode(), verified.toString());
        assertTrue(verified.out().contains("a valid gpt2-remi package (version 1, int8-dynamic)"), verified.out());
        Path quantized = Files.createDirectories(store.resolve("int8"));
        try (var files = Files.list(int8)) {
            for (Path f : files.toList()) Files.copy(f, quantized.resolve(f.getFileName()));
        }
        System.setProperty("pianola.models", store.toString());
        try {
            Cli.Run list = Cli.run("models", "list", "--verify", "--json");
            assertEquals(0, list.exitCode(), list.toString());
            var models = new ObjectMapper().readTree(list.out()).get("models");
            assertEquals(3, models.size(), list.out());
            assertTrue(models.get(0).get("state").asText().startsWith("missing"), "no embedded model in this store");
            assertTrue(models.get(1).get("state").asText().startsWith("BAD"), models.get(1).toString());
            assertEquals("ok", models.get(2).get("state").asText(), models.get(2).toString());
            assertEquals("int8-dynamic", models.get(2).get("precision").asText(), models.get(2).toString());
            Cli.Run text = Cli.run("models", "list");
            assertTrue(text.out().contains("int8-dynamic"), text.out());
        } finally {
            System.clearProperty("pianola.models");
        }
    }

    @Test
    void badPromptsAndParameters() throws Exception {
        Path out = tmp.resolve("x.mid");
        Path phrase = Cli.corpus("midi/piano/perceiver_prompt_1.mid");
        assertBad(Cli.run("continue", Cli.corpus("midi/bad/ValueError_Control168.mid"), "-o", out), 3, "ValueError_Control168.mid");
        assertBad(Cli.run("continue", Cli.corpus("midi/bad/empty.mid"), "-o", out), 3, "empty.mid", "no notes");
        Path text = Files.writeString(tmp.resolve("t.mid"), "not midi");
        assertBad(Cli.run("continue", text, "-o", out), 3, text.toString());
        assertBad(Cli.run("continue", phrase, "-o", out, "--bars", 0), 3, "--bars");
        assertBad(Cli.run("continue", phrase, "-o", out, "--temperature", -1), 3, "temperature");
        assertBad(Cli.run("continue", phrase, "-o", out, "--engine", "gpt5"), 3, "--engine");
        assertBad(Cli.run("continue", phrase, "-o", out, "--bars", "many"), 2, "many");
        assertBad(Cli.run("continue", phrase, "-o", out, "--top-p", 0.9), 2, "--engine remi or perceiver");
        assertBad(Cli.run("continue", phrase, "-o", out, "--engine", "remi", "--model", tmp, "--seconds", 3), 2, "--engine perceiver");
        assertBad(Cli.run("continue", phrase, "-o", out, "--engine", "perceiver", "--model", tmp, "--bars", 4, "--seconds", 3), 2, "give one");
        assertBad(Cli.run("continue", phrase, "-o", out, "--engine", "remi", "--model", tmp, "--max-order", 4), 2, "--engine continuator");
        assertFalse(Files.exists(out));
    }

    private static void assertBad(Cli.Run r, int code, String... mustContain) {
        assertEquals(code, r.exitCode(), r.toString());
        String line = r.err().strip();
        assertFalse(line.contains("\n"), "one line: " + line);
        for (String s : mustContain) assertTrue(line.contains(s), "'" + s + "' in: " + line);
    }
}
