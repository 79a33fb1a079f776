package dev.pianola.live;

import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.runtime.InferenceWorker;
import dev.pianola.runtime.Progress;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The live player for MIDI input: listens to what the player plays, decides when to answer, asks
 * an engine on a background {@link InferenceWorker}, and hands out the answer as beat-stamped note
 * events a bar ahead of time. Everything is in beats, so tempo changes need nothing special; see
 * the package documentation for the threading contract and the rules (horizon, late answers,
 * barge-in, jumps, memory).
 */
public final class LiveSession implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LiveSession.class);

    /** The context an engine sees: the last 16 bars of 4/4, enough for any engine's prompt window. */
    static final double CONTEXT_BEATS = 64;
    /** ...and never more notes than this (a dense 16 bars), so memory stays flat whatever is played. */
    static final int MAX_CONTEXT_NOTES = 1024;
    /** A block that does not start where the last one ended (by more than rounding) is a loop or seek. */
    static final double JUMP_TOLERANCE_BEATS = 1.0 / 64;
    /** A late answer moves to the next bar line, but never more than this many bars after its planned start. */
    static final int MAX_LATE_BARS = 2;
    /** Follow mode plays along while the player played within this many bars. */
    static final int FOLLOW_IDLE_BARS = 2;
    /** Phrases waiting to be learned; beyond this the engine is not keeping up and a phrase is skipped. */
    static final int MAX_QUEUED_PHRASES = 8;
    /** Shorter answer notes are left out: a note-off at the same beat as its note-on could be ordered first and hang. */
    static final double MIN_NOTE_BEATS = 1.0 / 32;
    private static final double EPSILON_BEATS = 1e-9;

    /** What the session has done, for a host's status display and for tests. */
    public record Status(long answersAsked, long answersPlayed, long answersShifted, long answersDropped, long notesLate, long bargeIns,
                         long discontinuities, int contextNotes, boolean answerPending) {}

    private record Held(double startBeats, int velocity) {}

    /**
     * An answer being computed, to start at startBeats. A draft is asked at the first beat of rest,
     * before the phrase-end rule fires (see {@link #draftEarly}): it becomes the answer if the player
     * stays silent, and is thrown away if the player goes on. An engine that writes in time order
     * hands over its notes as it decides them ({@code soFar}, written by the worker): the answer
     * begins to play with its first notes, while the rest is still being written.
     */
    private static final class Pending {
        final InferenceWorker.Job<List<Note>> job;
        final AtomicReference<List<Note>> soFar;
        final double startBeats;
        final boolean follow;
        boolean draft;
        /** How far the answer was moved when it began to play (0: on time); NaN before it began. */
        double shiftBeats = Double.NaN;
        /** The answer's notes already in the schedule (or left out as late). */
        final Set<Note> taken = new HashSet<>();

        Pending(InferenceWorker.Job<List<Note>> job, AtomicReference<List<Note>> soFar, double startBeats, boolean follow, boolean draft) {
            this.job = job;
            this.soFar = soFar;
            this.startBeats = startBeats;
            this.follow = follow;
            this.draft = draft;
        }

        boolean began() {
            return !Double.isNaN(shiftBeats);
        }
    }

    /** One answer note on its way out; the flags say which of its events were handed out. */
    private static final class Scheduled {
        final Note note;
        double offBeats;
        boolean onSent, offSent;

        Scheduled(Note note) {
            this.note = note;
            this.offBeats = note.endBeats();
        }
    }

    private final InferenceWorker worker;
    private final LiveEngine engine;
    /** Written by a control thread, read once per block. */
    private volatile LiveParameters parameters;

    // everything below belongs to the thread that calls onBlock
    /** Finished notes of the player, in the order they were released. */
    private final Deque<Note> context = new ArrayDeque<>();
    private final Map<Integer, Held> held = new HashMap<>();
    private boolean phraseOpen;
    private double phraseStartBeats, lastReleaseBeats, lastInputBeats = Double.NEGATIVE_INFINITY;
    /** Follow mode: notes starting before this have been learned. */
    private double learnedUpToBeats = Double.NEGATIVE_INFINITY;
    private Pending pending;
    /** The last streaming-prefill job, and the bar line it was asked at (see {@link #primeWhilePlaying}). */
    private InferenceWorker.Job<Void> priming;
    private double primedAtBeats = Double.NEGATIVE_INFINITY;
    private final List<Scheduled> scheduled = new ArrayList<>();
    private boolean wasRolling;
    private double previousEndBeats = Double.NaN;
    /** Events before this beat have been handed out (the horizon). */
    private double committedUpToBeats = Double.NEGATIVE_INFINITY;
    private final AtomicInteger phrasesQueued = new AtomicInteger();
    private long answersAsked, answersPlayed, answersShifted, answersDropped, notesLate, bargeIns, discontinuities;

    /** The session answers with {@code engine} on {@code worker}; it owns neither (the caller closes both). */
    public LiveSession(InferenceWorker worker, LiveEngine engine, LiveParameters parameters) {
        if (worker == null || engine == null || parameters == null) throw new IllegalArgumentException("a live session needs a worker, an engine and parameters");
        this.worker = worker;
        this.engine = engine;
        this.parameters = parameters;
    }

    public LiveParameters parameters() {
        return parameters;
    }

    /** Any thread; takes effect from the next block (an answer already asked for keeps its settings). */
    public void setParameters(LiveParameters p) {
        if (p == null) throw new IllegalArgumentException("live parameters are null");
        parameters = p;
    }

    /**
     * One block: the transport at its first frame and what the player played in it (in time
     * order). Returns the answer events handed out in this block, sorted by beat: everything due
     * before the block's end plus one bar. Never waits: inference runs on the worker and its result
     * is picked up by a later block.
     */
    public List<OutputEvent> onBlock(TransportSnapshot t, List<InputEvent> input) {
        List<OutputEvent> out = new ArrayList<>();
        LiveParameters p = parameters;
        if (!t.rolling()) {
            // stopped: nothing to place notes against, so input is not listened to
            if (wasRolling) discontinuity(t.beats(), out);
            wasRolling = false;
            return out;
        }
        if (wasRolling && Math.abs(t.beats() - previousEndBeats) > JUMP_TOLERANCE_BEATS) discontinuity(t.beats(), out);
        if (!wasRolling || committedUpToBeats == Double.NEGATIVE_INFINITY) committedUpToBeats = t.beats();
        wasRolling = true;
        for (InputEvent e : input) play(e, t, p, out);
        forgetOldContext(t.beats());
        // a finished answer is picked up before a new one may be asked for (follow asks every bar)
        collect(t);
        if (p.follow()) follow(t, p);
        else {
            draftEarly(t, p);
            detectPhraseEnd(t, p);
            primeWhilePlaying(t, p);
        }
        commit(t, out);
        previousEndBeats = t.endBeats();
        return out;
    }

    private void play(InputEvent e, TransportSnapshot t, LiveParameters p, List<OutputEvent> out) {
        // input is placed in time order inside the block; a count-in before beat 0 is not music to learn
        double at = Math.max(Math.max(e.beats(), t.beats()), lastInputBeats);
        if (at < 0) return;
        lastInputBeats = at;
        if (e.pressed()) {
            if (pending != null && pending.draft) {
                // the player goes on: the phrase has not ended, and its draft answer is thrown away
                pending.job.cancel();
                pending = null;
                LOG.debug("a draft answer of the {} engine was thrown away: the player went on at beat {}", engine.name(), at);
            }
            if (!p.follow() && answerActive(at)) bargeIn(at, out);
            Held again = held.put(e.pitch(), new Held(at, e.velocity()));
            if (again != null) remember(new Note(e.pitch(), again.startBeats(), at - again.startBeats(), again.velocity()));
            if (!phraseOpen) {
                phraseOpen = true;
                phraseStartBeats = at;
            }
        } else {
            Held h = held.remove(e.pitch());
            if (h == null) return; // pressed before we listened
            remember(new Note(e.pitch(), h.startBeats(), at - h.startBeats(), h.velocity()));
            if (held.isEmpty()) lastReleaseBeats = at;
        }
    }

    private boolean answerActive(double atBeats) {
        if (pending != null && !pending.draft) return true;
        for (Scheduled s : scheduled) if (s.offBeats > atBeats) return true;
        return false;
    }

    /**
     * The player plays over the answer: what is not handed out yet is dropped, notes sounding now
     * get a note-off now, and notes handed out but not started end at the horizon they were
     * handed out in (they cannot be taken back).
     */
    private void bargeIn(double atBeats, List<OutputEvent> out) {
        bargeIns++;
        if (pending != null) {
            pending.job.cancel();
            pending = null;
        }
        for (Iterator<Scheduled> it = scheduled.iterator(); it.hasNext(); ) {
            Scheduled s = it.next();
            if (!s.onSent) {
                it.remove();
            } else if (!s.offSent) {
                s.offBeats = s.note.startBeats() < atBeats ? Math.min(s.offBeats, atBeats) : Math.min(s.offBeats, committedUpToBeats);
            } else if (s.note.startBeats() < atBeats && s.offBeats > atBeats) {
                out.add(OutputEvent.noteOff(atBeats, s.note.channel(), s.note.pitch()));
            }
        }
    }

    /**
     * A loop, seek or stop: the answer is abandoned and every answer note that may still sound (or
     * still be queued in the scheduler, which drops what it holds) gets a note-off at the new
     * position. The player's unfinished phrase is learned, then the context is cleared: its
     * timing means nothing at the new position. What the engine learned is kept.
     */
    private void discontinuity(double atBeats, List<OutputEvent> out) {
        discontinuities++;
        if (pending != null) {
            pending.job.cancel();
            pending = null;
        }
        primedAtBeats = Double.NEGATIVE_INFINITY; // a loop back primes again at its bar lines
        for (Scheduled s : scheduled) {
            if (s.onSent && !(s.offSent && s.offBeats < previousEndBeats)) out.add(OutputEvent.noteOff(atBeats, s.note.channel(), s.note.pitch()));
        }
        scheduled.clear();
        double cut = Double.isNaN(previousEndBeats) ? atBeats : previousEndBeats;
        for (Map.Entry<Integer, Held> h : held.entrySet()) {
            Held k = h.getValue();
            remember(new Note(h.getKey(), k.startBeats(), Math.max(0, cut - k.startBeats()), k.velocity()));
        }
        held.clear();
        if (phraseOpen) learn(notesFrom(phraseStartBeats, Double.POSITIVE_INFINITY));
        context.clear();
        phraseOpen = false;
        lastInputBeats = Double.NEGATIVE_INFINITY;
        learnedUpToBeats = Double.NEGATIVE_INFINITY;
        committedUpToBeats = Double.NEGATIVE_INFINITY;
    }

    private void remember(Note n) {
        context.addLast(n);
        while (context.size() > MAX_CONTEXT_NOTES) context.removeFirst();
    }

    private void forgetOldContext(double nowBeats) {
        while (!context.isEmpty() && context.peekFirst().endBeats() < nowBeats - CONTEXT_BEATS) context.removeFirst();
    }

    /** Turn taking: the phrase ends after the silence, or at the first bar line after the last release. */
    private void detectPhraseEnd(TransportSnapshot t, LiveParameters p) {
        if (!phraseOpen || !held.isEmpty() || (pending != null && !pending.draft)) return;
        double end = phraseEnd(p, t);
        if (end >= t.endBeats() - EPSILON_BEATS) return;
        phraseOpen = false;
        List<Note> phrase = notesFrom(phraseStartBeats, Double.POSITIVE_INFINITY);
        learn(phrase);
        double start = answerStart(end, t, p);
        if (pending != null) {
            // the draft asked at the first beat of rest is the answer: nothing was played since
            if (Math.abs(pending.startBeats - start) < EPSILON_BEATS) {
                pending.draft = false;
                answersAsked++;
                return;
            }
            pending.job.cancel();
            pending = null;
        }
        ask(phrase, start, p.answerBars() * t.barBeats(), t, p, false);
    }

    /** Where the phrase ends if nothing more is played: after the silence, or at the first bar line after the last release. */
    private double phraseEnd(LiveParameters p, TransportSnapshot t) {
        return p.answerOnBar() ? t.barLineAtOrAfter(lastReleaseBeats) : lastReleaseBeats + p.silenceBeats();
    }

    /** The answer to a phrase that ends at {@code end} starts on the next beat or bar line, strictly after it (one due at the very beat could never be ready). */
    private static double answerStart(double end, TransportSnapshot t, LiveParameters p) {
        return p.startOn() == LiveParameters.Start.BAR
                ? t.barLineAtOrBefore(end) + t.barBeats()
                : t.barStartBeats() + Math.floor(end - t.barStartBeats() + EPSILON_BEATS) + 1;
    }

    /**
     * Answer early: for an engine that takes long to answer (a transformer: {@link LiveEngine#answersSlowly}), the answer is asked as
     * a draft at the first beat of rest, not when the phrase-end rule fires a beat or more later.
     * If the player stays silent the draft is the answer (the same request the rule would make);
     * if the player goes on it is thrown away. The Continuator answers in milliseconds and learns
     * the phrase first: it is asked at the phrase's end.
     */
    private void draftEarly(TransportSnapshot t, LiveParameters p) {
        if (!engine.answersSlowly() || !phraseOpen || !held.isEmpty() || pending != null) return;
        double end = phraseEnd(p, t);
        double restBeats = Math.min(EARLY_REST_BEATS, end - lastReleaseBeats);
        if (lastReleaseBeats + restBeats >= t.endBeats() - EPSILON_BEATS || end < t.endBeats() - EPSILON_BEATS) return;
        List<Note> phrase = notesFrom(phraseStartBeats, Double.POSITIVE_INFINITY);
        ask(phrase, answerStart(end, t, p), p.answerBars() * t.barBeats(), t, p, false, true);
    }

    /** Rest after the last release before a slow engine's draft answer is asked (see {@link #draftEarly}). */
    static final double EARLY_REST_BEATS = 1.0;

    /** Follow mode: at each bar line, learn the bar just played and ask for the bar after this one. */
    private void follow(TransportSnapshot t, LiveParameters p) {
        double bar = t.barLineAtOrAfter(t.beats());
        if (bar >= t.endBeats() - EPSILON_BEATS) return;
        List<Note> played = notesFrom(learnedUpToBeats, bar);
        learnedUpToBeats = bar;
        learn(played);
        boolean recent = !held.isEmpty();
        for (Note n : context) recent |= n.endBeats() >= bar - FOLLOW_IDLE_BARS * t.barBeats();
        if (!recent) return;
        if (pending != null) {
            pending.job.cancel(); // the worker is behind: the newer context is the one to follow
            if (!pending.draft && !pending.began()) answersDropped++;
            pending = null;
        }
        ask(notesFrom(Double.NEGATIVE_INFINITY, bar), bar + t.barBeats(), t.barBeats(), t, p, true);
    }

    /** The player's notes starting in [from, to), held ones as if released at the latest input, sorted by onset. */
    private List<Note> notesFrom(double fromBeats, double toBeats) {
        List<Note> notes = new ArrayList<>();
        for (Note n : context) if (n.startBeats() >= fromBeats && n.startBeats() < toBeats) notes.add(n);
        for (Map.Entry<Integer, Held> h : held.entrySet()) {
            Held k = h.getValue();
            if (k.startBeats() >= fromBeats && k.startBeats() < toBeats)
                notes.add(new Note(h.getKey(), k.startBeats(), Math.max(0, lastInputBeats - k.startBeats()), k.velocity()));
        }
        notes.sort(NoteSequence.ORDER);
        return notes;
    }

    private void learn(List<Note> phrase) {
        if (phrase.isEmpty()) return;
        if (phrasesQueued.get() >= MAX_QUEUED_PHRASES) {
            LOG.warn("the {} engine is not keeping up: a phrase of {} notes is not learned", engine.name(), phrase.size());
            return;
        }
        phrasesQueued.incrementAndGet();
        InferenceWorker.Job<Void> job = worker.submit((cancelled, progress) -> {
            engine.learn(phrase);
            return null;
        }, Progress.NONE);
        job.future().whenComplete((r, e) -> {
            phrasesQueued.decrementAndGet();
            if (e != null && !(e instanceof CancellationException)) LOG.warn("the {} engine could not learn a phrase: {}", engine.name(), e.toString());
        });
    }

    /** Submits an answer to the phrase (the key to lock to), continuing the whole context. */
    private void ask(List<Note> phrase, double startBeats, double lengthBeats, TransportSnapshot t, LiveParameters p, boolean follow) {
        ask(phrase, startBeats, lengthBeats, t, p, follow, false);
    }

    /** As above; a draft is counted (and uses up its seed) only when it becomes the answer. */
    private void ask(List<Note> phrase, double startBeats, double lengthBeats, TransportSnapshot t, LiveParameters p, boolean follow, boolean draft) {
        List<Note> all = notesFrom(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        if (all.isEmpty()) return;
        double origin = originOf(all, t);
        AnswerRequest request = new AnswerRequest(shifted(all, -origin), startBeats - origin, lengthBeats, t.barBeats(), t.bpm(),
                p.temperature(), p.seed() + answersAsked);
        LOG.debug("{} {} of the {} engine at beat {}: seed {}", draft ? "draft answer" : "answer", answersAsked + 1, engine.name(), startBeats, request.seed());
        // a prime still queued is of no use now: the answer runs the phrase itself
        if (priming != null) {
            priming.cancel();
            priming = null;
        }
        if (!draft) answersAsked++;
        boolean keyLock = p.keyLock();
        double velocityScale = p.velocityScale();
        int channel = p.channel();
        AtomicReference<List<Note>> soFar = new AtomicReference<>(List.of());
        InferenceWorker.Job<List<Note>> job = worker.submit((cancelled, progress) -> {
            // the phrase's key is found once per answer, on the worker; the engine may hand over notes many times
            dev.pianola.arrange.Key key = keyLock ? dev.pianola.arrange.KeyDetector.detect(phrase) : null;
            UnaryOperator<List<Note>> prepared = notes -> placed(KeyLock.snap(notes, key), request, origin, velocityScale, channel);
            return prepared.apply(engine.answer(request, cancelled, notes -> soFar.set(prepared.apply(notes))));
        }, Progress.NONE);
        pending = new Pending(job, soFar, startBeats, follow, draft);
    }

    /** Beats from a bar line at or before the first note: engines see small positions on the bar grid. */
    private static double originOf(List<Note> all, TransportSnapshot t) {
        return t.barLineAtOrBefore(all.get(0).startBeats());
    }

    /**
     * Streaming prefill: at each bar line while the player plays, an engine that reads the whole
     * context runs it ahead on the worker (the request that would be asked if the phrase ended
     * here), so that at the phrase's end only the last bar remains to be run. Only when the worker
     * is free and no answer is asked: a prime never queues behind another, and one not yet started
     * when an answer is asked is cancelled (one running finishes first: it cannot be interrupted).
     */
    private void primeWhilePlaying(TransportSnapshot t, LiveParameters p) {
        if (!phraseOpen || pending != null || !engine.primes()) return;
        if (priming != null && !priming.future().isDone()) return;
        double bar = t.barLineAtOrAfter(t.beats());
        if (bar >= t.endBeats() - EPSILON_BEATS || bar <= primedAtBeats + EPSILON_BEATS) return;
        primedAtBeats = bar;
        List<Note> all = notesFrom(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        if (all.isEmpty()) return;
        double origin = originOf(all, t);
        AnswerRequest upcoming = new AnswerRequest(shifted(all, -origin), bar + t.barBeats() - origin, p.answerBars() * t.barBeats(),
                t.barBeats(), t.bpm(), p.temperature(), p.seed());
        priming = worker.submit((cancelled, progress) -> {
            engine.prime(upcoming);
            return null;
        }, Progress.NONE);
        priming.future().whenComplete((r, e) -> {
            if (e != null && !(e instanceof CancellationException)) LOG.warn("the {} engine could not run the phrase ahead: {}", engine.name(), e.toString());
        });
    }

    /**
     * The engine's notes on the session's timeline, inside the answer's window, with the velocity
     * scale and channel applied, sorted; too short a note is left out (a note-off at the same beat
     * as its note-on could be ordered first and hang). Each note on its own: the same note comes out
     * the same whether the engine handed it over early or in the whole answer.
     */
    static List<Note> placed(List<Note> notes, AnswerRequest request, double originBeats, double velocityScale, int channel) {
        List<Note> out = new ArrayList<>();
        for (Note n : notes) {
            if (n.startBeats() < request.startBeats() - EPSILON_BEATS || n.startBeats() >= request.endBeats() - EPSILON_BEATS) continue;
            double duration = Math.min(n.durationBeats(), request.endBeats() - n.startBeats());
            if (duration < MIN_NOTE_BEATS) continue;
            int velocity = (int) Math.max(1, Math.min(127, Math.round(n.velocity() * velocityScale)));
            out.add(new Note(n.pitch(), n.startBeats() + originBeats, duration, velocity, channel));
        }
        out.sort(NoteSequence.ORDER);
        return out;
    }

    private static List<Note> shifted(List<Note> notes, double byBeats) {
        List<Note> out = new ArrayList<>(notes.size());
        // a start that is 0 in exact arithmetic may come out a rounding error below it (MIDI clock tempos are not round)
        for (Note n : notes) out.add(n.withTiming(Math.max(0, n.startBeats() + byBeats), n.durationBeats()));
        return out;
    }

    /**
     * Picks up an answer's notes: the whole answer once it is written, or the notes its engine has
     * decided so far. It begins to play once it is written far enough ahead ({@link #writtenAhead}),
     * or when it is whole. On time (its first note's beat not passed, even if its start has: it may
     * open with a rest): played as asked. Late: moved whole to the first bar line at or after now, unless that is more than
     * MAX_LATE_BARS bars after its planned start (then dropped, and a job still running is cancelled
     * once that is certain); follow mode drops a late bar outright, the next bar's answer is already
     * on its way. A note handed over after its beat has passed is left out (counted as late).
     */
    private void collect(TransportSnapshot t) {
        // a draft waits for the phrase-end rule (it may still be thrown away)
        if (pending == null || pending.draft) return;
        Pending a = pending;
        boolean done = a.job.future().isDone();
        List<Note> notes;
        if (done) {
            pending = null;
            try {
                notes = a.job.future().getNow(List.of());
            } catch (CancellationException | CompletionException e) {
                LOG.warn("the {} engine gave no answer: {}", engine.name(), e.getCause() != null ? e.getCause().toString() : e.toString());
                if (!a.began()) answersDropped++;
                return;
            }
        } else {
            notes = a.soFar.get();
        }
        if (!a.began()) {
            // late when its first note's beat has passed: an answer that opens with a rest may still be on time after its start
            double firstBeats = a.startBeats;
            if (!notes.isEmpty()) {
                firstBeats = Double.POSITIVE_INFINITY;
                for (Note n : notes) firstBeats = Math.min(firstBeats, n.startBeats());
            }
            double shiftBeats = t.beats() > firstBeats + EPSILON_BEATS ? t.barLineAtOrAfter(t.beats()) - a.startBeats : 0;
            boolean hopeless = shiftBeats > MAX_LATE_BARS * t.barBeats() + EPSILON_BEATS || (a.follow && shiftBeats > 0);
            if (!hopeless && !done && !writtenAhead(notes, shiftBeats, t)) return; // not far enough ahead to begin, still in time
            if (hopeless) {
                if (!done) a.job.cancel();
                pending = null;
                answersDropped++;
                return;
            }
            a.shiftBeats = shiftBeats;
            if (shiftBeats > 0) answersShifted++;
            answersPlayed++;
        }
        for (Note n : notes) {
            if (!a.taken.add(n)) continue;
            Note moved = n.withTiming(n.startBeats() + a.shiftBeats, n.durationBeats());
            if (moved.startBeats() < t.beats() - EPSILON_BEATS) {
                notesLate++;
                if (LOG.isDebugEnabled()) {
                    // reached past the note's beat: the model went back in time (REMI lets it), not a slow engine
                    double reachedBeats = Double.NEGATIVE_INFINITY;
                    for (Note k : a.taken) reachedBeats = Math.max(reachedBeats, k.startBeats() + a.shiftBeats);
                    LOG.debug("an answer note of the {} engine came {} beats after its beat {} (the answer has reached beat {}): left out",
                            engine.name(), t.beats() - moved.startBeats(), moved.startBeats(), reachedBeats);
                }
            } else {
                schedule(moved);
            }
        }
    }

    /**
     * An answer still being written begins to play only once its notes reach {@link #LEAD_SECONDS}
     * past the current beat (moved by {@code shiftBeats}): the engine must be ahead of the playhead,
     * or the notes right after its first (a chord's others, a quick run) are decided after their beat
     * and left out. One that never gets ahead before its first note is due is moved whole to a
     * later bar line, where it plays complete.
     */
    private static boolean writtenAhead(List<Note> notes, double shiftBeats, TransportSnapshot t) {
        if (notes.isEmpty()) return false;
        double lastBeats = Double.NEGATIVE_INFINITY;
        for (Note n : notes) lastBeats = Math.max(lastBeats, n.startBeats());
        return lastBeats + shiftBeats >= t.beats() + LEAD_SECONDS * t.bpm() / 60 - EPSILON_BEATS;
    }

    /** How far ahead of the playhead an answer being written must be before it begins (half a beat at 120 BPM). */
    static final double LEAD_SECONDS = 0.25;

    /**
     * Adds an answer note to the schedule, keeping the answer playable: a pitch struck again while
     * it sounds ends first. The earlier note is cut at the new onset, or left out if that leaves it
     * too short and it has not been handed out; the new note is left out instead when the earlier
     * one's release (or a too short note) is already out. Notes may come in any order.
     */
    private void schedule(Note n) {
        double endBeats = n.endBeats();
        for (Scheduled s : scheduled) {
            if (sameKey(s.note, n) && s.note.startBeats() > n.startBeats() + EPSILON_BEATS) endBeats = Math.min(endBeats, s.note.startBeats());
        }
        if (endBeats - n.startBeats() < MIN_NOTE_BEATS) return;
        for (Scheduled s : scheduled) {
            boolean sounding = sameKey(s.note, n) && s.note.startBeats() <= n.startBeats() + EPSILON_BEATS && s.offBeats > n.startBeats() + EPSILON_BEATS;
            if (sounding && (s.offSent || (s.onSent && n.startBeats() - s.note.startBeats() < MIN_NOTE_BEATS))) return;
        }
        for (Iterator<Scheduled> it = scheduled.iterator(); it.hasNext(); ) {
            Scheduled s = it.next();
            if (!sameKey(s.note, n) || s.note.startBeats() > n.startBeats() + EPSILON_BEATS || s.offBeats <= n.startBeats() + EPSILON_BEATS) continue;
            if (!s.onSent && n.startBeats() - s.note.startBeats() < MIN_NOTE_BEATS) it.remove();
            else s.offBeats = n.startBeats();
        }
        scheduled.add(new Scheduled(n.withTiming(n.startBeats(), endBeats - n.startBeats())));
    }

    private static boolean sameKey(Note a, Note b) {
        return a.pitch() == b.pitch() && a.channel() == b.channel();
    }

    /** Hands out every event before the horizon (the block's end plus one bar); handed-out events are final. */
    private void commit(TransportSnapshot t, List<OutputEvent> out) {
        double horizon = Math.max(committedUpToBeats, t.endBeats() + t.barBeats());
        for (Scheduled s : scheduled) {
            if (!s.onSent && s.note.startBeats() < horizon) {
                out.add(OutputEvent.noteOn(s.note.startBeats(), s.note.channel(), s.note.pitch(), s.note.velocity()));
                s.onSent = true;
            }
            if (s.onSent && !s.offSent && s.offBeats < horizon) {
                out.add(OutputEvent.noteOff(s.offBeats, s.note.channel(), s.note.pitch()));
                s.offSent = true;
            }
        }
        // kept a bar past their end, so that a jump can still release them should the scheduler hold them
        scheduled.removeIf(s -> s.offSent && s.offBeats < t.beats() - t.barBeats());
        // by beat; at one beat a note-off first, so a pitch struck again is not cut by its own release
        out.sort(Comparator.comparingDouble(OutputEvent::beats).thenComparing(OutputEvent::isNoteOn));
        committedUpToBeats = horizon;
    }

    /** Whether an answer is being computed (not yet picked up by a block). */
    public boolean answerPending() {
        return pending != null && !pending.draft;
    }

    /** Whether the answer being computed is finished, so the next block picks it up (false when none is pending). */
    public boolean answerReady() {
        return answerPending() && pending.job.future().isDone();
    }

    /** The beat up to which events have been handed out. */
    public double committedUpToBeats() {
        return committedUpToBeats;
    }

    public Status status() {
        return new Status(answersAsked, answersPlayed, answersShifted, answersDropped, notesLate, bargeIns, discontinuities,
                context.size() + held.size(), answerPending());
    }

    /** Cancels the answer being computed; the caller closes the worker and the engine. */
    @Override
    public void close() {
        if (pending != null) pending.job.cancel();
        pending = null;
        if (priming != null) priming.cancel();
        priming = null;
    }
}
