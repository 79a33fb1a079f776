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
        assertFalse(Files.exists(out));
    }

    private static void assertBad(Cli.Run r, int code, String... mustContain) {
        assertEquals(code, r.exitCode(), r.toString());
        String line = r.err().strip();
        assertFalse(line.contains("\n"), "one line: " + line);
        for (String s : mustContain) assertTrue(line.contains(s), "'" + s + "' in: " + line);
    }
}
