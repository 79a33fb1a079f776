package dev.pianola.models.pop2piano;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.TestPaths;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.pop2piano.Pop2PianoTokens.DecodedNote;
import dev.pianola.models.pop2piano.Pop2PianoTokens.StepNote;
import dev.pianola.time.TempoMap;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Java against Hugging Face's Pop2PianoTokenizer (transformers 4.57.6) on the cases in
 * tests/fixtures/pop2piano/tokens.json.gz (tools/reference/pop2piano_tokens.py).
 *
 * <p>Order: the reference sorts each row's notes with numpy's unstable argsort by (onset, offset), so notes
 * with equal onset and offset steps in one row may come in any order. Lists are compared in order, except
 * that each run of consecutive notes with equal (row, onset, offset) steps, or for seconds equal (start, end),
 * is compared as a multiset of (pitch, velocity).
 */
class Pop2PianoTokensTest {
    private static final double TIME_TOLERANCE_S = 1e-6;

    private static List<JsonNode> cases() throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(TestPaths.fixtures("pop2piano").resolve("tokens.json.gz")))) {
            List<JsonNode> out = new ArrayList<>();
            new ObjectMapper().readTree(in).get("cases").forEach(out::add);
            assertTrue(out.size() >= 10, "fixture has too few cases");
            return out;
        }
    }

    private static int[][] tokens(JsonNode c) {
        JsonNode rows = c.get("tokens");
        int[][] t = new int[rows.size()][];
        for (int r = 0; r < t.length; r++) {
            t[r] = new int[rows.get(r).size()];
            for (int i = 0; i < t[r].length; i++) t[r][i] = rows.get(r).get(i).asInt();
        }
        return t;
    }

    private static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) a.get(i).asDouble(); // exact: float32 values written as decimals
        return f;
    }

    @Test
    void stepNotesEqualTheReferencePerRowAndStitched() throws IOException {
        int checked = 0;
        for (JsonNode c : cases()) {
            String name = c.get("name").asText();
            List<StepNote> mine = Pop2PianoTokens.decodeSteps(tokens(c));
            JsonNode ref = c.get("index_notes");
            assertEquals(ref.size(), mine.size(), name + ": note count");
            // rows of the reference, from its per-row counts
            int[] refRow = new int[ref.size()];
            int k = 0;
            JsonNode counts = c.get("row_counts");
            for (int r = 0; r < counts.size(); r++) for (int j = 0; j < counts.get(r).asInt(); j++) refRow[k++] = r;
            assertEquals(ref.size(), k, name + ": row counts");
            int i = 0;
            while (i < ref.size()) {
                int j = i;
                while (j < ref.size() && refRow[j] == refRow[i] && ref.get(j).get(0).asInt() == ref.get(i).get(0).asInt()
                        && ref.get(j).get(1).asInt() == ref.get(i).get(1).asInt()) j++;
                Map<List<Integer>, Integer> expected = new HashMap<>(), actual = new HashMap<>();
                for (int m = i; m < j; m++) {
                    StepNote n = mine.get(m);
                    String at = name + " note " + m;
                    assertEquals(refRow[i], n.row(), at + ": row");
                    assertEquals(ref.get(i).get(0).asInt(), n.onsetStep(), at + ": onset step");
                    assertEquals(ref.get(i).get(1).asInt(), n.offsetStep(), at + ": offset step");
                    expected.merge(List.of(ref.get(m).get(2).asInt(), ref.get(m).get(3).asInt()), 1, Integer::sum);
                    actual.merge(List.of(n.pitch(), n.velocity()), 1, Integer::sum);
                }
                assertEquals(expected, actual, name + ": pitches/velocities of notes " + i + ".." + (j - 1));
                i = j;
            }
            checked += mine.size();
        }
        assertTrue(checked > 500, "too few notes checked: " + checked);
    }

    @Test
    void secondsEqualBatchDecode() throws IOException {
        int checked = 0, cases = 0;
        for (JsonNode c : cases()) {
            if (!c.has("notes")) continue;
            String name = c.get("name").asText();
            float[] beatsteps = floats(c.get("beatsteps"));
            List<DecodedNote> mine = Pop2PianoTokens.decode(tokens(c), floats(c.get("extrapolated_beatstep")), beatsteps[0]);
            JsonNode ref = c.get("notes");
            assertEquals(ref.size(), mine.size(), name + ": note count");
            int i = 0;
            while (i < ref.size()) {
                int j = i;
                while (j < ref.size() && ref.get(j).get(2).asDouble() == ref.get(i).get(2).asDouble()
                        && ref.get(j).get(3).asDouble() == ref.get(i).get(3).asDouble()) j++;
                Map<List<Integer>, Integer> expected = new HashMap<>(), actual = new HashMap<>();
                for (int m = i; m < j; m++) {
                    DecodedNote n = mine.get(m);
                    assertEquals(ref.get(i).get(2).asDouble(), n.startSeconds(), TIME_TOLERANCE_S, name + " note " + m + ": start");
                    assertEquals(ref.get(i).get(3).asDouble(), n.endSeconds(), TIME_TOLERANCE_S, name + " note " + m + ": end");
                    expected.merge(List.of(ref.get(m).get(0).asInt(), ref.get(m).get(1).asInt()), 1, Integer::sum);
                    actual.merge(List.of(n.pitch(), n.velocity()), 1, Integer::sum);
                }
                assertEquals(expected, actual, name + ": pitches/velocities of notes " + i + ".." + (j - 1));
                i = j;
            }
            checked += mine.size();
            cases++;
        }
        assertTrue(cases >= 10 && checked > 500, "too little checked: " + cases + " cases, " + checked + " notes");
    }

    @Test
    void theFloat32TimesAreExactNotJustClose() throws IOException {
        // The reference's times are float32 sums; ours are computed the same way, so they are equal bit for bit.
        for (JsonNode c : cases()) {
            if (!c.has("notes")) continue;
            float[] beatsteps = floats(c.get("beatsteps"));
            List<DecodedNote> mine = Pop2PianoTokens.decode(tokens(c), floats(c.get("extrapolated_beatstep")), beatsteps[0]);
            List<Float> refTimes = new ArrayList<>(), myTimes = new ArrayList<>();
            for (JsonNode n : c.get("notes")) { refTimes.add((float) n.get(2).asDouble()); refTimes.add((float) n.get(3).asDouble()); }
            for (DecodedNote n : mine) { myTimes.add(n.startSeconds()); myTimes.add(n.endSeconds()); }
            assertEquals(refTimes, myTimes, c.get("name").asText());
        }
    }

    @Test
    void withoutAnyEosTheRowsAreDecodedWhole() throws IOException {
        // The reference's batch_decode raises here; relative_batch_tokens_ids_to_notes (no trimming) still decodes.
        int seen = 0;
        for (JsonNode c : cases()) {
            if (!c.has("batch_decode_error")) continue;
            seen++;
            int[][] t = tokens(c);
            assertSame(t, Pop2PianoTokens.trimAfterLastEos(t));
            float[] ext = floats(c.get("extrapolated_beatstep"));
            float first = floats(c.get("beatsteps"))[0];
            List<DecodedNote> mine = Pop2PianoTokens.decode(t, ext, first);
            int valid = 0;
            for (JsonNode n : c.get("index_notes")) {
                if (ext[n.get(1).asInt()] - ext[0] > ext[n.get(0).asInt()] - ext[0]) valid++;
            }
            assertEquals(valid, mine.size(), c.get("name").asText());
        }
        assertTrue(seen > 0, "fixture has no case without EOS");
    }

    @Test
    void theEosTrimCutsLongerRowsWithoutEos() {
        // Row 1 has no EOS and runs past row 0's EOS column: its note-on at column 4 is cut off.
        int[][] t = {{0, 133, 64, 1, 0, 0}, {0, 135, 135, 133, 70, 136}};
        int[][] trimmed = Pop2PianoTokens.trimAfterLastEos(t);
        assertArrayEquals(new int[]{0, 133, 64, 1}, trimmed[0]);
        assertArrayEquals(new int[]{0, 135, 135, 133}, trimmed[1]);
        float[] ext = new float[30];
        for (int i = 0; i < ext.length; i++) ext[i] = 0.25f * i;
        List<DecodedNote> notes = Pop2PianoTokens.decode(t, ext, 1.0f);
        assertEquals(1, notes.size());
        assertEquals(60, notes.get(0).pitch());
        assertEquals(1.0f, notes.get(0).startSeconds());   // step 0 + first beat
        assertEquals(1.0f + 12 * 0.25f, notes.get(0).endSeconds()); // forced close at the cutoff, step 12
    }

    @Test
    void idsOutsideTheVocabularyAreRefused() {
        float[] ext = new float[30];
        for (int i = 0; i < ext.length; i++) ext[i] = 0.5f * i;
        for (int bad : new int[]{-1, Pop2PianoTokens.VOCAB_SIZE, 1 << 20}) {
            int[][] t = {{0, 133, 64, 1}, {0, 134, bad, 1}};
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pop2PianoTokens.decode(t, ext, 0f));
            assertTrue(e.getMessage().contains("token id " + bad + " at row 1, column 2"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Pop2PianoTokens.decodeSteps(t));
        }
        // the last valid id is a time shift of 2265 steps, clamped at the cutoff (12); in note-on mode the
        // second 64 closes the note and re-strikes it, and the open one is forced to onset + 1 = 13, past the cutoff
        List<StepNote> ok = Pop2PianoTokens.decodeSteps(new int[][]{{0, 133, 64, Pop2PianoTokens.VOCAB_SIZE - 1, 64, 1}});
        assertEquals(List.of(new StepNote(0, 0, 12, 60, 77), new StepNote(0, 12, 13, 60, 77)), ok);
    }

    @Test
    void moreRowsThanBeatStepsAreRefusedClearly() {
        float[] ext = new float[14]; // enough for one row (steps 0..12), not for a note in row 1
        for (int i = 0; i < ext.length; i++) ext[i] = 0.5f * i;
        int[][] t = {{0, 1}, {0, 133, 64, 1}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pop2PianoTokens.decode(t, ext, 0f));
        assertTrue(e.getMessage().contains("past the 14 extrapolated beat steps"), e.getMessage());
    }

    @Test
    void noteSequenceKeepsTheSecondsAndPutsBeatsOnTheBeatGrid() throws IOException {
        int checked = 0;
        for (JsonNode c : cases()) {
            if (!c.has("notes") || !c.get("name").asText().startsWith("features_")) continue; // strictly increasing beats
            float[] ext = floats(c.get("extrapolated_beatstep"));
            float first = floats(c.get("beatsteps"))[0];
            List<DecodedNote> notes = Pop2PianoTokens.decode(tokens(c), ext, first);
            double[] beats = Pop2PianoTokens.beatSeconds(ext, first);
            NoteSequence seq = Pop2PianoTokens.toNoteSequence(notes, ext, first);
            TempoMap tempo = seq.tempo();
            // every beat of the song lands on a whole beat of the map, one beat apart (fromBeatTimes may fold a
            // first beat that comes less than half a beat after 0 s into the pickup, so start at the second)
            double beat1 = tempo.beatsAt(beats[1]);
            assertEquals(Math.rint(beat1), beat1, 1e-6);
            for (int k = 1; k < beats.length; k++) assertEquals(beat1 + k - 1, tempo.beatsAt(beats[k]), 1e-6);
            assertEquals(notes.size(), seq.notes().size());
            List<double[]> want = new ArrayList<>(), got = new ArrayList<>();
            for (DecodedNote n : notes) want.add(new double[]{n.pitch(), n.velocity(), n.startSeconds(), n.endSeconds()});
            for (Note n : seq.notes()) got.add(new double[]{n.pitch(), n.velocity(), seq.startSeconds(n), seq.endSeconds(n)});
            java.util.Comparator<double[]> order = (a, b) -> java.util.Arrays.compare(a, b);
            want.sort(order);
            got.sort(order);
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i)[0], got.get(i)[0]);
                assertEquals(want.get(i)[1], got.get(i)[1]);
                assertEquals(want.get(i)[2], got.get(i)[2], TIME_TOLERANCE_S);
                assertEquals(want.get(i)[3], got.get(i)[3], TIME_TOLERANCE_S);
            }
            checked += notes.size();
        }
        assertTrue(checked > 100, "too few notes checked: " + checked);
    }
}
