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
     * with room for a denser answer), then the rest up to where the answer starts when that is after
     * the phrase's end; the bar the window starts at, the bar the prompt ends in, and the budget.
     */
    public record Prompt(int[] ids, int firstBar, int lastBar, int newTokens) {}

    /** The prompt for an answer that goes on from the phrase's end. */
    public static Prompt prompt(Gpt2Generator gpt, RemiTokenizer tokenizer, NoteSequence phrase, int bars) {
        return prompt(gpt, tokenizer, phrase, phrase.endBeats(), bars);
    }

    /**
     * The prompt for an answer that starts at {@code fromBeats} (at or after the phrase's end): a
     * live answer starts on the beat or bar line after the player's silence, and the model is told
     * so (REMI's Bar and Position tokens of the rest), so that it writes its first notes there
     * instead of into the silence, where they would be thrown away.
     */
    public static Prompt prompt(Gpt2Generator gpt, RemiTokenizer tokenizer, NoteSequence phrase, double fromBeats, int bars) {
        if (phrase.notes().isEmpty()) throw new BadInputException("cannot continue a phrase with no notes");
        if (bars < 1 || bars > 64) throw new BadInputException("bars to continue must be 1..64, got " + bars);
        if (!(fromBeats >= phrase.endBeats() - 1e-9)) throw new BadInputException("an answer cannot start at beat " + fromBeats + ", before the phrase ends at " + phrase.endBeats());
        boolean rest = fromBeats > phrase.endBeats() + 1e-9;
        int phraseBars = (int) Math.ceil(phrase.endBeats() / BAR_BEATS - 1e-9);
        int context = gpt.contextLength();
        // Only the last bars can reach the model. From the bar of the last onset back, each bar
        // costs a Bar token and one id holds at most maxBarsPerId of them: a window that starts
        // earlier than this can never fit, so it is not encoded (REMI's length grows with the
        // phrase's bars, so a note far out in time, or a file of one tick per beat, made it huge).
        int lastOnsetBar = (int) Math.min(Integer.MAX_VALUE - 1, Math.floor(lastOnsetBeats(phrase) / BAR_BEATS));
        long reachBars = Math.min(RemiConstants.MAX_ENCODED_BARS, (long) (context - 1 - MIN_NEW_TOKENS) * tokenizer.maxBarsPerId());
        int firstReachable = (int) Math.max(0, lastOnsetBar + 1 - reachBars);
        Encoded whole = encode(tokenizer, phrase, firstReachable, rest ? fromBeats : Double.NaN);
        double tokensPerBar = Math.max(16, whole.ids.length / (double) Math.max(1, phraseBars - firstReachable));
        int newTokens = (int) Math.min(Math.ceil(tokensPerBar * (bars + 1) * 1.5), context - 1 - MIN_NEW_TOKENS);

        int firstBar = firstReachable;
        Encoded encoded = whole;
        while (1 + encoded.ids.length + newTokens > context && firstBar < phraseBars - 1) {
            firstBar++;
            encoded = encode(tokenizer, phrase, firstBar, rest ? fromBeats : Double.NaN);
        }
        int[] ids = encoded.ids;
        if (1 + ids.length + newTokens > context) newTokens = context - 1 - ids.length;
        if (newTokens < MIN_NEW_TOKENS) {
            throw new BadInputException("the phrase's last bar alone takes " + ids.length + " tokens; the model's context is " + context);
        }
        int[] withBos = new int[ids.length + 1];
        withBos[0] = gpt.bosTokenId();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return new Prompt(withBos, firstBar, firstBar + encoded.barsBegun - 1, newTokens);
    }

    /** BPE ids of the phrase from bar {@code firstBar} on (then the rest to {@code restUntilBeats} unless NaN), and the Bar tokens among them. */
    private record Encoded(int[] ids, int barsBegun) {}

    private static Encoded encode(RemiTokenizer tokenizer, NoteSequence phrase, int firstBar, double restUntilBeats) {
        NoteSequence notes = firstBar == 0 ? phrase : window(phrase, firstBar * BAR_BEATS);
        List<String> tokens = Double.isNaN(restUntilBeats)
                ? tokenizer.remiTokens(notes, RemiConstants.TICKS_PER_QUARTER)
                : tokenizer.remiTokensWithRest(notes, restUntilBeats - firstBar * BAR_BEATS);
        int bars = 0;
        for (String t : tokens) if (t.startsWith(RemiConstants.BAR + "_")) bars++;
        return new Encoded(tokenizer.applyBpe(tokenizer.baseIds(tokens)), bars);
    }

    /** The answer that goes on from the phrase's end, within {@code bars} bars; see the other overload. */
    public static List<Note> continueFrom(Gpt2Generator gpt, RemiTokenizer tokenizer, NoteSequence phrase, int bars,
                                          SamplingConfig sampling, long seed, BooleanSupplier cancelled, Progress progress,
                                          Consumer<List<Note>> soFar) {
        return continueFrom(gpt, tokenizer, phrase, phrase.endBeats(), bars, sampling, seed, cancelled, progress, soFar, false);
    }

    /**
     * The notes the model places from {@code fromBeats} (the phrase's end, or later after a rest)
     * on, within {@code bars} bars. {@code soFar}, when not null, is given the notes of each onset
     * once the model has moved past it (a longer list each time, each note as it will be in the
     * answer; the last onset's come with the answer itself): REMI writes in time order, so a live
     * session can play an answer's first bar while the model writes its last. {@code inTimeOrder}:
     * the model may not go back to an earlier onset ({@link RemiTimeOrder}; a live answer's notes
     * there would come too late), which changes what it writes where it would have.
     */
    public static List<Note> continueFrom(Gpt2Generator gpt, RemiTokenizer tokenizer, NoteSequence phrase, double fromBeats, int bars,
                                          SamplingConfig sampling, long seed, BooleanSupplier cancelled, Progress progress,
                                          Consumer<List<Note>> soFar, boolean inTimeOrder) {
        Prompt prompt = prompt(gpt, tokenizer, phrase, fromBeats, bars);
        double toBeats = fromBeats + bars * BAR_BEATS;
        int barsNeeded = barTokensToWindowEnd(prompt.lastBar(), toBeats);
        int[] barsSeen = {0};
        GenerationRequest request = gpt.request(prompt.newTokens(), sampling, seed)
                .withStop((row, token) -> (barsSeen[0] += tokenizer.barsIn(token)) >= barsNeeded);
        if (soFar != null) request = request.withStreamer(new NotesSoFar(tokenizer, prompt, fromBeats, toBeats, soFar));
        if (inTimeOrder) request = request.withRule(new RemiTimeOrder(tokenizer));
        GenerationResult result = gpt.generate(prompt.ids(), request, cancelled, progress);
        return answer(tokenizer, prompt, result.tokens().get(0), result.tokens().get(0).length, fromBeats, toBeats);
    }

    /**
     * The answer in the first {@code count} generated tokens: back on the phrase's timeline (the
     * window starts at firstBar), what starts in [from, to), cut at its end.
     */
    private static List<Note> answer(RemiTokenizer tokenizer, Prompt prompt, int[] generated, int count, double fromBeats, double toBeats) {
        return answer(tokenizer, prompt, tokenizer.decodeBpe(text(prompt, generated, count)), fromBeats, toBeats);
    }

    /** The prompt's tokens (without BOS) followed by the first {@code count} generated ones. */
    private static int[] text(Prompt prompt, int[] generated, int count) {
        int[] text = Arrays.copyOfRange(prompt.ids(), 1, prompt.ids().length + count);
        System.arraycopy(generated, 0, text, prompt.ids().length - 1, count);
        return text;
    }

    /** As above, from the text's base tokens. */
    private static List<Note> answer(RemiTokenizer tokenizer, Prompt prompt, List<String> baseTokens, double fromBeats, double toBeats) {
        double offsetBeats = prompt.firstBar() * BAR_BEATS, from = fromBeats, to = toBeats;
        List<Note> answer = new ArrayList<>();
        for (Note n : tokenizer.decode(baseTokens).notes()) {
            double start = n.startBeats() + offsetBeats;
            if (start < from - 1e-9 || start >= to) continue;
            answer.add(n.withTiming(start, Math.min(n.durationBeats(), to - start)));
        }
        return answer;
    }

    /** The answer's notes in {@code text} that start before the onset it has reached (see {@code RemiTokenizer.writingAtBeats}). */
    static List<Note> complete(RemiTokenizer tokenizer, Prompt prompt, int[] text, double fromBeats, double toBeats) {
        List<String> base = tokenizer.decodeBpe(text); // once, for the notes and the onset reached
        double writingAtBeats = tokenizer.writingAtBeats(base) + prompt.firstBar() * BAR_BEATS;
        List<Note> complete = new ArrayList<>();
        for (Note n : answer(tokenizer, prompt, base, fromBeats, toBeats)) if (n.startBeats() < writingAtBeats - 1e-9) complete.add(n);
        return complete;
    }

    /**
     * The streamer behind {@code soFar}: decodes the tokens so far after each one and passes on a
     * longer answer, onset by onset: the notes before the onset the model is writing at, so that a
     * chord is handed over whole (a live session plays an answer from its first notes, and a chord
     * note decided after its beat would be left out).
     */
    private static final class NotesSoFar implements GenerationRequest.TokenStreamer {
        private final RemiTokenizer tokenizer;
        private final Prompt prompt;
        private final double fromBeats, toBeats;
        private final Consumer<List<Note>> soFar;
        private int[] generated = new int[64];
        private int count, notes;

        NotesSoFar(RemiTokenizer tokenizer, Prompt prompt, double fromBeats, double toBeats, Consumer<List<Note>> soFar) {
            this.tokenizer = tokenizer;
            this.prompt = prompt;
            this.fromBeats = fromBeats;
            this.toBeats = toBeats;
            this.soFar = soFar;
        }

        @Override
        public void put(int row, int token) {
            if (count == generated.length) generated = Arrays.copyOf(generated, count * 2);
            generated[count++] = token;
            // decoding all the text again is microseconds next to a model step
            List<Note> complete = complete(tokenizer, prompt, text(prompt, generated, count), fromBeats, toBeats);
            if (complete.size() > notes) {
                notes = complete.size();
                soFar.accept(complete);
            }
        }
    }

    /**
     * Nothing after the answer's window is kept, so generation stops once the bar that begins at or
     * after the window's end ({@code toBeats}) has begun: this many Bar tokens after a prompt that
     * ends in bar {@code lastBar}.
     */
    static int barTokensToWindowEnd(int lastBar, double toBeats) {
        return (int) Math.ceil(toBeats / BAR_BEATS - 1e-9) - lastBar;
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
