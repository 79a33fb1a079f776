package dev.pianola.it;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The help a new user reads: whole sentences, every command summarised, every option once, its default shown. */
class HelpTest {
    private static final List<String> COMMANDS = List.of("cover", "transcribe", "render", "continue", "device", "models", "plugins");

    @Test
    void theCommandListSummarisesEveryCommandInWholeSentences() {
        Cli.Run r = Cli.run("--help");
        assertEquals(0, r.exitCode(), r.toString());
        String list = r.out().substring(r.out().indexOf("Commands:"), r.out().indexOf("Exit codes"));
        for (String c : COMMANDS) {
            Matcher m = Pattern.compile("(?m)^  " + c + " +(.*(?:\\n {16}.*)*)").matcher(list);
            assertTrue(m.find(), c + " is listed: " + list);
            String summary = m.group(1).replaceAll("\\s+", " ").trim();
            assertTrue(summary.endsWith(".") || summary.endsWith(")"), c + "'s summary is a whole sentence: " + summary);
        }
    }

    @Test
    void noLineOfHelpBreaksMidSentenceOrRunsPastTheWidth() {
        for (String c : COMMANDS) {
            Cli.Run r = Cli.run(c, "--help");
            assertEquals(0, r.exitCode(), r.toString());
            String[] lines = r.out().split("\n");
            for (int i = 0; i + 1 < lines.length; i++) {
                assertTrue(lines[i].length() <= width(), c + ": wider than the terminal: " + lines[i]);
                // a line cut short (well before the width) that ends inside a sentence is a hand-broken line
                String line = lines[i].stripTrailing(), next = lines[i + 1].strip();
                boolean shortLine = line.length() < 60 && !line.isBlank();
                boolean sentenceGoesOn = !next.isEmpty() && Character.isLowerCase(next.charAt(0)) && !lines[i + 1].startsWith("  ")
                        && line.matches(".*[a-z,]$");
                assertFalse(shortLine && sentenceGoesOn, c + ": a sentence broken by hand: '" + line + "' / '" + next + "'");
            }
        }
    }

    /** 80 columns, or what the shell running the tests exports (the help follows COLUMNS). */
    private static int width() {
        String columns = System.getenv("COLUMNS");
        return columns != null && columns.strip().matches("\\d+") ? Math.max(80, Integer.parseInt(columns.strip())) : 80;
    }

    @Test
    void everyOptionIsListedOnceAndTheArrangementsDefaultsAreShown() {
        Cli.Run r = Cli.run("cover", "--help");
        List<String> listed = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^(?:  -\\w, |      )(--[a-z-]+)").matcher(r.out());
        while (m.find()) listed.add(m.group(1));
        for (String o : listed) assertEquals(1, listed.stream().filter(o::equals).count(), o + " is listed once: " + listed);
        assertTrue(listed.containsAll(List.of("--bpm", "--beats", "--preset")), listed.toString());
        String flat = r.out().replaceAll("\\s+", " ");
        for (String o : List.of("--max-polyphony", "--hand-span", "--grid", "--quantize-strength")) {
            Matcher d = Pattern.compile(Pattern.quote(o) + "=\\S+ .*?\\(default: the preset's; (\\S+) in default\\)").matcher(flat);
            assertTrue(d.find(), o + " shows its default: " + flat);
        }
        // the presets are listed from the presets themselves
        for (String preset : List.of("ballad", "default", "full", "pop", "simple")) assertTrue(flat.contains(preset), preset);
    }

    @Test
    void aMistypedCommandOrOptionGetsADidYouMean() {
        Cli.Run r = Cli.run("covr", "song.wav");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("did you mean cover"), r.err());
        r = Cli.run("cover", "--presett", "simple", "song.wav");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("did you mean") && r.err().contains("--preset?") || r.err().contains("--preset or"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }
}
