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
 * tempo where the answer starts, and it writes the answer's seconds from its start (the player's
 * silence before it is in the prompt, as time shifts). Cancelling stops its decoding loop at the next token. It does not learn the player.
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
        // the model writes from the answer's start: the player's silence before it is in the prompt
        double fromSeconds = tempo.secondsAt(Math.max(request.startBeats(), context.endBeats()));
        double seconds = tempo.secondsAt(request.endBeats()) - fromSeconds;
        if (!(seconds > 0)) return List.of();
        int budget = (int) Math.min(1_000_000, Math.ceil(seconds * TOKENS_PER_SECOND));
        PerceiverArRequest r = new PerceiverArRequest(budget, seconds, model.defaultNumLatents(),
                ModelSampling.at(model.defaultSampling(), request.temperature()), request.seed());
        PerceiverArGenerator.Continuation c = model.continueSequence(context, fromSeconds, r, cancelled, Progress.NONE);
        return PerceiverMidiCodec.toNoteSequence(c.newNotes(), tempo).notes();
    }

    /**
     * No streaming prefill: nothing of the answer's prefill is both computable ahead and still
     * costly. The answer's prompt is the context's last ids; its last (num_latents, 1 here) is the
     * latent, the rest prefix. (1) A prefix id's cross-attention keys and values depend on the id
     * alone (no absolute position embedding; the cache holds them before the rotary embedding), so
     * they could be run ahead exactly (PerceiverArGeneratorTest shows it bit for bit), but the
     * package's graph looks them up in a table made at export, so they cost nothing at the answer
     * anyway. (2) The rotary embedding is applied to every key at every run with its position in
     * the window, which moves whenever old notes leave the context: HF's arithmetic recomputes it,
     * and so must we. (3) The latent's pass (the cross-attention query over all keys and the 18
     * self-attention layers) cannot be run ahead: the latent is the context's last event, known
     * only once the phrase's last note is released, and a token that was a latent at a bar line
     * is a prefix token at the answer (kv_norm keys instead of q_norm, other self-attention
     * context). So the answer costs one latent pass, then one pass per new id, primed or not.
     */
    @Override
    public boolean primes() {
        return false;
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
