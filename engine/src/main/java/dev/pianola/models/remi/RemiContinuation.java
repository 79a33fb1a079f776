package dev.pianola.models.remi;

import dev.pianola.BadInputException;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.runtime.GenerationRequest;
import dev.pianola.runtime.GenerationResult;
import dev.pianola.runtime.Progress;
import dev.pianola.runtime.SamplingConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A phrase continued by GPT-2 on REMI+BPE: the phrase's last bars that fit the model's context are
 * the prompt (BOS first, as in training), the model writes on, and the notes it places after the
 * phrase, within the bars asked for, are the answer. REMI has 4-beat bars and no tempo, so all of
 * this is in beats; the caller keeps the phrase's own tempo map.
 */
public final class RemiContinuation {
    /** REMI's bar, hard-coded in the paper's tokenizer (ticks_per_bar = 4 * tpq). */
    static final double BAR_BEATS = 4;
    /** Fewest new tokens worth generating; less means the phrase is too dense for the context. */
    static final int MIN_NEW_TOKENS = 16;

    private RemiContinuation() {}

    /**
     * What the model is given to continue a phrase for some bars: BOS and the tokens of as many of
     * the phrase's last bars as fit in front of the new-token budget (from the phrase's own density,
     * with room for a denser answer), the bar the window starts at, and the budget.
     */
    public record Prompt(int[] ids, int firstBar, int newTokens) {}

    public static Prompt prompt(Gpt2Generator gpt, RemiTokenizer tokenizer, NoteSequence phrase, int bars) {
        if (phrase.notes().isEmpty()) throw new BadInputException("cannot continue a phrase with no notes");
        if (bars < 1 || bars > 64) throw new BadInputException("bars to continue must be 1..64, got " + bars);
        int phraseBars = (int) Math.ceil(phrase.endBeats() / BAR_BEATS - 1e-9);
        int context = gpt.contextLength();
        // Only the last bars can reach the model. From the bar of the last onset back, each bar
        // costs a Bar token and one id holds at most maxBarsPerId of them: a window that starts
        // earlier than this can never fit, so it is not encoded (REMI's length grows with the
        // phrase's bars, so a note far out in time, or a file of one tick per beat, made it huge).
        int lastOnsetBar = (int) Math.min(Integer.MAX_VALUE - 1, Math.floor(lastOnsetBeats(phrase) / BAR_BEATS));
        long reachBars = Math.min(RemiConstants.MAX_ENCODED_BARS, (long) (context - 1 - MIN_NEW_TOKENS) * tokenizer.maxBarsPerId());
        int firstReachable = (int) Math.max(0, lastOnsetBar + 1 - reachBars);
        int[] whole = tokenizer.encode(firstReachable == 0 ? phrase : window(phrase, firstReachable * BAR_BEATS));
        double tokensPerBar = Math.max(16, whole.length / (double) Math.max(1, phraseBars - firstReachable));
        int newTokens = (int) Math.min(Math.ceil(tokensPerBar * (bars + 1) * 1.5), context - 1 - MIN_NEW_TOKENS);

        int firstBar = firstReachable;
        int[] ids = whole;
        while (1 + ids.length + newTokens > context && firstBar < phraseBars - 1) {
            firstBar++;
            ids = tokenizer.encode(window(phrase, firstBar * BAR_BEATS));
        }
        if (1 + ids.length + newTokens > context) newTokens = context - 1 - ids.length;
        if (newTokens < MIN_NEW_TOKENS) {
            throw new BadInputException("the phrase's last bar alone takes " + ids.length + " tokens; the model's context is " + context);
        }
        int[] withBos = new int[ids.length + 1];
        withBos[0] = gpt.bosTokenId();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return new Prompt(withBos, firstBar, newTokens);
    }

