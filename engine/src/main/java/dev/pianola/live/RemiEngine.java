package dev.pianola.live;

import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.remi.Gpt2Generator;
import dev.pianola.models.remi.RemiContinuation;
import dev.pianola.models.remi.RemiTokenizer;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.time.TempoMap;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * GPT-2 on REMI+BPE as a live engine: the context is the prompt and the model writes the bars up
 * to the answer's end, from the answer's start (the player's silence is in the prompt) and in time
 * order ({@link dev.pianola.models.remi.RemiTimeOrder}), handing over its notes onset by onset. It does not learn the player. REMI's bars are 4 beats from beat 0, which
 * the request's origin (a bar line) lines up with the host's bars in 4/4. A generation runs to its
 * token budget or until {@code cancelled} (a draft thrown away) says stop.
 */
public final class RemiEngine implements LiveEngine {
    /** REMI writes 4-beat bars, and at most 64 of them per call. */
    static final double REMI_BAR_BEATS = 4;
    static final int MAX_BARS = 64;

    private final Gpt2Generator gpt;
    private final RemiTokenizer tokenizer;

    private RemiEngine(Gpt2Generator gpt) {
        this.gpt = gpt;
        this.tokenizer = RemiTokenizer.of(gpt);
    }

    /** Opens the package in {@code dir} and warms the model up (call it on the worker). */
    public static RemiEngine open(Path dir, OnnxSessions.Device device) {
        Gpt2Generator gpt = Gpt2Generator.open(dir, device);
        try {
            RemiEngine engine = new RemiEngine(gpt);
            gpt.warmUp();
            return engine;
        } catch (RuntimeException e) {
            gpt.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "remi";
    }

    @Override
    public List<Note> answer(AnswerRequest request, BooleanSupplier cancelled, Consumer<List<Note>> soFar) {
        if (request.context().isEmpty()) return List.of();
        NoteSequence phrase = phrase(request);
        return RemiContinuation.continueFrom(gpt, tokenizer, phrase, from(request, phrase), bars(request), ModelSampling.at(gpt.defaultSampling(), request.temperature()),
                request.seed(), cancelled, Progress.NONE, soFar, true);
    }

    /** Runs the phrase so far through the model (streaming prefill): the answer then runs only its last tokens. */
    @Override
    public void prime(AnswerRequest upcoming) {
        if (upcoming.context().isEmpty()) return;
        NoteSequence phrase = phrase(upcoming);
        gpt.prime(RemiContinuation.prompt(gpt, tokenizer, phrase, from(upcoming, phrase), bars(upcoming)).ids());
    }

    @Override
    public boolean primes() {
        return gpt.primes();
    }

    @Override
    public boolean answersSlowly() {
        return true;
    }

    private static NoteSequence phrase(AnswerRequest request) {
        return new NoteSequence(request.context(), TempoMap.constant(request.bpm()));
    }

    /**
     * The model writes from the answer's start: the player's silence before it is in the prompt, so
     * the first notes land in the answer, not in the rest where they would be thrown away.
     */
    private static double from(AnswerRequest request, NoteSequence phrase) {
        return Math.max(request.startBeats(), phrase.endBeats());
    }

    /** Enough of REMI's bars to cover the answer's window. */
    private static int bars(AnswerRequest request) {
        int bars = (int) Math.ceil(request.lengthBeats() / REMI_BAR_BEATS - 1e-9);
        return Math.max(1, Math.min(MAX_BARS, bars));
    }

    @Override
    public void close() {
        gpt.close();
    }
}
