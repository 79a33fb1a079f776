package dev.pianola.live;

import dev.pianola.arrange.ArrangeOptions;
import dev.pianola.audio.Audio;
import dev.pianola.cover.BasicPitchCover;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.basicpitch.BasicPitch;
import dev.pianola.models.basicpitch.NoteEvent;
import dev.pianola.models.pop2piano.Pop2PianoModel;
import dev.pianola.runtime.InferenceWorker;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The cover played along with audio, bar by bar on the host's grid (shared by the LV2 plug-in and,
 * later, {@code pianola device}). Audio comes with its transport, block by block; when the
 * captured audio reaches a bar line plus {@link #LOOKAHEAD_SECONDS}, that bar goes to the
 * worker with {@link #CONTEXT_SECONDS} of audio before it: Basic Pitch and the arranger run on
 * the whole window exactly as {@code pianola cover} does ({@link BasicPitchCover}), and only the
 * notes whose (quantized) onset falls in the bar are kept. Context and lookahead are there because
 * Basic Pitch hears badly at the edges of what it is given.
 *
 * <p>Playing: a bar's notes play {@code lagBars} bars later (notes already behind the play head
 * when they are ready are dropped and counted as late). A bar covered on an earlier pass (before
 * a loop, a seek or a stop) plays in place, in time with what it covers, when the play head comes
 * back to it; a new pass's cover of it replaces it for the next pass. Capture writes the take (the
 * latest cover of every bar) at the bars it covers, so it lines up with the audio in a DAW.
 *
 * <p>With a Pop2Piano package ({@link #startPop2Piano}) the model covers instead: each bar with the
 * bar before it as context ({@link #POP2PIANO_CONTEXT_BEATS}; Pop2Piano needs two 4/4 bars of
 * beats, and its 4-beat segments then start on the host's bar lines, as they do for a song covered
 * offline from its first bar, so the bar's segment is the offline one), the host's beats as its
 * beat times, every generated row decoded whole (batch_decode's cut at the last EOS of any row
 * would make a bar's notes depend on the rows generated with it); the first bar of a run, with
 * nothing before it, is not covered. Only the segments that can put notes in the bar are decoded,
 * and the context's tokens come from the bar before when it was covered ({@link Pop2PianoBars}).
 *
 * <p>Threads: one thread calls {@link #onBlock} in block order and never waits there; Basic
 * Pitch, the arranger and the capture's file run on the session's own {@link InferenceWorker}.
 * A jump, a stop or a gap in the audio ends the current run: its context is forgotten.
 */
public final class CoverSession implements AutoCloseable {
    /** Audio before the bar that Basic Pitch also hears (its windows are 2 s; on the corpus test 4 s gave F1 0.88 against the offline cover, 2 s 0.83). */
    public static final double CONTEXT_SECONDS = 4.0;
    /** Audio after the bar line that is waited for: a note starting just before it needs its first frames. */
    public static final double LOOKAHEAD_SECONDS = 0.5;
    /** Bars quieter than this peak (-80 dBFS) are not transcribed. */
    public static final float SILENT_PEAK = 1e-4f;
    /** The capture buffer: the longest bar covered whole is this minus context and lookahead. */
    public static final double BUFFER_SECONDS = 30;
    /** Bars remembered for the take and for loops (about an hour at 120 BPM in 4/4). */
    public static final int MAX_BARS = 2048;
    /** Pop2Piano: beats heard before the bar (its segments are 4 beats; it needs 8 beats in all). */
    public static final double POP2PIANO_CONTEXT_BEATS = 4;

    /** One covered bar: its notes in host beats where they were heard, and the tempo there. */
    record Bar(double startBeats, double lengthBeats, double bpm, int pass, List<Note> notes) {}

    /** A continuous stretch of the capture at one tempo: beat = beats + (frame - frame) * beatsPerFrame. */
    private record Segment(long frame, double beats, double beatsPerFrame) {}

    /** A bar's cover as the worker made it, and how long that took. */
    private record BarCover(List<Note> notes, long computeNanos) {}

    /** A tempo from {@code seconds} after the window's first sample. */
    private record SecondsTempo(double seconds, double bpm) {}

    private record Pending(InferenceWorker.Job<BarCover> job, double startBeats, double lengthBeats, double bpm, int pass, long barEndNanos) {}

    /** What the session measured (for logs, tests and benchmarks). */
    public record Stats(int barsCovered, int notesPlayed, int lateNotesDropped, int replayedBars, List<Double> computeMillis, List<Double> latencyMillis) {}

    private final InferenceWorker worker;
    /** Basic Pitch (nmp.onnx) or, when covering with Pop2Piano, null. */
    private final InferenceWorker.Job<BasicPitch> model;
    /** The Pop2Piano package and the composer style it plays in, or null. */
    private final InferenceWorker.Job<Pop2PianoModel> pop2piano;
    private final String composer;
    /** Pop2Piano's bar-by-bar decoding (worker thread only), or null. */
    private final Pop2PianoBars pop2pianoBars;
    private final ArrangeOptions options;
    private final int channel;
    private final double sampleRate;
    private volatile int lagBars;

    // the current run of captured audio
    private final float[] buffer;
    private long runStartFrame = -1, capturedEnd = -1;
    private final List<Segment> segments = new ArrayList<>();
    private double nextBarEnd = Double.NaN, nextBarLength;
    private int pass;
    // the covers
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final TreeMap<Double, Bar> bars = new TreeMap<>();
    private final Set<Double> playedThisPass = new HashSet<>();
    // measurements (capture thread only; the lists are copied out)
    private int barsCovered, notesPlayed, lateNotes, replayedBars, failures, barsWithoutContext;
    private Throwable lastFailure;
    private final List<Double> computeMillis = new ArrayList<>(), latencyMillis = new ArrayList<>();

    private CoverSession(String name, double sampleRate, Path basicPitch, Path pop2pianoDir, String composer, ArrangeOptions options, int lagBars, int channel) {
        if (!(sampleRate > 0)) throw new IllegalArgumentException("sample rate must be > 0, got " + sampleRate);
        this.sampleRate = sampleRate;
        this.options = options;
        this.channel = channel;
        setLagBars(lagBars);
        this.buffer = new float[(int) Math.ceil(BUFFER_SECONDS * sampleRate)];
        this.worker = new InferenceWorker("cover-" + name, () -> {});
        // the GPU when one works (AUTO: else the CPU, with one warning saying why)
        int threads = onnxThreads();
        this.model = basicPitch == null ? null
                : worker.submit((cancelled, progress) -> BasicPitch.load(basicPitch, OnnxSessions.Device.AUTO, BasicPitch.DEFAULT_BATCH_WINDOWS, threads), Progress.NONE);
        this.pop2piano = pop2pianoDir == null ? null : worker.submit((cancelled, progress) -> {
            Pop2PianoModel m = Pop2PianoModel.open(pop2pianoDir, OnnxSessions.Device.AUTO, threads);
            if (composer != null) m.composerIndex(composer); // an unknown style is refused now, not on the first bar
            return m;
        }, Progress.NONE);
        this.composer = composer;
        this.pop2pianoBars = pop2pianoDir == null ? null : new Pop2PianoBars();
    }

    /**
     * ONNX Runtime threads per graph on the CPU: one, as the host's audio thread and the capture
     * thread need the other core of two (and Pop2Piano's one-row decoding, memory-bound, gained
     * little from a second thread that other work also wants: README, "live cover");
     * {@code pianola.threads} overrides it (benchmarks).
     */
    static int onnxThreads() {
        return Math.max(1, Integer.getInteger("pianola.threads", 1));
    }

    /** Starts a session whose model ({@code basicPitch}, nmp.onnx) loads on its worker; bars wait for it there. */
    public static CoverSession start(String name, double sampleRate, Path basicPitch, ArrangeOptions options, int lagBars, int channel) {
        return new CoverSession(name, sampleRate, basicPitch, null, null, options, lagBars, channel);
    }

    /**
     * A session covering with the Pop2Piano package in {@code dir} (loaded on its worker), in the
     * style of {@code composer} (null: the package's first).
     */
    public static CoverSession startPop2Piano(String name, double sampleRate, Path dir, String composer, int lagBars, int channel) {
        return new CoverSession(name, sampleRate, null, dir, composer, null, lagBars, channel);
    }

    /** Which model covers: "basic-pitch" or "pop2piano". */
    public String engine() {
        return pop2piano != null ? "pop2piano" : "basic-pitch";
    }

    /** 1 or 2: how many bars after the bar it covers a cover plays (any thread; the next covered bar uses it). */
    public void setLagBars(int bars) {
        if (bars < 1 || bars > 2) throw new IllegalArgumentException("cover lag must be 1 or 2 bars, got " + bars);
        lagBars = bars;
    }

    public int lagBars() {
        return lagBars;
    }

    /**
     * One block: {@code samples[offset .. offset + t.blockFrames())} are the input at frames
     * {@code t.frame()...}, or {@code samples} is null when the audio of the block was lost.
     * Returns the note events to schedule now (beat-stamped; any order).
     */
    public List<OutputEvent> onBlock(TransportSnapshot t, float[] samples, int offset) {
        List<OutputEvent> out = new ArrayList<>();
        boolean rolling = t.rolling() && t.speed() > 0;
        boolean continues = rolling && samples != null && capturedEnd == t.frame() && Math.abs(beatAt(t.frame()) - t.beats()) < 1e-3;
        if (!continues && capturedEnd >= 0) endRun();
        if (rolling && samples != null) {
            if (capturedEnd < 0) startRun(t);
            capture(t, samples, offset);
            cutBars(t);
        }
        collect(t, out);
        if (rolling) replayInPlace(t, out);
        return out;
    }

    /** Whether a bar's cover is still being computed that should play before {@code beats} (offline: the caller may wait for it). */
    public boolean coverDueBefore(double beats) {
        Pending p = pending.peekFirst();
        return p != null && !p.job.future().isDone() && p.pass == pass && p.startBeats + lagBars * p.lengthBeats < beats;
    }

    /** Whether the oldest pending cover has finished (offline waiting). */
    public boolean oldestCoverDone() {
        Pending p = pending.peekFirst();
        return p == null || p.job.future().isDone();
    }

    /** The last failure of a bar's cover (the model would not load or run), or null. */
    public Throwable failure() {
        return lastFailure;
    }

    public Stats stats() {
        return new Stats(barsCovered, notesPlayed, lateNotes, replayedBars, List.copyOf(computeMillis), List.copyOf(latencyMillis));
    }

    /** Pop2Piano: bars left uncovered for want of a bar of context before them (the first of each run). */
    public int barsWithoutContext() {
        return barsWithoutContext;
    }

    /**
     * Pop2Piano's work since the session started: rows (segments) generated, rows taken from the bar
     * before instead ({@link Pop2PianoBars}), and milliseconds in the feature extractor and in the
     * model (encoder and decoder).
     */
    public record Pop2PianoWork(int rowsGenerated, int rowsReused, double featuresMillis, double modelMillis) {}

    /** Pop2Piano's work so far (zeros for Basic Pitch); counted on the worker, so read it once the covers asked about are done. */
    public Pop2PianoWork pop2pianoWork() {
        return pop2pianoBars == null ? new Pop2PianoWork(0, 0, 0, 0) : pop2pianoBars.work();
    }

    // ---- capture ----

    private void startRun(TransportSnapshot t) {
        runStartFrame = t.frame();
        capturedEnd = t.frame();
        segments.clear();
        // the first bar to cover is the one the run starts in (a partial bar is covered too)
        nextBarEnd = t.barLineAtOrAfter(t.beats() + 1e-9);
        nextBarLength = t.barBeats();
    }

    /** A jump, a stop or lost audio: the context means nothing at the new position; covers of this pass become earlier ones. */
    private void endRun() {
        runStartFrame = -1;
        capturedEnd = -1;
        segments.clear();
        nextBarEnd = Double.NaN;
        pass++;
        playedThisPass.clear();
    }

    private void capture(TransportSnapshot t, float[] samples, int offset) {
        double perFrame = t.beatsPerFrame();
        Segment last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        if (last == null || last.beatsPerFrame != perFrame) segments.add(new Segment(t.frame(), t.beats(), perFrame));
        for (int i = 0; i < t.blockFrames(); i++) buffer[(int) ((t.frame() + i) % buffer.length)] = samples[offset + i];
        capturedEnd = t.frame() + t.blockFrames();
        // segments older than the buffer are never asked for again (keep the one covering its start)
        long oldest = capturedEnd - buffer.length;
        while (segments.size() > 1 && segments.get(1).frame <= oldest) segments.remove(0);
    }

    private double beatAt(long frame) {
        if (segments.isEmpty()) return Double.NaN;
        Segment s = segments.get(0);
        for (Segment x : segments) if (x.frame <= frame) s = x;
        return s.beats + (frame - s.frame) * s.beatsPerFrame;
    }

    private long frameAt(double beats) {
        Segment s = segments.get(0);
        for (Segment x : segments) if (x.beats <= beats) s = x;
        return s.frame + (long) Math.floor((beats - s.beats) / s.beatsPerFrame);
    }

    /** Every bar whose end plus the lookahead has been captured goes to the worker. */
    private void cutBars(TransportSnapshot t) {
        double lookaheadBeats = LOOKAHEAD_SECONDS * t.bpm() / 60.0;
        while (beatAt(capturedEnd) >= nextBarEnd + lookaheadBeats) {
            double start = nextBarEnd - nextBarLength, end = nextBarEnd;
            if (end > 0) submit(start, end, t.bpm());
            nextBarLength = t.barBeats();
            nextBarEnd += nextBarLength;
        }
    }

    private void submit(double startBeats, double endBeats, double bpm) {
        long barStart = Math.max(runStartFrame, frameAt(Math.max(0, startBeats)));
        long oldest = Math.max(runStartFrame, capturedEnd - buffer.length + 1);
        long windowStart = Math.max(oldest, barStart - (long) (CONTEXT_SECONDS * sampleRate));
        if (startBeats < 0 || beatAt(windowStart) < 0) windowStart = Math.max(windowStart, frameAt(0)); // no notes before beat 0 (a count-in)
        if (pop2piano != null) {
            // Pop2Piano needs the context bar, or the bar is not covered; the window starts up to a beat
            // before it where that was heard, so the resampler's edge falls outside the segments
            long contextStart = frameAt(startBeats - POP2PIANO_CONTEXT_BEATS);
            windowStart = Math.max(oldest, Math.min(contextStart, frameAt(startBeats - POP2PIANO_CONTEXT_BEATS - 1)));
            if (contextStart < oldest || startBeats - POP2PIANO_CONTEXT_BEATS < -1e-9) {
                barsWithoutContext++;
                InferenceWorker.Job<BarCover> none = new InferenceWorker.Job<>();
                none.future().complete(new BarCover(List.of(), 0));
                pending.addLast(new Pending(none, startBeats, endBeats - startBeats, bpm, pass, System.nanoTime()));
                return;
            }
        }
        int frames = (int) (capturedEnd - windowStart);
        float[] window = new float[frames];
        float peak = 0;
        for (int i = 0; i < frames; i++) {
            float v = buffer[(int) ((windowStart + i) % buffer.length)];
            window[i] = v;
            if (windowStart + i >= barStart && Math.abs(v) > peak) peak = Math.abs(v);
        }
        long barEndNanos = System.nanoTime() - (long) (LOOKAHEAD_SECONDS * 1e9); // the bar line passed a lookahead ago (live)
        if (peak < SILENT_PEAK) { // nothing to hear: an empty cover, at once
            InferenceWorker.Job<BarCover> none = new InferenceWorker.Job<>();
            none.future().complete(new BarCover(List.of(), 0));
            pending.addLast(new Pending(none, startBeats, endBeats - startBeats, bpm, pass, barEndNanos));
            return;
        }
        // the window's grid: seconds from its first sample to host beats (the run's tempo segments)
        double firstBeat = beatAt(windowStart);
        List<SecondsTempo> changes = new ArrayList<>();
        for (Segment s : segments) {
            if (s.frame >= capturedEnd) continue;
            double from = (Math.max(s.frame, windowStart) - windowStart) / sampleRate;
            if (!changes.isEmpty() && from == 0) changes.remove(changes.size() - 1); // only the one holding at the window's start
            changes.add(new SecondsTempo(from, s.beatsPerFrame * sampleRate * 60.0));
        }
        ArrangeOptions arrange = options;
        if (pop2piano != null) {
            double contextStartBeats = startBeats - POP2PIANO_CONTEXT_BEATS;
            int runPass = pass;
            pending.addLast(new Pending(worker.submit((cancelled, progress) -> {
                long t0 = System.nanoTime();
                Pop2PianoModel m = pop2piano.get();
                TempoMap grid = gridFrom(firstBeat, changes);
                double offsetSeconds = grid.secondsAt(firstBeat);
                // the host's beats from the context bar's first, in seconds from the window's first sample
                double[] beatTimes = new double[(int) Math.round(POP2PIANO_CONTEXT_BEATS + (endBeats - startBeats))];
                for (int k = 0; k < beatTimes.length; k++) beatTimes[k] = Math.max(0, grid.secondsAt(contextStartBeats + k) - offsetSeconds);
                String style = composer != null ? composer : m.composers().get(0);
                NoteSequence heard = pop2pianoBars.cover(m, new Audio(window, (int) Math.round(sampleRate)), beatTimes, contextStartBeats,
                        startBeats, endBeats, runPass, m.composerIndex(style), cancelled);
                List<Note> kept = new ArrayList<>();
                for (Note n : heard.notes()) {
                    double at = grid.beatsAt(heard.tempo().secondsAt(n.startBeats()) + offsetSeconds); // window seconds -> host beats
                    if (at >= startBeats - 1e-6 && at < endBeats - 1e-6) kept.add(new Note(n.pitch(), at, n.durationBeats(), n.velocity()));
                }
                return new BarCover(kept, System.nanoTime() - t0);
            }, Progress.NONE), startBeats, endBeats - startBeats, bpm, pass, barEndNanos));
            return;
        }
        InferenceWorker.Job<BarCover> job = worker.submit((cancelled, progress) -> {
            long t0 = System.nanoTime();
            BasicPitch bp = model.get();
            List<NoteEvent> heard = BasicPitchCover.hear(bp, new Audio(window, (int) Math.round(sampleRate)), BasicPitchCover.NOTE_OPTIONS);
            // host beats: a tempo map from 0 s, shifted so that 0 s is the window's first frame at firstBeat
            TempoMap grid = gridFrom(firstBeat, changes);
            double offsetSeconds = grid.secondsAt(firstBeat);
            List<NoteEvent> shifted = new ArrayList<>(heard.size());
            for (NoteEvent e : heard) {
                shifted.add(new NoteEvent(e.startFrame(), e.endFrame(), e.startSeconds() + offsetSeconds, e.endSeconds() + offsetSeconds, e.pitch(), e.amplitude(), e.bends()));
            }
            List<Note> kept = new ArrayList<>();
            for (Note n : BasicPitchCover.arrange(shifted, grid, List.of(TimeSignature.FOUR_FOUR), true, arrange).notes().notes()) {
                if (n.startBeats() >= startBeats - 1e-6 && n.startBeats() < endBeats - 1e-6) kept.add(n);
            }
            return new BarCover(kept, System.nanoTime() - t0);
        }, Progress.NONE);
        pending.addLast(new Pending(job, startBeats, endBeats - startBeats, bpm, pass, barEndNanos));
    }

    /** Host beats against seconds from 0: the first tempo holds from beat 0 to the window, then the run's changes. */
    private static TempoMap gridFrom(double firstBeat, List<SecondsTempo> secondsChanges) {
        List<TempoMap.Change> beats = new ArrayList<>();
        double beat = firstBeat, second = 0, bpm = secondsChanges.get(0).bpm();
        beats.add(new TempoMap.Change(0, bpm));
        for (int i = 1; i < secondsChanges.size(); i++) {
            SecondsTempo c = secondsChanges.get(i);
            beat += (c.seconds() - second) * bpm / 60.0;
            second = c.seconds();
            bpm = c.bpm();
            beats.add(new TempoMap.Change(beat, bpm));
        }
        return new TempoMap(beats);
    }

    // ---- playing ----

    /** Finished covers: stored for the take and later passes, and played lagBars later. */
    private void collect(TransportSnapshot t, List<OutputEvent> out) {
        while (!pending.isEmpty() && pending.peekFirst().job.future().isDone()) {
            Pending p = pending.removeFirst();
            BarCover cover;
            try {
                cover = p.job.future().getNow(null);
            } catch (RuntimeException e) {
                failures++;
                lastFailure = e.getCause() != null ? e.getCause() : e;
                continue; // cancelled on close, or the model failed: the caller reports failure()
            }
            List<Note> notes = cover.notes();
            if (cover.computeNanos() > 0 && computeMillis.size() < MAX_BARS) { // measurements stay bounded too
                computeMillis.add(cover.computeNanos() / 1e6);
                latencyMillis.add((System.nanoTime() - p.barEndNanos) / 1e6);
            }
            barsCovered++;
            bars.put(p.startBeats, new Bar(p.startBeats, p.lengthBeats, p.bpm, p.pass, notes));
            while (bars.size() > MAX_BARS) bars.pollFirstEntry();
            if (p.pass != pass || !t.rolling()) continue; // planned for a position that no longer holds
            double target = p.startBeats + lagBars * p.lengthBeats;
            if (!playedThisPass.add(target)) continue; // an earlier pass's cover plays there already
            play(notes, lagBars * p.lengthBeats, t.beats(), out);
        }
    }

    /** Bars covered on an earlier pass play in place when the play head comes within a bar of them. */
    private void replayInPlace(TransportSnapshot t, List<OutputEvent> out) {
        double from = t.barLineAtOrBefore(t.beats()), to = t.endBeats() + t.barBeats();
        for (Map.Entry<Double, Bar> e : bars.subMap(from, true, to, false).entrySet()) {
            Bar b = e.getValue();
            if (b.pass >= pass || playedThisPass.contains(b.startBeats)) continue;
            playedThisPass.add(b.startBeats);
            replayedBars++;
            play(b.notes, 0, t.beats(), out);
        }
    }

    /** Note-on and note-off of each note, {@code shiftBeats} later; a note starting before {@code now} is late and left out. */
    private void play(List<Note> notes, double shiftBeats, double now, List<OutputEvent> out) {
        for (Note n : notes) {
            double on = n.startBeats() + shiftBeats;
            if (on < now) {
                lateNotes++;
                continue;
            }
            out.add(OutputEvent.noteOn(on, channel, n.pitch(), n.velocity()));
            out.add(OutputEvent.noteOff(on + Math.max(n.durationBeats(), 1.0 / 64), channel, n.pitch()));
            notesPlayed++;
        }
    }

    // ---- capture to a file ----

    /** Every bar covered in this take, at the bars it covers (on the capture thread: a copy for the worker). */
    public NoteSequence take() {
        List<Note> notes = new ArrayList<>();
        List<TempoMap.Change> tempo = new ArrayList<>();
        double lastBpm = Double.NaN, barLength = 4;
        for (Bar b : bars.values()) {
            notes.addAll(b.notes);
            if (b.bpm != lastBpm) tempo.add(new TempoMap.Change(tempo.isEmpty() ? 0 : b.startBeats, b.bpm));
            lastBpm = b.bpm;
            barLength = b.lengthBeats;
        }
        notes.sort(NoteSequence.ORDER);
        TempoMap map = tempo.isEmpty() ? TempoMap.constant(TempoMap.DEFAULT_BPM) : new TempoMap(tempo);
        int numerator = (int) Math.round(barLength);
        TimeSignature meter = Math.abs(numerator - barLength) < 1e-9 && numerator > 0 ? new TimeSignature(0, numerator, 4) : TimeSignature.FOUR_FOUR;
        return new NoteSequence(notes, map, List.of(meter), List.of(), List.of());
    }

    /**
     * Writes the take (type-1 SMF, the host's tempo) into {@code dir} under a fresh timestamped name,
     * never over a file, atomically, on the worker; {@code log} gets one line with the path, or why not.
     */
    public InferenceWorker.Job<Path> capture(Path dir, Consumer<String> log) {
        NoteSequence take = take();
        return worker.submit((cancelled, progress) -> {
            if (take.notes().isEmpty()) {
                log.accept("capture: nothing covered yet in this take; no file written");
                return null;
            }
            Files.createDirectories(dir);
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            Path file = dir.resolve("pianola-cover-" + stamp + ".mid");
            for (int i = 2; Files.exists(file); i++) file = dir.resolve("pianola-cover-" + stamp + "-" + i + ".mid");
            MidiFiles.write(take, file, false); // atomic; refuses an existing file (a race with another writer)
            log.accept("capture: " + take.notes().size() + " notes -> " + file);
            return file;
        }, Progress.NONE);
    }

    /** The default capture folder: $PIANOLA_CAPTURE_DIR, else ~/Pianola/captures. */
    public static Path captureDir() {
        String env = System.getenv("PIANOLA_CAPTURE_DIR");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), "Pianola", "captures");
    }

    /** Stops the worker (cancelling pending bars), then closes the model. */
    @Override
    public void close() {
        worker.close();
        if (model != null && model.future().isDone() && !model.future().isCompletedExceptionally()) model.future().getNow(null).close();
        if (pop2piano != null && pop2piano.future().isDone() && !pop2piano.future().isCompletedExceptionally()) pop2piano.future().getNow(null).close();
    }

    /** Notes of the covered bars in order (tests). */
    List<Bar> coveredBars() {
        List<Bar> list = new ArrayList<>(bars.values());
        list.sort(Comparator.comparingDouble(Bar::startBeats));
        return list;
    }
}
