package dev.pianola.models.perceiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.TestPaths;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Reads tests/fixtures/perceiver (made by tools/reference/perceiver_fixtures.py from perceiver-io 0.11.0). */
final class PerceiverFixtures {
    private PerceiverFixtures() {}

    /** Decoded note times are sums of 10 ms steps; the reference adds them in the same order, so this is slack only. */
    static final double TIME_TOLERANCE_SECONDS = 1e-9;

    static Path dir() {
        return TestPaths.fixtures("perceiver");
    }

    static JsonNode cases() {
        return read("cases.json");
    }

    static JsonNode corpus() {
        return read("corpus.json.gz");
    }

    private static JsonNode read(String name) {
        Path file = dir().resolve(name);
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read fixture " + file, e);
        }
    }

    static int[] ids(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).intValue();
        return out;
    }

    /** Instruments as the fixture lists them: notes [velocity, pitch, start_s, end_s], controls [number, value, time_s]. */
    static List<PrettyMidiInstrument> instruments(JsonNode array) {
        List<PrettyMidiInstrument> out = new ArrayList<>();
        for (JsonNode inst : array) {
            List<TimedNote> notes = new ArrayList<>();
            for (JsonNode n : inst.get("notes")) notes.add(new TimedNote(n.get(1).intValue(), n.get(0).intValue(), n.get(2).asDouble(), n.get(3).asDouble()));
            List<TimedControl> controls = new ArrayList<>();
            for (JsonNode c : inst.get("controls")) controls.add(new TimedControl(c.get(0).intValue(), c.get(1).intValue(), c.get(2).asDouble()));
            out.add(new PrettyMidiInstrument(inst.path("program").asInt(0), inst.path("drum").asBoolean(false), notes, controls));
        }
        return out;
    }

    /** Ids equal, or a message that shows where they part, with the events around it by name. */
    static void assertIdsEqual(int[] expected, int[] actual, String what) {
        int n = Math.min(expected.length, actual.length);
        for (int i = 0; i < n; i++) {
            if (expected[i] != actual[i]) fail(what + ": first difference at id " + i + ": expected " + around(expected, i) + " but got " + around(actual, i));
        }
        assertEquals(expected.length, actual.length, what + ": number of ids (equal up to " + n + ")");
    }

    private static String around(int[] ids, int at) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = Math.max(0, at - 4); i < Math.min(ids.length, at + 5); i++) {
            if (sb.length() > 1) sb.append(' ');
            sb.append(i == at ? ">" : "").append(PerceiverVocab.name(ids[i]));
        }
        return sb.append(']').toString();
    }

    /** decode_midi's notes [pitch, velocity, start_s, end_s]: pitch and velocity exact, times within tolerance. */
    static void assertNotesEqual(JsonNode expected, List<TimedNote> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": number of notes");
        for (int i = 0; i < actual.size(); i++) {
            JsonNode e = expected.get(i);
            TimedNote a = actual.get(i);
            String at = what + ": note " + i + " " + a;
            assertEquals(e.get(0).intValue(), a.pitch(), at + " pitch");
            assertEquals(e.get(1).intValue(), a.velocity(), at + " velocity");
            assertEquals(e.get(2).asDouble(), a.startSeconds(), TIME_TOLERANCE_SECONDS, at + " start");
            assertEquals(e.get(3).asDouble(), a.endSeconds(), TIME_TOLERANCE_SECONDS, at + " end");
        }
    }
}
