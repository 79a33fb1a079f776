package dev.pianola.arrange;

import dev.pianola.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import dev.pianola.TestPaths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArrangePresetsTest {
    static Path repoRoot() {
        return TestPaths.root();
    }

    @Test
    void theDefaultPresetSpellsOutTheDefaults() {
        assertEquals(ArrangeOptions.defaults(), ArrangePresets.load("default"));
        assertEquals(ArrangeOptions.defaults(), ArrangePresets.load("default", repoRoot()));
    }

    @Test
    void simpleAndFullPresetsSayWhatTheyPromise() {
        ArrangeOptions simple = ArrangePresets.load("simple", repoRoot());
        assertEquals(3, simple.maxPolyphony());
        assertEquals(1, simple.maxNotesLeftHand(), "one bass line");
        assertTrue(simple.rightHandSpanSemitones() < ArrangeOptions.defaults().rightHandSpanSemitones());
        ArrangeOptions full = ArrangePresets.load("full", repoRoot());
        assertEquals(8, full.maxPolyphony());
        assertTrue(full.rightHandSpanSemitones() > 12 && full.leftHandSpanSemitones() > 12, "wider spans");
        // fields a preset leaves out keep their defaults
        assertEquals(ArrangeOptions.defaults().lowestPitch(), full.lowestPitch());
        assertEquals(ArrangeOptions.defaults().quantizeGrid(), full.quantizeGrid());
    }

    @Test
    void builtInCopiesMatchTheRepositoryPresets() throws IOException {
        Path folder = repoRoot().resolve(ArrangePresets.FOLDER);
        assertEquals(ArrangePresets.BUILT_IN, ArrangePresets.names(repoRoot()), "every preset in " + folder + " is built in, and no other");
        for (String name : ArrangePresets.BUILT_IN) {
            try (InputStream in = ArrangePresets.class.getResourceAsStream("/" + ArrangePresets.FOLDER + "/" + name + ".json")) {
                assertNotNull(in, name + " is on the classpath");
                assertArrayEquals(Files.readAllBytes(folder.resolve(name + ".json")), in.readAllBytes(),
                        "the jar's presets/arrange/" + name + ".json is the repository's (engine/pom.xml packs presets/)");
            }
        }
    }

    @Test
    void aPresetByPathAndOneInTheRepositoryFolder(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("mine.json"), "{\"description\": \"mine\", \"maxPolyphony\": 4, \"quantizeGrid\": \"eighth_triplet\"}");
        ArrangeOptions mine = ArrangePresets.load(file.toString());
        assertEquals(4, mine.maxPolyphony());
        assertEquals(ArrangeOptions.Grid.EIGHTH_TRIPLET, mine.quantizeGrid(), "enum names in any case");

        Files.createDirectories(dir.resolve(ArrangePresets.FOLDER));
        Files.writeString(dir.resolve(ArrangePresets.FOLDER).resolve("jazz.json"), "{\"leftHandSpanSemitones\": 16}");
        assertEquals(16, ArrangePresets.load("jazz", dir).leftHandSpanSemitones());
        assertTrue(ArrangePresets.names(dir).containsAll(List.of("default", "full", "jazz", "simple")));
    }

    @Test
    void unknownNamesAreRefusedWithTheKnownOnes() {
        BadInputException e = assertThrows(BadInputException.class, () -> ArrangePresets.load("symphonic", repoRoot()));
        assertEquals(3, e.exitCode());
        assertTrue(e.getMessage().contains("unknown arrangement preset 'symphonic'"), e.getMessage());
        assertTrue(e.getMessage().contains("ballad, default, full, pop, simple"), e.getMessage());
        BadInputException missing = assertThrows(BadInputException.class, () -> ArrangePresets.load("/no/such/preset.json"));
        assertTrue(missing.getMessage().startsWith("/no/such/preset.json: no such preset file"), missing.getMessage());
        assertThrows(BadInputException.class, () -> ArrangePresets.load(" "));
    }

    @Test
    void badPresetFilesAreRefusedNamingTheFileAndTheProblem(@TempDir Path dir) throws IOException {
        Map<String, String> cases = Map.of(
                "{\"maxPolyphony\": 4,", "not valid JSON at line 1",
                "[1, 2]", "must be a JSON object",
                "{\"maxPolyphonyy\": 4}", "unknown option 'maxPolyphonyy'",
                "{\"quantizeGrid\": \"SIXTEENTHS\"}", "option 'quantizeGrid': bad value SIXTEENTHS (expected one of [OFF, QUARTER",
                "{\"maxPolyphony\": 0}", "maxPolyphony must lie in 1..10",
                "{\"maxPolyphony\": \"many\"}", "option 'maxPolyphony'",
                "{\"key\": \"H#m\"}", "unknown key 'H#m'",
                "{\"description\": 3}", "\"description\" must be a string",
                "{\"scaleSnap\": null}", "option 'scaleSnap'",
                "{\"maxPolyphony\": 4} {}", "not valid JSON");
        int i = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path file = Files.writeString(dir.resolve("bad" + i++ + ".json"), c.getKey());
            BadInputException e = assertThrows(BadInputException.class, () -> ArrangePresets.load(file.toString()), c.getKey());
            assertTrue(e.getMessage().startsWith(file + ": "), "names the file: " + e.getMessage());
            assertTrue(e.getMessage().contains(c.getValue()), c.getKey() + " -> " + e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    @Test
    void overridesApplyToAnyBase() {
        ArrangeOptions o = ArrangePresets.withOverrides(ArrangePresets.load("simple"), Map.of("maxPolyphony", 2, "key", "Bbm"));
        assertEquals(2, o.maxPolyphony());
        assertEquals("Bbm", o.key());
        assertEquals(1, o.maxNotesLeftHand(), "the rest of the base stays");
        BadInputException e = assertThrows(BadInputException.class, () -> ArrangePresets.withOverrides(ArrangeOptions.defaults(), Map.of("fingers", 11)));
        assertTrue(e.getMessage().contains("unknown option 'fingers'"), e.getMessage());
    }

    /** highestPitch - lowestPitch overflowed to a positive span, so the range check passed and the arranger failed later. */
    @Test
    void pitchBoundsAreCheckedEachOnItsOwn() {
        for (String fields : List.of("\"highestPitch\": -2147483648", "\"lowestPitch\": 2147483647, \"highestPitch\": 127",
                "\"lowestPitch\": -2147483648")) {
            BadInputException e = assertThrows(BadInputException.class, () -> ArrangePresets.parse("{" + fields + "}", Path.of("odd.json")));
            assertTrue(e.getMessage().startsWith("odd.json: ") && e.getMessage().contains("lowestPitch/highestPitch must lie in 0..127"), e.getMessage());
        }
    }

    /** Found by the preset fuzz target: an option name holding a newline made a two-line error. */
    @Test
    void whatAPresetHoldsIsQuotedOnOneLine() {
        BadInputException e = assertThrows(BadInputException.class, () -> ArrangePresets.parse("{\"leftHand\\nSpan\": 3}", Path.of("odd.json")));
        assertTrue(e.getMessage().startsWith("odd.json: unknown option 'leftHand\\nSpan'"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
