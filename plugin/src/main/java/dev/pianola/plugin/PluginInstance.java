package dev.pianola.plugin;

import dev.pianola.models.ModelCatalog;
import dev.pianola.models.ModelFamilies;
import dev.pianola.models.ModelFamily;

import dev.pianola.UsageException;
import dev.pianola.arrange.ArrangePresets;
import dev.pianola.live.ComposeSession;
import dev.pianola.live.CoverSession;
import dev.pianola.live.InputEvent;
import dev.pianola.live.LiveEngine;
import dev.pianola.live.LiveEngines;
import dev.pianola.live.LiveParameters;
import dev.pianola.live.LiveSession;
import dev.pianola.live.OutputEvent;
import dev.pianola.live.TransportSnapshot;
import dev.pianola.runtime.InferenceWorker;
import dev.pianola.runtime.ModelPackage;
import dev.pianola.runtime.ModelStore;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.runtime.Seeds;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One plug-in instance's Java side: a daemon thread that consumes the shim's input ring, turns its
 * records into blocks for a {@link LiveSession} and writes the session's beat-stamped notes into
 * the note ring (record layouts: native-shim/core/pn_protocol.h and scheduler.h; ProtocolTest checks these
 * constants against the shim's).
 *
 * <p>Blocks: the shim ends each host block with a BLOCK record; a TRANSPORT record inside a block
 * splits it, so each {@code onBlock} call sees one transport from its first frame (a tempo change
 * or a loop mid-block lands on its exact frame). After a BLOCK record the notes are in the ring
 * and {@code processed} in the control block says so (release), which the shim waits for while
 * the host renders offline (freewheel). The epoch (scheduler.h) is counted from TRANSPORT records
 * with the dropped flag and taken over from every BLOCK record, and stamped on each note.
 *
 * <p>Threads: the instance thread polls (a short spin after work, then parks 0.1 ms, then 1 ms
 * when idle: no core burnt while nothing plays); the engine runs on the instance's own
 * {@link InferenceWorker}. Offline, the instance thread waits (bounded) for a pending answer or
 * a loading engine before a block, so a bounce does not depend on the machine's speed.
 *
 * <p>The Compose engine (an Engine menu entry of a composing family, {@link ModelFamilies#ENGINE_MENU})
 * does not answer the player: the Compose control's rising edge makes a {@link ComposeSession}
 * compose Answer Length bars from the prompt (PROMPT records) at the host's tempo, and plays the
 * piece from the next bar line. Choosing another engine, or the host's reset (deactivate and
 * activate), cancels it.
 *
 * <p>Failures (an engine that cannot load, an exception in the session) set status 3 in the
 * control block and log one line; records are still consumed, so the shim never waits in vain,
 * and choosing another engine recovers.
 */
final class PluginInstance implements AutoCloseable {
    static final int INPUT_RECORD = 32, NOTE_RECORD = 16, AUDIO_RECORD = 4;
    static final int CONTROL_MAGIC = 0x50524E43, CONTROL_PROCESSED = 64, CONTROL_STATUS = 72;
    static final int REC_MIDI = 1, REC_TRANSPORT = 2, REC_PARAMETER = 3, REC_BLOCK = 4, REC_PLAYED = 5, REC_PROMPT = 6;
    /** Bytes of the prompt per PROMPT record, and the most a prompt has (native-shim/core/pn_params.h). */
    static final int PROMPT_CHUNK_BYTES = 12, PROMPT_MAX_BYTES = 1024;
    static final int TR_ROLLING = 1, TR_JUMPED = 2, TR_GRID = 4, TR_DROPPED = 8, TR_RESYNC = 16;
    static final int BLOCK_AUDIO = 1;
    /** The listen parameter: the MIDI session and the cover both listen (each plays only what it hears), or one of them. */
    static final int LISTEN_AUTO = 0, LISTEN_MIDI = 1, LISTEN_AUDIO = 2;
    static final int STATUS_OK = 0, STATUS_STARTING = 1, STATUS_JAVA_UNAVAILABLE = 2, STATUS_ERROR = 3;
    /** Offline: the longest wait for an answer or an engine before one block (the shim waits 200 ms in all). */
    static final long OFFLINE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(150);
    /** A full note ring is retried this long before notes are dropped (the host stopped calling run). */
    static final long NOTE_RING_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int SPINS = 2000, SHORT_PARKS = 200;

    private final long handle;
    private final SharedRing input, notes, audio;
    private final ByteBuffer control;
    private final double sampleRate;
    private final Thread thread;
    private volatile boolean running = true;
    private final PrintWriter noteLog;
    /** The instance's virtual MIDI port (JACK), or null without a JACK server. */
    private final VirtualMidiPort virtualPort;

    // transport, as the last TRANSPORT record told it
    private long anchorFrame;
    private double anchorBeat = Double.NaN;
    private boolean rolling, grid;
    private double beatsPerBar = 4, bpm = 120, speed;
    private int epoch;
    // the block being gathered
    private long segmentStart = -1;
    private final List<InputEvent> segmentInput = new ArrayList<>();
    // parameters (the shim sends every port after it starts); each instance draws its own seeds,
    // so two instances or two sessions do not play the same answers, unless PIANOLA_SEED fixes them
    private LiveParameters parameters = LiveParameters.DEFAULT.withSeed(seedFromEnvironment());
    private boolean freewheel, parametersKnown;
    // engine and session
    private InferenceWorker worker;
    private LiveEngine engine;
    private LiveSession session;
    private ModelFamily sessionEngine, openingEngine, failedEngine;
    private InferenceWorker.Job<LiveEngine> opening;
    private String lastError;
    private long composeCount;
    private long notesDropped, errors;
    // the audio cover (ports 16-18); its blocks wait for their samples, which come with the BLOCK record
    private int listen = LISTEN_AUTO, coverLagBars = 2;
    private boolean captureHigh, coverFailed, composePressed, composeHintLogged;
    private CoverSession cover;
    private final List<TransportSnapshot> coverBlocks = new ArrayList<>();
    private float[] blockAudio = new float[4096];
    // the Compose engine: the composing family chosen in the Engine menu (null: a live engine), its session, the prompt
    private ModelFamily composeFamily;
    private ComposeSession compose;
    private boolean composeHigh;
    private volatile String prompt = ""; // the instance thread writes it; tests read it
    private final byte[] promptBytes = new byte[PROMPT_MAX_BYTES];
    private int promptLength, promptGot = -1; // -1: no prompt being received

    private PluginInstance(long handle, SharedRing input, SharedRing notes, SharedRing audio, ByteBuffer control, double sampleRate) {
        this.handle = handle;
        this.input = input;
        this.notes = notes;
        this.audio = audio;
        this.control = control;
        this.sampleRate = sampleRate;
        this.noteLog = openNoteLog(handle);
        this.virtualPort = VirtualMidiPort.open(line -> Bridge.log("instance " + handle + ": " + line));
        this.thread = new Thread(this::loop, "pianola-instance-" + handle);
        thread.setDaemon(true); // never keeps the host's process alive
    }

    /**
     * PIANOLA_SEED (a whole number) makes every instance answer with the same seeds, for a session
     * to be played again or a test to compare two instances; otherwise a fresh seed per instance.
     */
    static long seedFromEnvironment() {
        String env = System.getenv("PIANOLA_SEED");
        if (env != null && !env.isBlank()) {
            try {
                return Long.parseLong(env.trim());
            } catch (NumberFormatException e) {
                Bridge.log("PIANOLA_SEED=" + env + " is not a whole number: a fresh seed is used");
            }
        }
        return Seeds.fresh();
    }

    static PluginInstance start(long handle, ByteBuffer input, ByteBuffer notes, ByteBuffer audio, ByteBuffer control, double sampleRate, String bundlePath) {
        if (!(sampleRate > 0)) throw new IllegalArgumentException("sample rate must be > 0, got " + sampleRate);
        ByteBuffer c = control.order(ByteOrder.nativeOrder());
        if (c.capacity() < 128 || c.getInt(0) != CONTROL_MAGIC || c.getInt(4) != 1) throw new IllegalArgumentException("not a version-1 Pianola control block");
        // load the engine's classes now: a bundle without its lib/ fails here, at the boundary, not later on the thread
        LiveParameters defaults = LiveParameters.DEFAULT;
        if (defaults == null || LiveSession.class.getName().isEmpty()) throw new IllegalStateException("engine classes unavailable");
        PluginInstance p = new PluginInstance(handle, new SharedRing(input, INPUT_RECORD, "input"), new SharedRing(notes, NOTE_RECORD, "note"),
                new SharedRing(audio, AUDIO_RECORD, "audio"), c, sampleRate);
        p.thread.start();
        return p;
    }

    // ---- the instance thread ----

    private void loop() {
        int idle = 0;
        while (running) {
            boolean worked;
            try {
                worked = drain();
            } catch (Throwable t) {
                fail("the instance thread caught " + Bridge.oneLine(t));
                worked = true;
            }
            if (worked) {
                idle = 0;
            } else if (++idle < SPINS) {
                Thread.onSpinWait(); // the next block usually comes within microseconds while the host runs
            } else {
                LockSupport.parkNanos(idle < SPINS + SHORT_PARKS ? 100_000 : 1_000_000);
            }
        }
    }

    /** Consumes every waiting input record; false when there was none. */
    private boolean drain() {
        long tail = input.tailAcquire(); // ours alone; acquire costs nothing extra here
        long head = input.headAcquire();
        if (head == tail) return false;
        ByteBuffer b = input.buf;
        while (tail != head) {
            int at = input.slot(tail);
            long time = b.getLong(at);
            double beat = b.getDouble(at + 8);
            int kind = b.get(at + 16) & 0xFF, arg = b.get(at + 17) & 0xFF;
            int w0 = b.getInt(at + 20), w1 = b.getInt(at + 24), w2 = b.getInt(at + 28);
            int unit = b.getShort(at + 18) & 0xFFFF;
            input.releaseTail(++tail); // copied out: the slot is the shim's again
            switch (kind) {
                case REC_MIDI -> midi(beat, arg, w0);
                case REC_TRANSPORT -> {
                    flush(time);
                    transport(time, beat, arg, Float.intBitsToFloat(w0), Float.intBitsToFloat(w1), Float.intBitsToFloat(w2));
                }
                case REC_PARAMETER -> parameter(arg, Float.intBitsToFloat(w0));
                case REC_BLOCK -> {
                    flush(time);
                    // a resync's BLOCK record (no frames) with a new epoch: the host reset the plug-in (deactivate, activate)
                    if (w1 == 0 && w0 != epoch && compose != null && compose.pending()) {
                        compose.cancel();
                        Bridge.log("instance " + handle + ": compose: the host reset the plug-in; the piece being composed is dropped");
                    }
                    epoch = w0; // authoritative: covers a TRANSPORT record the shim could not send
                    coverBlock(time, w1, w2, (arg & BLOCK_AUDIO) != 0);
                    SharedRing.LONGS.setRelease(control, CONTROL_PROCESSED, time); // after the notes' head
                    if (virtualPort != null) virtualPort.blockEnded(time, w1);
                }
                case REC_PLAYED -> {
                    if (virtualPort != null) virtualPort.played(time, w0 & 0xFF, (w0 >>> 8) & 0xFF, arg > 2 ? (w0 >>> 16) & 0xFF : 0);
                }
                case REC_PROMPT -> promptChunk(arg, unit, w0, w1, w2);
                default -> fail("unknown input record kind " + kind);
            }
            if (tail == head) head = input.headAcquire();
        }
        return true;
    }

    /**
     * One chunk of the prompt (pn_protocol.h): chunk {@code index} of a text of {@code length}
     * bytes, its bytes little-endian in the three words. The text takes effect when its last chunk
     * comes; a chunk out of order (one was lost) drops it until the shim sends it again.
     */
    private void promptChunk(int index, int length, int w0, int w1, int w2) {
        int from = index * PROMPT_CHUNK_BYTES;
        if (index == 0) promptGot = 0;
        if (promptGot != from || length > PROMPT_MAX_BYTES) {
            promptGot = -1;
            return;
        }
        promptLength = length;
        int n = Math.min(PROMPT_CHUNK_BYTES, length - from);
        int[] words = {w0, w1, w2};
        for (int i = 0; i < n; i++) promptBytes[from + i] = (byte) (words[i / 4] >>> (8 * (i % 4)));
        promptGot = from + Math.max(n, 0);
        if (promptGot >= promptLength) {
            prompt = new String(promptBytes, 0, promptLength, StandardCharsets.UTF_8);
            promptGot = -1;
        }
    }

    /** The compose prompt as the shim last sent it whole ("" before). */
    String prompt() {
        return prompt;
    }

    private void midi(double beat, int size, int bytes) {
        if (Double.isNaN(beat) || size < 2) return; // no beat grid: nothing to place it against
        int status = bytes & 0xFF, d1 = (bytes >>> 8) & 0xFF, d2 = size > 2 ? (bytes >>> 16) & 0xFF : 0;
        InputEvent e = InputEvent.ofMidi(beat, status, d1, d2);
        if (e != null) segmentInput.add(e);
    }

    private void transport(long time, double beat, int flags, float bpb, float tempo, float hostSpeed) {
        anchorFrame = time;
        grid = (flags & TR_GRID) != 0 && !Double.isNaN(beat);
        anchorBeat = grid ? beat : 0;
        rolling = (flags & TR_ROLLING) != 0;
        if (bpb > 0) beatsPerBar = bpb;
        if (tempo > 0) bpm = tempo;
        speed = hostSpeed;
        if ((flags & TR_DROPPED) != 0) epoch++;
    }

    private void parameter(int id, float v) {
        PluginParameter which = PluginParameter.byId(id);
        if (which == null) return; // a newer shim's parameter: not one this side reads
        LiveParameters p = parameters;
        switch (which) {
            case ENGINE -> {
                ModelFamily chosen = ModelFamilies.ENGINE_MENU.get(Math.min(which.clampRound(v), ModelFamilies.ENGINE_MENU.size() - 1));
                if (chosen.isLive()) p = withEngine(p, chosen);
                if (chosen != composeFamily && (chosen.composes() || composeFamily != null)) {
                    closeCompose(); // a composition being made is cancelled
                    composeFamily = chosen.composes() ? chosen : null;
                }
            }
            case ANSWER_BARS -> p = p.withAnswerBars(which.clampRound(v));
            case SILENCE_BEATS -> p = p.withSilenceBeats(which.clamp(v));
            case EVERY_BAR -> p = p.withAnswerOnBar(v > 0.5f);
            case TEMPERATURE -> p = p.withTemperature(which.clamp(v));
            case KEY_LOCK -> p = p.withKeyLock(v > 0.5f);
            case VELOCITY_SCALE -> p = p.withVelocityScale(Math.max(0.01, which.clamp(v)));
            case FOLLOW -> p = p.withFollow(v > 0.5f);
            case FREE_WHEELING -> freewheel = v > 0.5f;
            case START_ON -> p = p.withStartOn(v > 0.5f ? LiveParameters.Start.BEAT : LiveParameters.Start.BAR); // 0 bar, 1 beat
            case LISTEN -> listen = which.clampRound(v);
            case COVER_LAG_BARS -> {
                coverLagBars = which.clampRound(v);
                if (cover != null) cover.setLagBars(coverLagBars);
            }
            case CAPTURE -> {
                if (v > 0.5f && !captureHigh) capture();
                captureHigh = v > 0.5f;
            }
            case COMPOSE -> {
                if (v > 0.5f && !composeHigh) {
                    if (composeFamily != null) composePressed = true; // composed at the next block, with its transport
                    else if (!composeHintLogged) Bridge.log("instance " + handle + ": compose: the Compose control works when the Engine is "
                            + ModelFamilies.orList(ModelFamilies.ENGINE_MENU.stream().filter(ModelFamily::composes).map(ModelFamily::menuTitle).toList()));
                    composeHintLogged |= composeFamily == null;
                }
                composeHigh = v > 0.5f;
            }
            default -> { /* not a parameter Java reads */ }
        }
        parameters = p;
        parametersKnown = true;
        if (session != null) session.setParameters(p);
    }

    private static LiveParameters withEngine(LiveParameters p, ModelFamily e) {
        return new LiveParameters(e, p.answerBars(), p.silenceBeats(), p.answerOnBar(), p.startOn(), p.temperature(), p.keyLock(),
                p.velocityScale(), p.follow(), p.channel(), p.seed());
    }

    /** Ends the block gathered so far at frame {@code until} and gives it to the session. */
    private void flush(long until) {
        if (segmentStart < 0 || until < segmentStart) {
            segmentStart = until;
            segmentInput.clear();
            return;
        }
        long frames = until - segmentStart;
        if (frames > 0 || !segmentInput.isEmpty()) runBlock(segmentStart, (int) Math.min(frames, Integer.MAX_VALUE));
        segmentStart = until;
        segmentInput.clear();
    }

    private void runBlock(long start, int frames) {
        if (!parametersKnown) return;
        TransportSnapshot t = snapshot(start, frames);
        if (listen != LISTEN_MIDI) coverBlocks.add(t); // played when the block's samples are read
        if (composeFamily != null) { // the Compose engine: the player is not answered
            composeBlock(t);
            return;
        }
        if (listen == LISTEN_AUDIO) return;
        LiveSession s = session();
        if (s == null) return;
        if (freewheel) awaitAnswer(s);
        List<OutputEvent> out;
        try {
            out = s.onBlock(t, List.copyOf(segmentInput));
        } catch (RuntimeException e) {
            fail("the live session failed on a block: " + Bridge.oneLine(e));
            return;
        }
        for (OutputEvent e : out) writeNote(e);
    }

    /**
     * The end of a host block ({@code frames} long, ending at frame {@code end}): its samples are the
     * {@code frames} before {@code head} (the audio ring's head, low 32 bits) when the shim could
     * push them. The audio ring is drained either way; the cover plays the block's segments.
     */
    private void coverBlock(long end, int frames, int head32, boolean hasAudio) {
        long tail = audio.tailAcquire();
        long head = tail + ((head32 - (int) tail) & 0xFFFFFFFFL); // head - tail < 2^32: the ring is far smaller
        boolean whole = hasAudio && frames > 0 && head - frames >= tail;
        if (whole) {
            if (blockAudio.length < frames) blockAudio = new float[Math.max(frames, 2 * blockAudio.length)];
            ByteBuffer b = audio.buf;
            for (int i = 0; i < frames; i++) blockAudio[i] = b.getFloat(audio.slot(head - frames + i));
        }
        if (head != tail) audio.releaseTail(head);
        // listening to both (auto), the cover and its model start with the first audio that is not
        // silence: a MIDI track's silent input never loads Basic Pitch
        if (cover == null && listen == LISTEN_AUTO && !(whole && heard(blockAudio, frames))) coverBlocks.clear();
        CoverSession c = coverBlocks.isEmpty() ? null : coverSession();
        if (c != null) {
            for (TransportSnapshot t : coverBlocks) {
                if (t.blockFrames() == 0) continue;
                if (freewheel) awaitCover(c, t);
                List<OutputEvent> out;
                try {
                    out = c.onBlock(t, whole ? blockAudio : null, (int) (t.frame() - (end - frames)));
                } catch (RuntimeException e) {
                    fail("the cover failed on a block: " + Bridge.oneLine(e));
                    break;
                }
                for (OutputEvent e : out) writeNote(e);
            }
            if (c.failure() != null) {
                coverFailed = true;
                fail("the cover could not run: " + Bridge.oneLine(c.failure()));
            }
        }
        coverBlocks.clear();
    }

    private static boolean heard(float[] samples, int frames) {
        for (int i = 0; i < frames; i++) if (Math.abs(samples[i]) >= CoverSession.SILENT_PEAK) return true;
        return false;
    }

    /** The cover session, started (its model loads on its worker) when audio is first listened to; null if it cannot run. */
    private CoverSession coverSession() {
        if (cover != null || coverFailed) return coverFailed ? null : cover;
        try {
            // Pop2Piano when its package is installed (tools/export makes one), else Basic Pitch and the arranger
            Path pop2piano = ModelCatalog.installedIfAny(ModelFamilies.POP2PIANO);
            cover = pop2piano != null
                    ? CoverSession.startPop2Piano(String.valueOf(handle), sampleRate, pop2piano, null, coverLagBars, parameters.channel())
                    : CoverSession.start(String.valueOf(handle), sampleRate, ModelStore.locate().basicPitch(), ArrangePresets.load("default"), coverLagBars,
                    parameters.channel());
            Bridge.log("instance " + handle + ": the audio cover uses " + cover.engine() + (pop2piano != null ? " (" + pop2piano + ")" : ""));
        } catch (RuntimeException e) {
            coverFailed = true; // reported once; audio still passes, MIDI still answered
            fail("the cover cannot start: " + Bridge.oneLine(e));
        }
        return cover;
    }

    /** Offline: a bar's cover due within a bar of this block is waited for (bounded), as if the machine were infinitely fast. */
    private static void awaitCover(CoverSession c, TransportSnapshot t) {
        long deadline = System.nanoTime() + OFFLINE_WAIT_NANOS;
        while (c.coverDueBefore(t.endBeats() + t.barBeats()) && !c.oldestCoverDone() && System.nanoTime() < deadline) LockSupport.parkNanos(50_000);
    }

    /** Port 18's rising edge: the take's cover to a new MIDI file, written on the cover's worker. */
    private void capture() {
        if (cover == null) {
            Bridge.log("instance " + handle + ": capture: no cover in this take (nothing heard on the audio input yet, or listen is MIDI)");
            return;
        }
        cover.capture(CoverSession.captureDir(), line -> Bridge.log("instance " + handle + ": " + line));
    }

    /** The transport at {@code frame}, from the last anchor (the shim's beats are exact; this agrees to float precision). */
    private TransportSnapshot snapshot(long frame, int frames) {
        boolean roll = rolling && grid && speed > 0;
        double beats = grid ? anchorBeat + (roll ? (frame - anchorFrame) * bpm * speed / 60.0 / sampleRate : 0) : 0;
        double barStart = Math.floor(beats / beatsPerBar + 1e-9) * beatsPerBar;
        return new TransportSnapshot(frame, frames, sampleRate, roll ? speed : 0, bpm, beats, barStart, beatsPerBar);
    }

    /** Offline: an answer being computed is waited for (bounded), as if the machine were infinitely fast. */
    private static void awaitAnswer(LiveSession s) {
        long deadline = System.nanoTime() + OFFLINE_WAIT_NANOS;
        while (s.answerPending() && !s.answerReady() && System.nanoTime() < deadline) LockSupport.parkNanos(50_000);
    }

    private void writeNote(OutputEvent e) {
        long head = notes.headPlain();
        long deadline = 0;
        while (notes.full(head)) {
            if (deadline == 0) deadline = System.nanoTime() + NOTE_RING_WAIT_NANOS;
            if (System.nanoTime() > deadline || !running) {
                notesDropped++;
                return;
            }
            LockSupport.parkNanos(100_000);
        }
        ByteBuffer b = notes.buf;
        int at = notes.slot(head);
        b.putDouble(at, e.beats());
        b.put(at + 8, (byte) e.status());
        b.put(at + 9, (byte) e.data1());
        b.put(at + 10, (byte) e.data2());
        b.put(at + 11, (byte) 0);
        b.putInt(at + 12, epoch);
        notes.releaseHead(head + 1);
        if (noteLog != null) noteLog.printf(Locale.ROOT, "%.9f %d %d %d %d%n", e.beats(), e.status(), e.data1(), e.data2(), epoch);
    }

    // ---- engine and session ----

    /** The session for the engine the parameters name, opening it on the worker if needed; null while loading or failed. */
    private LiveSession session() {
        ModelFamily want = parameters.engine();
        if (session != null && sessionEngine == want) return session;
        if (opening != null && openingEngine == want) {
            if (!opening.future().isDone() && freewheel) {
                long deadline = System.nanoTime() + OFFLINE_WAIT_NANOS;
                while (!opening.future().isDone() && System.nanoTime() < deadline) LockSupport.parkNanos(100_000);
            }
            if (!opening.future().isDone()) return null; // live: the player is not answered while it loads
            try {
                engine = opening.future().getNow(null);
                opening = null;
                session = new LiveSession(worker, engine, parameters);
                Bridge.log("instance " + handle + ": the " + engine.name() + " engine answers from seed " + parameters.seed()
                        + " (PIANOLA_SEED=" + parameters.seed() + " plays this session's answers again)");
                sessionEngine = want;
                failedEngine = null;
                ok();
                return session;
            } catch (CancellationException | CompletionException e) {
                opening = null;
                failedEngine = want;
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                fail("the " + want.name() + " engine could not start: " + (cause.getMessage() != null ? cause.getMessage() : cause.toString()));
                return null;
            }
        }
        if (want == failedEngine) return null; // reported once; another choice may work
        closeEngine();
        worker = new InferenceWorker(want.name() + "-" + handle, () -> {});
        openingEngine = want;
        // the GPU when one works; else the CPU, with one warning in the host's log saying why
        opening = worker.submit((cancelled, progress) -> LiveEngines.open(want, modelDir(want), OnnxSessions.Device.AUTO), Progress.NONE);
        return session(); // the Continuator is ready at once
    }

    // ---- the Compose engine ----

    private void composeBlock(TransportSnapshot t) {
        if (composePressed) {
            composePressed = false;
            startComposing(t);
        }
        ComposeSession c = compose;
        if (c == null) return;
        if (freewheel && c.pending()) { // offline: bounded, as for an answer
            long deadline = System.nanoTime() + OFFLINE_WAIT_NANOS;
            while (!c.ready() && System.nanoTime() < deadline) LockSupport.parkNanos(100_000);
        }
        boolean wasPending = c.pending();
        for (OutputEvent e : c.onBlock(t)) writeNote(e);
        if (c.failure() != null) {
            fail("the " + c.family().name() + " engine could not compose: " + Bridge.oneLine(c.failure()));
        } else if (wasPending && !c.pending() && c.lastPlaced() != null) {
            ComposeSession.Placed placed = c.lastPlaced();
            ComposeSession.Piece piece = placed.piece();
            Bridge.log(String.format(Locale.ROOT, "instance %d: compose: %d notes over %d %s from beat %.3f (%.1f s of music heard at %.0f BPM; composed and covered in %.1f s)",
                    handle, piece.notes().size(), piece.request().bars(), piece.request().bars() == 1 ? "bar" : "bars", placed.startBeats(), piece.seconds(), piece.gridBpm(), piece.computeNanos() / 1e9));
            ok();
        }
    }

    /** The Compose control's rising edge: Answer Length bars at the host's tempo from the prompt. */
    private void startComposing(TransportSnapshot t) {
        if (prompt.isBlank()) {
            fail("compose: the prompt is empty: set the plug-in's Prompt (LV2: its prompt property; CLAP, VST3: PIANOLA_PROMPT when the instance is made)");
            return;
        }
        ComposeSession c = composeSession();
        if (c == null) return;
        LiveParameters p = parameters;
        ComposeSession.Request r = new ComposeSession.Request(prompt, p.answerBars(), t.barBeats(), t.bpm(), p.seed() + composeCount++, p.temperature(),
                p.velocityScale());
        c.compose(r);
        Bridge.log(String.format(Locale.ROOT, "instance %d: compose: \"%s\": %d %s at %.1f BPM (%.1f s of music) with %s", handle, prompt, r.bars(), r.bars() == 1 ? "bar" : "bars", r.bpm(),
                r.seconds(), c.family().name()));
    }

    /** The Compose engine's session, made on the first press; null when its package or Basic Pitch is missing (each press looks again). */
    private ComposeSession composeSession() {
        if (compose != null) return compose;
        ModelFamily family = composeFamily;
        try {
            Path dir = modelDir(family);
            compose = ComposeSession.start(String.valueOf(handle), family, dir, ModelStore.locate().basicPitch(), ArrangePresets.load("default"), parameters.channel());
            Bridge.log("instance " + handle + ": the Compose engine uses " + family.name() + " (" + dir + ") and Basic Pitch");
        } catch (RuntimeException e) {
            fail("the " + family.name() + " engine could not start: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
        }
        return compose;
    }

    private void closeCompose() {
        if (compose != null) compose.close();
        compose = null;
        composePressed = false;
    }

    /** The installed model package of a model engine, from the model store; null for an engine that needs none. */
    private static Path modelDir(ModelFamily family) {
        if (!family.needsPackage()) return null;
        try {
            return ModelCatalog.installedPackage(family);
        } catch (dev.pianola.ModelException e) {
            // what the musician can do about it, in the words the status and the host's log show
            throw new UsageException(ModelCatalog.forFamily(family).map(m -> "not installed: pianola models install " + m.name() + " (" + e.getMessage() + ")")
                    .orElse("not installed: " + e.getMessage()));
        }
    }

    private void closeCover() {
        if (cover != null) cover.close();
        cover = null;
    }

    private void closeEngine() {
        if (session != null) {
            // what became of the answers, once per engine session: late ones are otherwise silent
            LiveSession.Status st = session.status();
            if (st.answersAsked() > 0) {
                Bridge.log(String.format(Locale.ROOT, "instance %d: the %s engine's answers: asked %d, played %d (moved to a later bar line %d), "
                                + "dropped %d (too late, or none came), notes left out as late %d, barge-ins %d", handle, sessionEngine.name(), st.answersAsked(),
                        st.answersPlayed(), st.answersShifted(), st.answersDropped(), st.notesLate(), st.bargeIns()));
            }
            session.close();
        }
        session = null;
        sessionEngine = null;
        if (opening != null) opening.cancel();
        if (worker != null) worker.close(); // cancels and waits for the running job, so the engine is idle
        if (opening != null && opening.future().isDone() && !opening.future().isCompletedExceptionally()) {
            LiveEngine loaded = opening.future().getNow(null);
            if (loaded != null) loaded.close();
        }
        opening = null;
        if (engine != null) engine.close();
        engine = null;
        worker = null;
    }

    private void ok() {
        lastError = null;
        SharedRing.INTS.setRelease(control, CONTROL_STATUS, STATUS_OK);
    }

    /** Status 3 and one log line (repeats of the same problem are counted, not logged). */
    private void fail(String why) {
        errors++;
        SharedRing.INTS.setRelease(control, CONTROL_STATUS, STATUS_ERROR);
        if (!why.equals(lastError)) Bridge.log("instance " + handle + ": " + why);
        lastError = why;
    }

    private static PrintWriter openNoteLog(long handle) {
        // PIANOLA_NOTE_LOG=prefix: every note sent, as "beat status data1 data2 epoch", in prefix.<handle> (tests)
        String prefix = System.getenv("PIANOLA_NOTE_LOG");
        if (prefix == null || prefix.isEmpty()) return null;
        try {
            return new PrintWriter(Files.newBufferedWriter(Path.of(prefix + "." + handle), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE), true);
        } catch (IOException e) {
            Bridge.log("cannot write the note log " + prefix + "." + handle + ": " + e.getMessage());
            return null;
        }
    }

    /** Stops the thread (then nothing touches the shared memory) and closes the engine. */
    boolean close(long timeoutMs) throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        thread.join(timeoutMs);
        boolean stopped = !thread.isAlive();
        if (stopped) {
            closeEngine(); // the engine belongs to the thread until it has stopped
            closeCover();
            closeCompose();
        }
        if (noteLog != null) noteLog.close();
        if (virtualPort != null) {
            Bridge.log("instance " + handle + " virtual port: " + virtualPort.counts());
            virtualPort.close();
        }
        if (notesDropped > 0 || errors > 0) Bridge.log("instance " + handle + " closed: " + notesDropped + " notes dropped, " + errors + " errors");
        return stopped;
    }

    @Override
    public void close() throws InterruptedException {
        close(3000);
    }
}
