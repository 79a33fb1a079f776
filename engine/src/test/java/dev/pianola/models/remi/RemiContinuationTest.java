package dev.pianola.models.remi;

import dev.pianola.TestPaths;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.runtime.GenerationRequest;
import dev.pianola.runtime.GenerationResult;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.runtime.SamplingConfig;
import dev.pianola.time.TempoMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REMI continuation stops once its window is covered, with the notes the whole budget gives
 * (the tiny random-weight model writes few Bar tokens, so the rule itself is checked on its own).
 */
class RemiContinuationTest {
    @Test
    void theBarThatBeginsAtTheWindowsEndIsTheLastOneGenerated() {
        // a prompt ending in bar 1, a window to 15.95 (a phrase ending at 7.95, 2 bars more): bars 2 and 3
        // hold the window, and the answer ends at the Bar token of bar 4 (the third after the prompt)
        assertEquals(3, RemiContinuation.barTokensToWindowEnd(1, 15.95));
        // a window ending on a bar line: bar 4 begins at its very end
        assertEquals(3, RemiContinuation.barTokensToWindowEnd(1, 16.0));
        // ending in bar 0, one bar more (to 4.5): the tokens of bar 1 are needed, to bar 2's Bar
        assertEquals(2, RemiContinuation.barTokensToWindowEnd(0, 4.5));
        assertEquals(5, RemiContinuation.barTokensToWindowEnd(3, 29.0));
        // a note held from bar 0 to beat 9: the window [9, 13) is in bars 2 and 3, so 4 Bars (the old rule counted from
        // the bar of the phrase's end and stopped at bar 2's, before the window)
        assertEquals(4, RemiContinuation.barTokensToWindowEnd(0, 13.0));
    }

    /**
     * An answer that starts after the player's silence is told so: the prompt ends with the rest's
     * Bar tokens and, inside a bar, its Position, and the window counts from there; an answer from
     * the phrase's end is prompted with the phrase alone.
     */
    @Test
    void theRestBeforeALaterStartIsInThePrompt() {
        Path dir = TestPaths.fixtures("remi-model/tiny");
        TestPaths.assumeFile(dir.resolve("pianola-model.json"));
        // the bench's phrase: four half-beat notes on the beats of bar 0, released at 3.5
        List<Note> notes = new ArrayList<>();
        for (int i = 0; i < 4; i++) notes.add(new Note(60 + 2 * i, i, 0.5, 90));
        NoteSequence phrase = new NoteSequence(notes, TempoMap.constant(120));
        try (Gpt2Generator gpt = Gpt2Generator.open(dir, OnnxSessions.Device.CPU)) {
            RemiTokenizer tokenizer = RemiTokenizer.of(gpt);
            List<String> base = tokenizer.remiTokens(phrase, RemiConstants.TICKS_PER_QUARTER);
            int perBeat = tokenizer.remiTokens(new NoteSequence(List.of(new Note(60, 1, 1, 90)), TempoMap.constant(120)), RemiConstants.TICKS_PER_QUARTER)
                    .stream().filter(t -> t.startsWith("Position_")).mapToInt(t -> Integer.parseInt(t.substring(9))).findFirst().orElseThrow();

            // next beat (5): bar 1, one beat in
            assertEquals(tail(base, "Bar_None", "Position_" + perBeat), tokenizer.remiTokensWithRest(phrase, 5.0));
            // next bar line (8): bars 1 and 2 begun, the first note on its downbeat
            assertEquals(tail(base, "Bar_None", "Bar_None", "Position_0"), tokenizer.remiTokensWithRest(phrase, 8.0));
            // later in the phrase's own bar: a Position after the last onset's
            assertEquals(tail(base, "Position_" + (3 * perBeat + perBeat / 2)), tokenizer.remiTokensWithRest(phrase, 3.5));
            // between grid positions: the later one
            assertEquals(tail(base, "Bar_None", "Position_" + perBeat), tokenizer.remiTokensWithRest(phrase, 5.0 - 0.4 / perBeat));

            RemiContinuation.Prompt fromEnd = RemiContinuation.prompt(gpt, tokenizer, phrase, 1);
            assertArrayEquals(withBos(gpt, tokenizer.encode(phrase)), fromEnd.ids(), "from the phrase's end: the phrase alone");
            assertEquals(0, fromEnd.lastBar());
            RemiContinuation.Prompt fromBar = RemiContinuation.prompt(gpt, tokenizer, phrase, 8.0, 1);
            assertArrayEquals(withBos(gpt, tokenizer.applyBpe(tokenizer.baseIds(tokenizer.remiTokensWithRest(phrase, 8.0)))), fromBar.ids());
            assertEquals(2, fromBar.lastBar(), "the prompt ends in bar 2, where the answer starts");
            assertEquals(1, RemiContinuation.barTokensToWindowEnd(fromBar.lastBar(), 12.0), "one Bar more ends the window");

            // the answer's notes are in its window, whatever the model writes
            SamplingConfig sampling = new SamplingConfig(true, 1.0, 50, 1.0, 1.0, List.of(gpt.padTokenId()));
            for (long seed = 0; seed < 4; seed++) {
                for (Note n : RemiContinuation.continueFrom(gpt, tokenizer, phrase, 5.0, 1, sampling, seed, () -> false, Progress.NONE, null, true)) {
                    assertTrue(n.startBeats() >= 5.0 - 1e-9 && n.endBeats() <= 9.0 + 1e-9, "seed " + seed + ": " + n);
                }
            }
            assertThrows(dev.pianola.BadInputException.class, () -> RemiContinuation.prompt(gpt, tokenizer, phrase, 3.0, 1), "before the phrase's end");
        }
    }

