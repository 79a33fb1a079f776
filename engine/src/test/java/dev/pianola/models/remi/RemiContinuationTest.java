package dev.pianola.models.remi;

import dev.pianola.TestPaths;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REMI continuation stops once its window is covered, with the notes the whole budget gives
 * (the tiny random-weight model writes few Bar tokens, so the rule itself is checked on its own).
 */
class RemiContinuationTest {
    @Test
    void theBarThatBeginsAtTheWindowsEndIsTheLastOneGenerated() {
        // a phrase ending in bar 1 (at 7.95), 2 bars more: the window runs to 15.95 through bars 2 and 3,
        // and the answer ends at the Bar token of bar 4 (the third after the phrase)
        assertEquals(3, RemiContinuation.barTokensToWindowEnd(7.95, 2));
        // ending on a bar line: bars 2 and 3 hold the window, bar 4 begins at its very end
        assertEquals(3, RemiContinuation.barTokensToWindowEnd(8.0, 2));
        // ending in bar 0, one bar more (to 4.5): the tokens of bar 1 are needed, to bar 2's Bar
        assertEquals(2, RemiContinuation.barTokensToWindowEnd(0.5, 1));
        assertEquals(5, RemiContinuation.barTokensToWindowEnd(13.0, 4));
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

    /** The notes handed over while the model writes are the answer's, each as it will be, in a growing list ending in the whole answer. */
    @Test
    void notesSoFarAreTheAnswersOwnAndEndInTheWholeAnswer() {
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
                if (!answer.isEmpty()) {
                    assertEquals(new java.util.HashSet<>(answer), new java.util.HashSet<>(soFar.get(soFar.size() - 1)), "seed " + seed + ": the last list is the answer");
                    streamed += soFar.size() > 1 ? 1 : 0;
                }
            }
        }
        assertTrue(streamed > 0, "some answer was handed over in more than one part");
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
