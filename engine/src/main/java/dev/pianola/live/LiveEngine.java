package dev.pianola.live;

import dev.pianola.midi.Note;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * An engine the live session can ask for answers. Every method is called on the session's
 * {@link dev.pianola.runtime.InferenceWorker} thread only, one call at a time, so an engine needs
 * no locking of its own.
 */
public interface LiveEngine extends AutoCloseable {
    /** Short name for logs and status ("continuator", "remi", "perceiver"). */
    String name();

    /** A phrase the player finished (beats from any origin; only its rhythm and pitches matter). A trained model ignores it. */
    default void learn(List<Note> phrase) {
        // nothing to learn from the player
    }

    /**
     * The answer that would be asked for if the phrase ended now, while the player still plays: an
     * engine that reads the whole context (a transformer's prefill) may run it ahead, so that at the
     * phrase's end only what was played since remains. Its answer must not depend on whether this
     * was called. The default does nothing.
     */
    default void prime(AnswerRequest upcoming) {
        // nothing to run ahead
    }

    /** Whether {@link #prime} does anything (the session does not ask an engine that does not). */
    default boolean primes() {
        return false;
    }

    /**
     * Whether an answer takes long enough (a transformer's hundreds of milliseconds) that the
     * session should ask for it at the first beat of rest, as a draft, rather than when the phrase
     * ends. An engine that learns each phrase before answering it must say false.
     */
    default boolean answersSlowly() {
        return false;
    }

    /**
     * The notes that answer the request's context, starting at or after its start and cut at its
     * end, sorted by onset, in the request's beats. May be empty. {@code cancelled} says the answer is
     * no longer wanted (checked where the engine can stop early). An engine that writes its answer
     * in time order (a transformer) hands {@code soFar} the notes decided so far whenever it has
     * more (a longer list each time, every note as it will be in the answer), so that the session
     * can play the answer's start while its end is written; an engine that answers at once need not.
     */
    List<Note> answer(AnswerRequest request, BooleanSupplier cancelled, Consumer<List<Note>> soFar);

    @Override
    void close();
}
