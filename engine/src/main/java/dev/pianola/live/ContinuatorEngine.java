package dev.pianola.live;

import dev.pianola.midi.Note;
import dev.pianola.models.continuator.Continuator;
import dev.pianola.models.continuator.ContinuatorOptions;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The default engine: a {@link Continuator} that learns every phrase the player ends and answers in
 * the player's own material. It learns in all twelve keys, so it can follow a player who changes key
 * (an answer still stays in the key of the phrase it answers).
 *
 * <p>Memory stays bounded: it keeps the phrases it learned, and once they hold more than
 * {@link #MAX_MEMORY_NOTES} notes it forgets the oldest down to {@link #KEPT_NOTES_AFTER_FORGETTING}
 * and relearns the rest into a fresh Continuator (which has no way to unlearn). Forgetting half at
 * a time makes the relearning rare, so its cost per phrase stays small.
 */
public final class ContinuatorEngine implements LiveEngine {
    /** About ten minutes of busy playing; with its twelve transpositions some 25,000 events. */
    static final int MAX_MEMORY_NOTES = 2048;
    static final int KEPT_NOTES_AFTER_FORGETTING = MAX_MEMORY_NOTES / 2;

    private final ContinuatorOptions baseOptions;
    private final Deque<List<Note>> phrases = new ArrayDeque<>();
    private int notesKept;
    private Continuator continuator;

    public ContinuatorEngine() {
        this(ContinuatorOptions.DEFAULT.withTranspose(true));
    }

    public ContinuatorEngine(ContinuatorOptions options) {
        this.baseOptions = options;
        this.continuator = new Continuator(options);
    }

    @Override
    public String name() {
        return "continuator";
    }

    @Override
    public void learn(List<Note> phrase) {
        if (phrase.isEmpty()) return;
        phrases.addLast(List.copyOf(phrase));
        notesKept += phrase.size();
        if (notesKept <= MAX_MEMORY_NOTES) {
            continuator.learn(phrase);
            return;
        }
        while (notesKept > KEPT_NOTES_AFTER_FORGETTING && phrases.size() > 1) notesKept -= phrases.removeFirst().size();
        rebuild(continuator.options());
    }

    @Override
    public List<Note> answer(AnswerRequest request, BooleanSupplier cancelled, Consumer<List<Note>> soFar) {
        if (request.context().isEmpty()) return List.of();
        // temperature is fixed per Continuator: a new one is relearned from the kept phrases
        if (continuator.options().temperature() != request.temperature()) rebuild(baseOptions.withTemperature(request.temperature()));
        if (continuator.eventsLearned() == 0) learn(request.context());
        return continuator.continueFrom(request.context(), request.startBeats(), request.lengthBeats(), request.seed());
    }

    private void rebuild(ContinuatorOptions options) {
        continuator = new Continuator(options);
        for (List<Note> p : phrases) continuator.learn(p);
    }

    /** Notes of the phrases it remembers. */
    public int notesRemembered() {
        return notesKept;
    }

    /** Events in the Continuator's memory (transposed copies included). */
    public int eventsRemembered() {
        return continuator.eventsLearned();
    }

    @Override
    public void close() {
        phrases.clear();
    }
}