    private static List<String> tail(List<String> base, String... rest) {
        List<String> out = new ArrayList<>(base);
        out.addAll(List.of(rest));
        return out;
    }

    private static int[] withBos(Gpt2Generator gpt, int[] ids) {
        int[] out = new int[ids.length + 1];
        out[0] = gpt.bosTokenId();
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    @Test
    void theStopRuleEndsARowAfterTheTokenItSawEnoughAt() {
        Path dir = TestPaths.fixtures("gpt2/tiny");
        try (Gpt2Generator gpt = Gpt2Generator.open(dir, OnnxSessions.Device.CPU)) {
            int[] prompt = {gpt.bosTokenId(), 40, 41, 42};
            GenerationResult whole = gpt.generate(prompt, gpt.request(20, SamplingConfig.greedy(), 0).withEos(-1), () -> false, Progress.NONE);
            int[] seen = {0};
            GenerationResult stopped = gpt.generate(prompt, gpt.request(20, SamplingConfig.greedy(), 0).withEos(-1).withStop((row, token) -> ++seen[0] == 7),
                    () -> false, Progress.NONE);
            assertEquals(GenerationResult.Stop.RULE, stopped.stop());
            assertArrayEquals(Arrays.copyOf(whole.tokens().get(0), 7), stopped.tokens().get(0), "the first 7 tokens, the seventh kept");
        }
    }

    @Test
    void generationStoppedAtTheWindowGivesTheNotesOfTheWholeBudget() {
        Path dir = TestPaths.fixtures("remi-model/tiny");
        TestPaths.assumeFile(dir.resolve("pianola-model.json"));
        List<Note> notes = new ArrayList<>();
        for (int i = 0; i < 16; i++) notes.add(new Note(60 + (i % 5) * 2, i * 0.5, 0.45, 80));
        NoteSequence phrase = new NoteSequence(notes, TempoMap.constant(120));
        int bars = 2;
        try (Gpt2Generator gpt = Gpt2Generator.open(dir, OnnxSessions.Device.CPU)) {
            RemiTokenizer tokenizer = RemiTokenizer.of(gpt);
            SamplingConfig sampling = new SamplingConfig(true, 1.0, 50, 1.0, 1.0, List.of(gpt.padTokenId()));
            for (long seed = 0; seed < 6; seed++) {
                RemiContinuation.Prompt prompt = RemiContinuation.prompt(gpt, tokenizer, phrase, bars);
                GenerationResult whole = gpt.generate(prompt.ids(), gpt.request(prompt.newTokens(), sampling, seed).withEos(-1), () -> false, Progress.NONE);
                List<Note> answer = RemiContinuation.continueFrom(gpt, tokenizer, phrase, bars, sampling, seed, () -> false, Progress.NONE, null);

                // the notes the whole budget's tokens give in the window [phrase end, + 2 bars)
                int[] generated = whole.tokens().get(0);
                int[] text = Arrays.copyOfRange(prompt.ids(), 1, prompt.ids().length + generated.length);
                System.arraycopy(generated, 0, text, prompt.ids().length - 1, generated.length);
                double from = phrase.endBeats(), to = from + bars * 4, offset = prompt.firstBar() * 4;
                List<Note> expected = new ArrayList<>();
                for (Note n : tokenizer.decode(text).notes()) {
                    double start = n.startBeats() + offset;
                    if (start >= from - 1e-9 && start < to) expected.add(n.withTiming(start, Math.min(n.durationBeats(), to - start)));
                }
                assertEquals(expected, answer, "seed " + seed + ": the notes of the whole budget");
            }
        }
    }

    /** The notes handed over while the model writes are the answer's, each as it will be, in a growing list. */
    @Test
    void notesSoFarAreTheAnswersOwnInALongerListEachTime() {
        Path dir = TestPaths.fixtures("remi-model/tiny");
        TestPaths.assumeFile(dir.resolve("pianola-model.json"));
        List<Note> notes = new ArrayList<>();
        for (int i = 0; i < 16; i++) notes.add(new Note(60 + (i % 5) * 2, i * 0.5, 0.45, 80));
        NoteSequence phrase = new NoteSequence(notes, TempoMap.constant(120));
        int streamed = 0;
        try (Gpt2Generator gpt = Gpt2Generator.open(dir, OnnxSessions.Device.CPU)) {
            RemiTokenizer tokenizer = RemiTokenizer.of(gpt);
            SamplingConfig sampling = new SamplingConfig(true, 1.0, 50, 1.0, 1.0, List.of(gpt.padTokenId()));
            for (long seed = 0; seed < 6; seed++) {
                List<List<Note>> soFar = new ArrayList<>();
                List<Note> answer = RemiContinuation.continueFrom(gpt, tokenizer, phrase, 2, sampling, seed, () -> false, Progress.NONE, soFar::add);
                assertEquals(answer, RemiContinuation.continueFrom(gpt, tokenizer, phrase, 2, sampling, seed, () -> false, Progress.NONE, null),
                        "seed " + seed + ": streaming does not change the answer");
                int size = 0;
                for (List<Note> part : soFar) {
                    assertTrue(part.size() > size, "each list longer than the last");
                    size = part.size();
                    assertTrue(answer.containsAll(part), "seed " + seed + ": every note handed over is in the answer as it is there: " + part);
                }
                if (!soFar.isEmpty()) streamed += soFar.size() > 1 ? 1 : 0;
            }
        }
        assertTrue(streamed > 0, "some answer was handed over in more than one part");
    }

    /**
     * Notes are handed over onset by onset: a chord only once the model has written the next
     * Position or Bar (the tiny random model does not write in time order, so the text here is
     * written by hand: the base tokens of two onsets and a bar line, one id each).
     */
    @Test
    void aChordIsHandedOverWholeOnceTheModelMovesPastIt() {
        Path dir = TestPaths.fixtures("remi-model/tiny");
        TestPaths.assumeFile(dir.resolve("pianola-model.json"));
        NoteSequence phrase = new NoteSequence(List.of(new Note(60, 0, 1, 90)), TempoMap.constant(120));
        try (Gpt2Generator gpt = Gpt2Generator.open(dir, OnnxSessions.Device.CPU)) {
            RemiTokenizer tokenizer = RemiTokenizer.of(gpt);
            RemiContinuation.Prompt prompt = RemiContinuation.prompt(gpt, tokenizer, phrase, 4.0, 1);
            // the answer's bar: a chord of two on its downbeat, one note a beat later, then the next bar
            List<String> chord = tokenizer.remiTokens(new NoteSequence(List.of(new Note(64, 4, 1, 90), new Note(67, 4, 1, 90), new Note(72, 5, 1, 90)),
                    TempoMap.constant(120)), RemiConstants.TICKS_PER_QUARTER);
            List<String> written = new ArrayList<>(chord.subList(chord.lastIndexOf("Bar_None") + 1, chord.size()));
            written.add("Bar_None");
            int[] base = tokenizer.baseIds(written);
            int[] head = Arrays.copyOfRange(prompt.ids(), 1, prompt.ids().length);
            List<Integer> sizes = new ArrayList<>();
            for (int k = 1; k <= base.length; k++) {
                int[] text = Arrays.copyOf(head, head.length + k);
                for (int i = 0; i < k; i++) text[head.length + i] = tokenizer.applyBpe(new int[] {base[i]})[0];
                List<Note> complete = RemiContinuation.complete(tokenizer, prompt, text, 4.0, 8.0);
                sizes.add(complete.size());
                if (complete.size() == 2) assertEquals(java.util.Set.of(64, 67), new java.util.HashSet<>(complete.stream().map(Note::pitch).toList()));
            }
            // Position Pitch Velocity Duration x2 (0 each), Position (2), Pitch Velocity Duration (2), Bar (3)
            assertEquals(List.of(0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 3), sizes, "written: " + written);
        }
    }

    /**
     * With the time-order rule no Position goes back to an earlier onset of its bar; the tiny random
     * model, sampled without it, does (so the rule is what keeps the order here).
     */
    @Test
    void inTimeOrderNoPositionGoesBackInItsBar() {
        Path dir = TestPaths.fixtures("remi-model/tiny");
        TestPaths.assumeFile(dir.resolve("pianola-model.json"));
        List<Note> notes = new ArrayList<>();
        for (int i = 0; i < 16; i++) notes.add(new Note(60 + (i % 5) * 2, i * 0.5, 0.45, 80));
        NoteSequence phrase = new NoteSequence(notes, TempoMap.constant(120));
        try (Gpt2Generator gpt = Gpt2Generator.open(dir, OnnxSessions.Device.CPU)) {
            RemiTokenizer tokenizer = RemiTokenizer.of(gpt);
            RemiContinuation.Prompt prompt = RemiContinuation.prompt(gpt, tokenizer, phrase, 2);
            SamplingConfig sampling = new SamplingConfig(true, 1.0, 50, 1.0, 1.0, List.of(gpt.padTokenId()));
            int free = 0, ruled = 0;
            for (long seed = 0; seed < 8; seed++) {
                GenerationRequest request = gpt.request(prompt.newTokens(), sampling, seed).withEos(-1);
                free += backwards(tokenizer, prompt, gpt.generate(prompt.ids(), request, () -> false, Progress.NONE).tokens().get(0));
                ruled += backwards(tokenizer, prompt, gpt.generate(prompt.ids(), request.withRule(new RemiTimeOrder(tokenizer)), () -> false, Progress.NONE)
                        .tokens().get(0));
            }
            assertTrue(free > 0, "the tiny model goes back in time when nothing stops it");
            assertEquals(0, ruled, "positions going back with the rule");
        }
    }

    /** Positions in the generated text that go back to an earlier onset of their bar. */
    private static int backwards(RemiTokenizer tokenizer, RemiContinuation.Prompt prompt, int[] generated) {
        int promptBase = tokenizer.decodeBpe(Arrays.copyOfRange(prompt.ids(), 1, prompt.ids().length)).size();
        int[] text = Arrays.copyOfRange(prompt.ids(), 1, prompt.ids().length + generated.length);
        System.arraycopy(generated, 0, text, prompt.ids().length - 1, generated.length);
        List<String> base = tokenizer.decodeBpe(text);
        int position = -1, count = 0;
        for (int i = 0; i < base.size(); i++) {
            String t = base.get(i);
            if (t.startsWith("Bar_")) {
                position = -1;
            } else if (t.startsWith("Position_")) {
                int p = Integer.parseInt(t.substring(9));
                if (p < position && i >= promptBase) count++;
                position = p;
            }
        }
        return count;
    }

    /**
     * A phrase with a note 2^26 beats out (one onset at tick 2^28 of a 4-tick-per-quarter file) made
     * the whole phrase's REMI text, 16 million Bar tokens, and then encoded the window bar by bar: it
     * never finished. Only the bars the context can hold are encoded now.
     */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang guard, not a measurement
    void onlyTheBarsTheContextCanHoldAreEncoded() {
        Path dir = TestPaths.fixtures("remi-model/tiny");
        TestPaths.assumeFile(dir.resolve("pianola-model.json"));
        double farBeats = 1 << 26;
        List<Note> notes = new ArrayList<>(List.of(new Note(60, 0, 1, 80), new Note(64, farBeats, 1, 80)));
        // and a file of one tick per beat: a note every two beats for 40,000 beats (10,000 bars)
        List<Note> sparse = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) sparse.add(new Note(60 + i % 12, 2.0 * i, 1, 80));
        try (Gpt2Generator gpt = Gpt2Generator.open(dir, OnnxSessions.Device.CPU)) {
            RemiTokenizer tokenizer = RemiTokenizer.of(gpt);
            for (List<Note> phrase : List.of(notes, sparse)) {
                NoteSequence seq = new NoteSequence(phrase, TempoMap.constant(120));
                RemiContinuation.Prompt prompt = RemiContinuation.prompt(gpt, tokenizer, seq, 2);
                int lastOnsetBar = (int) (phrase.get(phrase.size() - 1).startBeats() / 4);
                assertTrue(prompt.firstBar() > lastOnsetBar - gpt.contextLength(), "window starts at bar " + prompt.firstBar());
                assertTrue(prompt.ids().length + prompt.newTokens() <= gpt.contextLength());
                // the prompt is the window's own encoding: what the model is given is what the phrase ends with
                List<Note> window = new ArrayList<>();
                for (Note n : phrase) if (n.startBeats() >= prompt.firstBar() * 4.0) window.add(n.withTiming(n.startBeats() - prompt.firstBar() * 4.0, n.durationBeats()));
                assertArrayEquals(tokenizer.encode(seq.withNotes(window)), Arrays.copyOfRange(prompt.ids(), 1, prompt.ids().length));
            }
        }
    }
}