    /**
     * The notes the model places after the phrase, within {@code bars} bars. {@code soFar}, when not
     * null, is given the notes decided so far each time a token completes one (a longer list each
     * time, each note as it will be in the answer): REMI writes in time order, so a live session can
     * play an answer's first bar while the model writes its last.
     */
    public static List<Note> continueFrom(Gpt2Generator gpt, RemiTokenizer tokenizer, NoteSequence phrase, int bars,
                                          SamplingConfig sampling, long seed, BooleanSupplier cancelled, Progress progress,
                                          Consumer<List<Note>> soFar) {
        Prompt prompt = prompt(gpt, tokenizer, phrase, bars);
        double endBeats = phrase.endBeats();
        int barsNeeded = barTokensToWindowEnd(endBeats, bars);
        int[] barsSeen = {0};
        GenerationRequest request = gpt.request(prompt.newTokens(), sampling, seed)
                .withStop((row, token) -> (barsSeen[0] += tokenizer.barsIn(token)) >= barsNeeded);
        if (soFar != null) request = request.withStreamer(new NotesSoFar(tokenizer, prompt, endBeats, bars, soFar));
        GenerationResult result = gpt.generate(prompt.ids(), request, cancelled, progress);
        return answer(tokenizer, prompt, result.tokens().get(0), result.tokens().get(0).length, endBeats, bars);
    }

    /**
     * The answer in the first {@code count} generated tokens: back on the phrase's timeline (the
     * window starts at firstBar), what starts after the phrase and before the window's end, cut there.
     */
    private static List<Note> answer(RemiTokenizer tokenizer, Prompt prompt, int[] generated, int count, double endBeats, int bars) {
        int[] text = Arrays.copyOfRange(prompt.ids(), 1, prompt.ids().length + count);
        System.arraycopy(generated, 0, text, prompt.ids().length - 1, count);
        double offsetBeats = prompt.firstBar() * BAR_BEATS, from = endBeats, to = endBeats + bars * BAR_BEATS;
        List<Note> answer = new ArrayList<>();
        for (Note n : tokenizer.decode(text).notes()) {
            double start = n.startBeats() + offsetBeats;
            if (start < from - 1e-9 || start >= to) continue;
            answer.add(n.withTiming(start, Math.min(n.durationBeats(), to - start)));
        }
        return answer;
    }

    /** The streamer behind {@code soFar}: decodes the tokens so far after each one and passes on a longer answer. */
    private static final class NotesSoFar implements GenerationRequest.TokenStreamer {
        private final RemiTokenizer tokenizer;
        private final Prompt prompt;
        private final double endBeats;
        private final int bars;
        private final Consumer<List<Note>> soFar;
        private int[] generated = new int[64];
        private int count, notes;

        NotesSoFar(RemiTokenizer tokenizer, Prompt prompt, double endBeats, int bars, Consumer<List<Note>> soFar) {
            this.tokenizer = tokenizer;
            this.prompt = prompt;
            this.endBeats = endBeats;
            this.bars = bars;
            this.soFar = soFar;
        }

        @Override
        public void put(int row, int token) {
            if (count == generated.length) generated = Arrays.copyOf(generated, count * 2);
            generated[count++] = token;
            // a note is whole once its Duration is decoded; decoding all the text again is microseconds next to a model step
            List<Note> answer = answer(tokenizer, prompt, generated, count, endBeats, bars);
            if (answer.size() > notes) {
                notes = answer.size();
                soFar.accept(answer);
            }
        }
    }

    /**
     * Nothing after the answer's window is kept, so generation stops once the bar that begins at or
     * after the window's end has begun: this many Bar tokens after a phrase that ends at
     * {@code endBeats} (its last bar holds no Bar token of the answer's).
     */
    static int barTokensToWindowEnd(double endBeats, int bars) {
        int phraseBars = (int) Math.ceil(endBeats / BAR_BEATS - 1e-9);
        return (int) Math.ceil((endBeats + bars * BAR_BEATS) / BAR_BEATS - 1e-9) - phraseBars + 1;
    }

    private static double lastOnsetBeats(NoteSequence phrase) {
        double last = 0;
        for (Note n : phrase.notes()) last = Math.max(last, n.startBeats());
        return last;
    }

    /** The notes that start at or after {@code fromBeats}, moved so that {@code fromBeats} is beat 0. */
    private static NoteSequence window(NoteSequence phrase, double fromBeats) {
        List<Note> notes = new ArrayList<>();
        for (Note n : phrase.notes()) {
            if (n.startBeats() >= fromBeats - 1e-9) notes.add(n.withTiming(Math.max(0, n.startBeats() - fromBeats), n.durationBeats()));
        }
        return phrase.withNotes(notes);
    }
}
