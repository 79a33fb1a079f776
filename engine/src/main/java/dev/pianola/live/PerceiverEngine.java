package dev.pianola.live;

import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.perceiver.PerceiverArGenerator;
import dev.pianola.models.perceiver.PerceiverArRequest;
import dev.pianola.models.perceiver.PerceiverMidiCodec;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.time.TempoMap;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Perceiver AR (GiantMIDI) as a live engine. It counts seconds, so the context is timed at the
 * tempo where the answer starts, and it writes the seconds from the context's end to the answer's
 * end. Cancelling stops its decoding loop at the next token. It does not learn the player.
 */
public final class PerceiverEngine implements LiveEngine {
    /** A time shift is at most 1 s and a note takes 2-3 events: 400 events per second is ample. */
    static final int TOKENS_PER_SECOND = 400;

    private final PerceiverArGenerator model;

    private PerceiverEngine(PerceiverArGenerator model) {
        this.model = model;
    }

    /** Opens the package in {@code dir} and warms the model up (call it on the worker). */
    public static PerceiverEngine open(Path dir, OnnxSessions.Device device) {
        PerceiverArGenerator model = PerceiverArGenerator.open(dir, device);
        try {
            model.warmUp();
            return new PerceiverEngine(model);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "perceiver";
    }

    @Override
    public List<Note> answer(AnswerRequest request, BooleanSupplier cancelled, Consumer<List<Note>> soFar) {
        if (request.context().isEmpty()) return List.of();
        TempoMap tempo = TempoMap.constant(request.bpm());
        NoteSequence context = new NoteSequence(request.context(), tempo);
        double seconds = tempo.secondsAt(request.endBeats()) - tempo.secondsAt(context.endBeats());
        if (!(seconds > 0)) return List.of();
        int budget = (int) Math.min(1_000_000, Math.ceil(seconds * TOKENS_PER_SECOND));
        PerceiverArRequest r = new PerceiverArRequest(budget, seconds, model.defaultNumLatents(),
                ModelSampling.at(model.defaultSampling(), request.temperature()), request.seed());
        PerceiverArGenerator.Continuation c = model.continueSequence(context, r, cancelled, Progress.NONE);
        return PerceiverMidiCodec.toNoteSequence(c.newNotes(), tempo).notes();
    }

    @Override
    public boolean answersSlowly() {
        return true;
    }

    @Override
    public void close() {
        model.close();
    }
}
