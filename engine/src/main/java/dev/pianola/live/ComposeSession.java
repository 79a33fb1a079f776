package dev.pianola.live;

import dev.pianola.BadInputException;
import dev.pianola.arrange.ArrangeOptions;
import dev.pianola.audio.Audio;
import dev.pianola.cover.BasicPitchCover;
import dev.pianola.cover.BeatGrid;
import dev.pianola.midi.Note;
import dev.pianola.models.ModelFamily;
import dev.pianola.models.basicpitch.BasicPitch;
import dev.pianola.models.basicpitch.NoteEvent;
import dev.pianola.runtime.InferenceWorker;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The plug-in's Compose engine: at the press of a control, a text-to-music model ({@link Composer},
 * MusicGen) makes N bars' worth of music at the host's tempo, Basic Pitch and the arranger cover it
 * on its own tracked beat grid ({@link BasicPitchCover}, as {@code pianola cover} does), and the
 * cover is played from the host's next bar line: cover beat 0 (the audio's first sample; the
 * tracker's grid counts whole beats from there) lands on that bar line and one cover beat is one
 * host beat, so the piece follows the host's tempo and bars whatever tempo the model chose. The
 * piece is cut at N bars of the host's meter.
 *
 * <p>Threads: one thread calls {@link #compose} and {@link #onBlock} (the instance thread) and never
 * waits there; the models load on the first composition and run on the session's own
 * {@link InferenceWorker}. A new composition cancels one still being made; closing cancels it too.
 */
public final class ComposeSession implements AutoCloseable {
    /**
     * The bar line a piece starts on is at least this far after the block in which its notes were
     * ready: live, Java handles a block after the host has played it, so a bar line at the very end
     * of that block may already be gone.
     */
    public static final double LEAD_SECONDS = 0.1;

    /**
     * What to compose.
     *
     * @param prompt        the text prompt
     * @param bars          the piece's length in the host's bars
     * @param beatsPerBar   the host's bar, in beats (quarter notes)
     * @param bpm           the host's tempo: the music asked for lasts {@code bars * beatsPerBar * 60 / bpm} seconds
     * @param seed          the sampler's seed
     * @param temperature   sampling temperature (0: the likeliest)
     * @param velocityScale the cover's velocities are multiplied by this (then kept in 1..127)
     */
    public record Request(String prompt, int bars, double beatsPerBar, double bpm, long seed, double temperature, double velocityScale) {
        public Request {
            if (prompt == null || prompt.isBlank()) throw new BadInputException("the prompt is empty");
            if (bars < 1) throw new BadInputException("a piece needs at least one bar, got " + bars);
            if (!(beatsPerBar > 0) || !(bpm > 0) || !Double.isFinite(bpm)) throw new BadInputException("compose needs the host's bar and tempo");
            if (!(velocityScale > 0)) throw new BadInputException("velocity scale must be more than 0, got " + velocityScale);
        }

        public double beats() {
            return bars * beatsPerBar;
        }

        /** The music's length at the host's tempo. */
        public double seconds() {
            return beats() * 60.0 / bpm;
        }
    }

    /**
     * A composition covered to piano.
     *
     * @param request      what was asked
     * @param notes        the cover in cover beats (0: the audio's first sample on its tracked grid), cut at the request's beats
     * @param seconds      the music made (the request's, or less where the model's positions end)
     * @param gridBpm      the tempo the tracker found in the music (the host's tempo when it found no beat)
     * @param computeNanos composing and covering, on the worker
     */
    public record Piece(Request request, List<Note> notes, double seconds, double gridBpm, long computeNanos) {
        public Piece {
            notes = List.copyOf(notes);
        }
    }

    /** A piece as it was scheduled: its cover beat 0 at {@code startBeats} of the host. */
    public record Placed(Piece piece, double startBeats) {}

    private final InferenceWorker worker;
    private final ModelFamily family;
    private final Path packageDir, basicPitchFile;
    private final ArrangeOptions options;
    private final int channel;
    // the models: worker thread only (closed after the worker has stopped)
    private Composer composer;
    private BasicPitch basicPitch;
    // the instance thread's
    private InferenceWorker.Job<Piece> pending;
    private Throwable failure;
    private Placed lastPlaced;

    private ComposeSession(String name, ModelFamily family, Path packageDir, Path basicPitchFile, ArrangeOptions options, int channel) {
        if (!family.composes()) throw new IllegalArgumentException(family.name() + " does not compose");
        this.family = family;
        this.packageDir = packageDir;
        this.basicPitchFile = basicPitchFile;
        this.options = options;
        this.channel = channel;
        this.worker = new InferenceWorker("compose-" + name, () -> {});
    }

    /**
     * A session composing with {@code family}'s package in {@code packageDir} and covering with Basic
     * Pitch ({@code basicPitchFile}, nmp.onnx); both load on its worker with the first composition.
     */
    public static ComposeSession start(String name, ModelFamily family, Path packageDir, Path basicPitchFile, ArrangeOptions options, int channel) {
        return new ComposeSession(name, family, packageDir, basicPitchFile, options, channel);
    }

    /** The family that composes ("musicgen"). */
    public ModelFamily family() {
        return family;
    }

    /** Starts composing {@code r} on the worker; a composition still being made is cancelled. */
    public void compose(Request r) {
        if (pending != null) pending.cancel();
        failure = null;
        pending = worker.submit((cancelled, progress) -> make(r, cancelled), Progress.NONE);
    }

    /** Cancels the composition being made or waiting to be placed, if any (the host's reset). */
    public void cancel() {
        if (pending != null) pending.cancel();
        pending = null;
    }

    /** Whether a composition is being made or waits to be placed. */
    public boolean pending() {
        return pending != null;
    }

    /** Whether the composition being made is done (offline: the caller may wait for this). */
    public boolean ready() {
        return pending != null && pending.future().isDone();
    }

    /** Why the last composition failed (the model would not load or run), or null; cleared by {@link #compose}. */
    public Throwable failure() {
        return failure;
    }

    /** The last piece scheduled, or null. */
    public Placed lastPlaced() {
        return lastPlaced;
    }

    /**
     * One block of the host's: when a composition is ready and the transport rolls, its notes from
     * the next bar line (at least {@link #LEAD_SECONDS} after the block), beat-stamped, note-ons and
     * note-offs; else nothing. A failed composition is kept in {@link #failure()}.
     */
    public List<OutputEvent> onBlock(TransportSnapshot t) {
        if (pending == null || !pending.future().isDone()) return List.of();
        Piece piece;
        try {
            piece = pending.future().getNow(null);
        } catch (RuntimeException e) {
            pending = null;
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (!(cause instanceof java.util.concurrent.CancellationException)) failure = cause;
            return List.of();
        }
        if (!t.rolling()) return List.of(); // placed when the host plays
        pending = null;
        double start = t.barLineAtOrAfter(t.endBeats() + LEAD_SECONDS * t.bpm() / 60.0);
        double end = start + piece.request().beats();
        List<OutputEvent> out = new ArrayList<>(2 * piece.notes().size());
        for (Note n : piece.notes()) {
            double on = start + n.startBeats();
            double off = Math.min(end, on + Math.max(n.durationBeats(), 1.0 / 64));
            int velocity = (int) Math.max(1, Math.min(127, Math.round(n.velocity() * piece.request().velocityScale())));
            out.add(OutputEvent.noteOn(on, channel, n.pitch(), velocity));
            out.add(OutputEvent.noteOff(off, channel, n.pitch()));
        }
        lastPlaced = new Placed(piece, start);
        return out;
    }

    // ---- the worker ----

    private Piece make(Request r, java.util.function.BooleanSupplier cancelled) {
        long t0 = System.nanoTime();
        if (composer == null) composer = family.composer().open(packageDir, OnnxSessions.Device.AUTO);
        if (basicPitch == null) basicPitch = BasicPitch.load(basicPitchFile, OnnxSessions.Device.AUTO);
        double seconds = Math.min(r.seconds(), composer.maxSeconds());
        float[] samples = composer.compose(r.prompt(), seconds, r.seed(), r.temperature(), cancelled);
        Audio audio = new Audio(samples, composer.sampleRate());
        // the chain pianola compose --piano runs: the music's own beats; none found (silence, too short): the host's tempo
        BasicPitchCover.Song song = BasicPitchCover.cover(basicPitch, audio, at -> {
            BeatGrid tracked = BeatGrid.tracked(at, null);
            return tracked.beatCount() >= 2 ? tracked : new BeatGrid(TempoMap.constant(r.bpm()), List.of(TimeSignature.FOUR_FOUR), false, "host tempo", new double[0]);
        }, BasicPitchCover.NOTE_OPTIONS, options, Progress.NONE, step -> {});
        List<Note> kept = new ArrayList<>();
        for (Note n : song.notes().notes()) {
            if (n.startBeats() >= -1e-9 && n.startBeats() < r.beats() - 1e-9) kept.add(n);
        }
        return new Piece(r, kept, samples.length / (double) composer.sampleRate(), song.notes().mainBpm(),
                System.nanoTime() - t0);
    }

    /** Stops the worker (cancelling a composition), then closes the models. */
    @Override
    public void close() {
        worker.close();
        if (composer != null) composer.close();
        if (basicPitch != null) basicPitch.close();
    }
}
