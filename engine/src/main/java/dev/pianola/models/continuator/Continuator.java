package dev.pianola.models.continuator;

import dev.pianola.BadInputException;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.time.TimeSignature;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static dev.pianola.models.continuator.ContinuationMetrics.COPY_NGRAM;
import static dev.pianola.models.continuator.ContinuatorConstants.*;

/**
 * A variable-order Markov model over note events that continues a phrase in the style of what it
 * has heard, after Pachet's Continuator (2003): it remembers every event it learned, and for each
 * context (the last 1..maxOrder events, seen through a {@link Viewpoint}) which remembered events
 * followed it. To continue, it draws a context of the phrase it has seen, longer and finer ones
 * far more often (at temperature 0 always the longest, finest: Pachet's rule), and plays one of the
 * events that followed it there; an event is a real played note or chord with its own rhythm and
 * dynamics, so the answer is made of the player's material.
 *
 * <p>A short phrase offers a Markov walk few paths, and the plain rule replays it and then loops on
 * its last notes. So the walk also keeps to what a partner does (see {@link #next}): it never loops
 * (a pitch repeated more than the phrase does, a figure over and over), quotes the phrase only a
 * few notes at a time, keeps the phrase's beat positions, and where the phrase itself offers one
 * path it makes new material from the phrase's steps: its motif moved to other degrees of the key
 * (sequence) or mirrored (inversion), or in another rhythm. It leans towards the phrase's pitch
 * classes in the phrase's proportions, and ends on a stable degree of the key ({@link Style}).
 *
 * <p>Learning is incremental: the live session calls {@link #learn(List)} with each phrase the
 * player ends. Memory grows with everything learned (about a dozen small objects per event).
 * Methods are synchronized because the live session learns on its capture thread while an
 * inference thread continues.
 */
public final class Continuator {
    /**
     * How a next event was found: {@code order} 0 is a restart, when no context matched at all.
     * {@code event} is the remembered one as it will be played (moved to the walk's note when found
     * through a relative viewpoint). {@code ioiSteps} is the time from the previous onset: the
     * event's own, except on a restart, which waits until the event's position in the beat comes round.
     */
    record Choice(Event event, int ioiSteps, int order, Viewpoint viewpoint) {}

    private final ContinuatorOptions options;
    /** Every event learned, phrase after phrase (and each phrase's transpositions). */
    private final List<Event> memory = new ArrayList<>();
    /** For each remembered event, the semitones its phrase was transposed by (0: as played). */
    private final List<Integer> transpositionOf = new ArrayList<>();
    /** Duration-weighted pitch classes of each transposed copy of memory, by semitones. */
    private final Map<Integer, double[]> profileOf = new TreeMap<>();
    /** For each viewpoint and order k (index k-1): context of k events -> memory indices of the events that followed it, in learning order. */
    private final Map<Viewpoint, List<Map<List<Object>, List<Integer>>>> continuations = new EnumMap<>(Viewpoint.class);

    public Continuator() {
        this(ContinuatorOptions.DEFAULT);
    }

    public Continuator(ContinuatorOptions options) {
        if (options == null) throw new IllegalArgumentException("continuator options are null");
        this.options = options;
        for (Viewpoint v : Viewpoint.values()) {
            if (v.learnedAs() != v) continue;
            List<Map<List<Object>, List<Integer>>> byOrder = new ArrayList<>();
            for (int k = 1; k <= options.maxOrder(); k++) byOrder.add(new HashMap<>());
            continuations.put(v, byOrder);
        }
    }

    public ContinuatorOptions options() {
        return options;
    }

    /** How many events it remembers (transposed copies included). */
    public synchronized int eventsLearned() {
        return memory.size();
    }

    /** Learns every note of a prompt, all channels together, as one phrase. */
    public void learn(NoteSequence prompt) {
        learn(prompt.notes());
    }

    /**
     * Learns one phrase: contexts do not run from one phrase into the next, because a pause
     * between two phrases is not a rhythm the player meant; the end of a phrase leads back to its
     * own start.
     */
    public synchronized void learn(List<Note> phrase) {
        if (phrase == null || phrase.isEmpty()) throw new BadInputException("cannot learn from a phrase with no notes");
        List<Event> events = Event.of(phrase);
        addPhrase(events, 0);
        if (!options.transpose()) return;
        for (int s = -TRANSPOSE_DOWN_SEMITONES; s <= TRANSPOSE_UP_SEMITONES; s++) {
            if (s == 0) continue;
            List<Event> moved = new ArrayList<>(events.size());
            for (Event e : events) {
                Event t = e.transposed(s);
                if (t == null) break; // a copy that leaves the MIDI range is left out whole
                moved.add(t);
            }
            if (moved.size() == events.size()) addPhrase(moved, s);
        }
    }

    private void addPhrase(List<Event> events, int semitones) {
        int base = memory.size();
        memory.addAll(events);
        for (int i = 0; i < events.size(); i++) transpositionOf.add(semitones);
        double[] p = profile(events), sum = profileOf.computeIfAbsent(semitones, x -> new double[12]);
        for (int pc = 0; pc < 12; pc++) sum[pc] += p[pc];
        int n = events.size();
        for (Viewpoint v : Viewpoint.values()) {
            if (v.learnedAs() != v) continue;
            List<Map<List<Object>, List<Integer>>> byOrder = continuations.get(v);
            for (int i = 1; i <= n; i++) {
                // the phrase's end leads back to its start, as a player repeats a phrase: else its
                // first event follows nothing and never comes back; a step has no meaning across the gap
                if (i == n && v.relative()) continue;
                for (int k = 1; k <= Math.min(options.maxOrder(), i); k++) {
                    List<Object> context = context(v, events, i - k, i);
                    if (context != null) byOrder.get(k - 1).computeIfAbsent(context, x -> new ArrayList<>()).add(base + i % n);
                }
            }
        }
    }

    /** The viewpoint values of events[from, to); null when one of them has none. */
    private static List<Object> context(Viewpoint v, List<Event> events, int from, int to) {
        List<Object> key = new ArrayList<>(to - from);
        for (int j = from; j < to; j++) {
            Object value = v.of(events, j);
            if (value == null) return null;
            key.add(value);
        }
        return key;
    }

    /**
     * Continues a prompt for some bars of the meter in force where it ends, starting where it
     * ends, with the options' seed.
     */
    public List<Note> continueFrom(NoteSequence prompt, int bars) {
        return continueFrom(prompt, bars, options.seed());
    }

    public List<Note> continueFrom(NoteSequence prompt, int bars, long seed) {
        if (bars < 1 || bars > 256) throw new BadInputException("bars to continue must be 1..256, got " + bars);
        TimeSignature meter = TimeSignature.FOUR_FOUR;
        for (TimeSignature ts : prompt.timeSignatures()) if (ts.beats() <= prompt.endBeats() + EPSILON_BEATS) meter = ts;
        return continueFrom(prompt.notes(), prompt.endBeats(), bars * meter.barBeats(), seed);
    }

    /** Continues a phrase for lengthBeats from where its last note ends, with the options' seed. */
    public List<Note> continueFrom(List<Note> phrase, double lengthBeats) {
        return continueFrom(phrase, lengthBeats, options.seed());
    }

    public List<Note> continueFrom(List<Note> phrase, double lengthBeats, long seed) {
        if (phrase == null || phrase.isEmpty()) throw new BadInputException("cannot continue a phrase with no notes");
        double end = 0;
        for (Note n : phrase) end = Math.max(end, n.endBeats());
        return continueFrom(phrase, end, lengthBeats, seed);
    }

    /**
     * Continues a phrase: the notes it plays from startBeats to startBeats + lengthBeats, sorted by
     * onset. The chain runs on from the phrase's last onset in the learned rhythm, so it keeps the
     * phrase's pulse; events that fall before startBeats (while the phrase's last notes still ring,
     * or while the live session waited) are chosen but not played. An answer of at least
     * {@link ContinuatorConstants#SHAPED_ANSWER_BEATS} ends as a phrase does: its last event on a
     * stable degree of the phrase's key, held to the end of the window. Notes are cut at the end of
     * the window. The same seed, memory and phrase give the same notes.
     */
    public synchronized List<Note> continueFrom(List<Note> phrase, double startBeats, double lengthBeats, long seed) {
        if (phrase == null || phrase.isEmpty()) throw new BadInputException("cannot continue a phrase with no notes");
        if (memory.isEmpty()) throw new BadInputException("the continuator has learned nothing yet: learn a phrase first");
        if (!(lengthBeats > 0 && lengthBeats <= MAX_LENGTH_BEATS))
            throw new BadInputException(String.format(Locale.ROOT, "continuation length must be more than 0 and at most %.0f beats, got %s", MAX_LENGTH_BEATS, lengthBeats));
        Walk walk = new Walk(phrase, seed);
        double lastOnsetBeats = walk.clockSteps * GRID_BEATS;
        // the walk goes through every step up to the start, so the start must not be far beyond the phrase
        if (!(startBeats >= 0 && startBeats <= lastOnsetBeats + MAX_LENGTH_BEATS))
            throw new BadInputException(String.format(Locale.ROOT, "continuation start must be a beat from 0 to %.0f beats after the phrase's last onset, got %s",
                    MAX_LENGTH_BEATS, startBeats));

        double endBeats = startBeats + lengthBeats;
        List<Event> played = new ArrayList<>();
        List<Double> playedOnsets = new ArrayList<>();
        // every step moves at least one grid step forward, so this ends
        while (true) {
            Choice choice = next(walk);
            long onsetSteps = walk.clockSteps + choice.ioiSteps();
            double onsetBeats = onsetSteps * GRID_BEATS;
            if (onsetBeats >= endBeats - EPSILON_BEATS) break;
            walk.advance(choice, onsetSteps);
            if (onsetBeats < startBeats - EPSILON_BEATS) continue;
            played.add(choice.event());
            playedOnsets.add(onsetBeats);
        }
        if (lengthBeats >= SHAPED_ANSWER_BEATS && !played.isEmpty()) {
            int last = played.size() - 1;
            played.set(last, walk.style.cadence(played.get(last)));
        }
        List<Note> out = new ArrayList<>();
        for (int i = 0; i < played.size(); i++) {
            double onsetBeats = playedOnsets.get(i);
            boolean held = lengthBeats >= SHAPED_ANSWER_BEATS && i == played.size() - 1;
            for (Event.Tone t : played.get(i).tones()) {
                double duration = held ? endBeats - onsetBeats : Math.min(t.durationSteps() * GRID_BEATS, endBeats - onsetBeats);
                out.add(new Note(t.pitch(), onsetBeats, duration, t.velocity()));
            }
        }
        out.sort(NoteSequence.ORDER);
        return out;
    }

    /**
     * One continuation as it is walked: the phrase and what was chosen after it, the clock, the
     * random source, and what the phrase says an answer should keep to.
     */
    final class Walk {
        final List<Event> history;
        final Style style;
        final Integer transposition;
        final SplittableRandom rng;
        /** Onset of the history's last event, in grid steps from beat 0. */
        long clockSteps;
        /** How many events in a row ended a figure quoted from the phrase. */
        private int quoteRun;
        /** How long the answer has sounded each pitch class, in grid steps. */
        private final double[] answerDwell = new double[12];
        /** Pitches of the phrase the answer has not played yet. */
        private final BitSet unplayed = new BitSet(128);

        Walk(List<Note> phrase, long seed) {
            history = new ArrayList<>(Event.of(phrase));
            style = Style.of(phrase);
            transposition = options.transpose() ? transpositionFor(history) : null;
            rng = new SplittableRandom(seed);
            clockSteps = history.get(history.size() - 1).onsetSteps();
            for (Note n : phrase) unplayed.set(n.pitch());
        }

        /**
         * How much an event suits the answer, beyond the evidence for it: its familiarity to the
         * phrase ({@link Style#familiarity}), raised for pitch classes the answer has played less
         * than the phrase did ({@link #balance}), and doubled when it brings a pitch of the phrase
         * the answer has not played yet. So an answer draws on the player's whole vocabulary in
         * about the player's proportions, instead of circling on the few notes where the phrase's
         * contexts meet (a phrase's first note, say, follows nothing and would never come back).
         */
        double appeal(Event e) {
            double a = style.familiarity(e) * Math.exp(BALANCE_GAIN * balance(e));
            for (Event.Tone t : e.tones()) if (unplayed.get(t.pitch())) return a * UNPLAYED_PITCH_WEIGHT;
            return a;
        }

        /**
         * How much the answer lacks the event's pitch classes, against the phrase: the mean over its
         * notes of the phrase's share of the pitch class minus the answer's share so far (shares of
         * the sounding time). Positive for what the answer has played too little of.
         */
        private double balance(Event e) {
            double answerTotal = 0, phraseTotal = 0;
            for (int pc = 0; pc < 12; pc++) {
                answerTotal += answerDwell[pc];
                phraseTotal += style.dwell()[pc];
            }
            double sum = 0;
            for (Event.Tone t : e.tones()) {
                int pc = t.pitch() % 12;
                sum += style.dwell()[pc] / phraseTotal - (answerTotal > 0 ? answerDwell[pc] / answerTotal : 0);
            }
            return sum / e.tones().size();
        }

        int lastTop() {
            return history.get(history.size() - 1).topPitch();
        }

        void advance(Choice choice, long onsetSteps) {
            quoteRun = quotes(choice.event()) ? quoteRun + 1 : 0;
            for (Event.Tone t : choice.event().tones()) {
                unplayed.clear(t.pitch());
                answerDwell[t.pitch() % 12] += t.durationSteps();
            }
            history.add(choice.event());
            // contexts and the loop checks look back a bounded way; the rest is not needed
            if (history.size() > HISTORY_EVENTS) history.remove(0);
            clockSteps = onsetSteps;
        }

        /**
         * Whether this event would carry a quote of the phrase on too long: it ends a figure of the
         * phrase's top voice, after {@link Style#maxQuoteRun} events that each did.
         */
        boolean overquotes(Event e) {
            return quoteRun >= style.maxQuoteRun() && quotes(e);
        }

        /** Whether this event, after the history, ends a figure of the phrase's top voice. */
        boolean quotes(Event e) {
            if (history.size() < COPY_NGRAM - 1) return false;
            List<Integer> figure = new ArrayList<>(COPY_NGRAM);
            for (int j = history.size() - COPY_NGRAM + 1; j < history.size(); j++) figure.add(history.get(j).topPitch());
            figure.add(e.topPitch());
            return style.quoted().contains(figure);
        }

        /**
         * Whether this event would make the top voice loop: one pitch repeated more often than the
         * phrase itself does, a figure of up to {@link ContinuatorConstants#MAX_ECHOED_EVENTS}
         * events (pitch and rhythm) played a third time in a row, or a longer one (up to
         * {@link ContinuatorConstants#MAX_CYCLE_EVENTS}) a second time.
         */
        boolean loops(Event e) {
            int run = 1;
            for (int j = history.size() - 1; j >= 0 && history.get(j).topPitch() == e.topPitch(); j--) run++;
            if (run > style.maxRepeat()) return true;
            int n = history.size() + 1;
            for (int period = 2; period <= MAX_CYCLE_EVENTS; period++) {
                // a short figure may be played twice (a motif and its echo), a long passage only once
                int times = period <= MAX_ECHOED_EVENTS ? 3 : 2;
                if (times * period > n) break;
                boolean cycle = true;
                for (int j = n - 1; j >= n - (times - 1) * period && cycle; j--) cycle = sameStep(at(j, e), at(j - period, e));
                if (cycle) return true;
            }
            return false;
        }

        private Event at(int j, Event appended) {
            return j == history.size() ? appended : history.get(j);
        }

        private static boolean sameStep(Event a, Event b) {
            return a.topPitch() == b.topPitch() && a.ioiSteps() == b.ioiSteps();
        }
    }

    /**
     * The transposed copy to answer from: the one whose pitch classes (weighted by duration) are
     * most like the phrase's, i.e. the key the phrase is in; the smaller shift on a tie. A whole
     * continuation stays in one copy, or each back-off to a short context (which matches in every
     * key) would wander to another key.
     */
    private int transpositionFor(List<Event> phrase) {
        double[] p = profile(phrase);
        int best = 0;
        double bestSimilarity = Double.NEGATIVE_INFINITY;
        for (Map.Entry<Integer, double[]> copy : profileOf.entrySet()) {
            double sim = cosine(p, copy.getValue());
            int s = copy.getKey();
            if (sim > bestSimilarity + 1e-12 || (sim > bestSimilarity - 1e-12 && Math.abs(s) < Math.abs(best))) {
                best = s;
                bestSimilarity = Math.max(sim, bestSimilarity);
            }
        }
        return best;
    }

    /** Duration-weighted pitch-class histogram. */
    static double[] profile(List<Event> events) {
        double[] p = new double[12];
        for (Event e : events) for (Event.Tone t : e.tones()) p[t.pitch() % 12] += t.durationSteps();
        return p;
    }

    private static double cosine(double[] a, double[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
    }

    /**
     * The next event of a walk. Every context of the history that was seen (each length up to
     * maxOrder, each viewpoint) offers the events that followed it; identical events pool, and
     * their count is the evidence for them. A context is drawn with weight
     * {@code (ORDER_PREFERENCE^length x viewpoint weight x appeal)^(1/temperature)}, then an
     * event among its followers with weight {@code (count x appeal)^(1/temperature)}
     * (appeal: {@link Walk#appeal}, left out at temperature 0): at temperature 0 this is Pachet's rule,
     * the longest, finest context and its most frequent continuation; higher temperatures back off
     * to shorter and coarser contexts more often, which is where new material comes from.
     *
     * <p>Before drawing, followers are ranked, and only the best rank present anywhere is kept:
     * <ol>
     * <li>no loop: the top voice does not repeat a pitch more often than the phrase does, nor a
     *     figure a third time in a row (a walk that reaches the end of what it learned would
     *     otherwise back off onto the same ending for ever);</li>
     * <li>in phase: the event lands on the same position within the beat as where it was played
     *     (intervals alone know nothing of the beat; one odd interval would shift the rest off the
     *     grid), within {@link ContinuatorConstants#PHASE_TOLERANCE_STEPS}. An event that would
     *     not is moved to where it does;</li>
     * <li>no long quote: a short phrase's four-note figures may end at most two events in a row
     *     (a longer phrase's, more: {@link Style#maxQuoteRun}), so the answer develops the phrase
     *     rather than replays it.</li>
     * </ol>
     * When no context matches at all, it restarts on an event within the recent pitch classes.
     */
    Choice next(Walk w) {
        // moved material only where the phrase itself offers one path that keeps the rules, and
        // the coarsest of it only where even the steps in rhythm offer no more
        List<Context> contexts = new ArrayList<>();
        for (List<Viewpoint> tier : List.of(ABSOLUTE, STEPS_IN_RHYTHM, List.of(Viewpoint.STEP))) {
            if (openPaths(contexts) >= 2) break;
            contexts.addAll(matches(w, tier));
        }
        int bestRank = Integer.MAX_VALUE;
        for (Context c : contexts) for (Pool p : c.pools()) bestRank = Math.min(bestRank, p.rank());
        if (contexts.isEmpty()) {
            int restart = restart(w.history, w.transposition, w.rng);
            Event e = memory.get(restart);
            int wait = (int) Math.floorMod(e.beatPhaseSteps() - w.clockSteps, (long) STEPS_PER_BEAT);
            return new Choice(e, wait == 0 ? STEPS_PER_BEAT : wait, 0, null);
        }
        List<Context> eligible = new ArrayList<>();
        List<Double> contextWeights = new ArrayList<>();
        for (Context c : contexts) {
            int rank = bestRank;
            List<Pool> kept = new ArrayList<>(c.pools());
            kept.removeIf(p -> p.rank() != rank);
            if (kept.isEmpty()) continue;
            eligible.add(new Context(c.order(), c.viewpoint(), kept));
            // a context that only leads to pitch classes the player never used counts for less
            double familiarity = 0;
            for (Pool p : kept) familiarity = Math.max(familiarity, appeal(w, p));
            contextWeights.add(Math.pow(ORDER_PREFERENCE, c.order()) * c.viewpoint().weight * familiarity);
        }
        Context c = eligible.get(draw(contextWeights, w.rng));
        List<Double> poolWeights = new ArrayList<>();
        for (Pool p : c.pools()) poolWeights.add(p.occurrences().size() * appeal(w, p));
        Pool p = c.pools().get(draw(poolWeights, w.rng));
        int chosen = p.occurrences().get(w.rng.nextInt(p.occurrences().size()));
        // occurrences of one pool differ only in touch: realise the chosen one for its velocities
        Event e = inPhase(w.style.realise(memory.get(chosen), p.shift()), w.clockSteps);
        return new Choice(e, e.ioiSteps(), c.order(), c.viewpoint());
    }

    private static final List<Viewpoint> ABSOLUTE = List.of(Viewpoint.PITCH_RHYTHM, Viewpoint.PITCH, Viewpoint.PITCH_CLASS, Viewpoint.TOP_PITCH);
    private static final List<Viewpoint> STEPS_IN_RHYTHM = List.of(Viewpoint.INTERVAL, Viewpoint.INVERSION);

    /** How many different events the contexts offer that keep every rule (rank 0). */
    private static int openPaths(List<Context> contexts) {
        Set<Object> open = new HashSet<>();
        for (Context c : contexts) for (Pool p : c.pools()) if (p.rank() == 0) open.add(p.key());
        return open.size();
    }

    /** The contexts of the walk's history that were seen in some viewpoints, longest first. */
    private List<Context> matches(Walk w, List<Viewpoint> viewpoints) {
        List<Event> history = w.history;
        List<Context> contexts = new ArrayList<>();
        for (int k = Math.min(options.maxOrder(), history.size()); k >= 1; k--) {
            for (Viewpoint v : viewpoints) {
                boolean relative = v.relative();
                List<Integer> followers = continuations.get(v.learnedAs()).get(k - 1).get(context(v, history, history.size() - k, history.size()));
                if (followers == null) continue;
                Map<Object, Pool> pools = new LinkedHashMap<>();
                for (int i : followers) {
                    if (w.transposition != null && transpositionOf.get(i) != w.transposition.intValue()) continue;
                    // relative: the follower's step, taken (or mirrored) from the walk's note
                    int target = relative ? w.lastTop() + v.direction() * (memory.get(i).topPitch() - memory.get(i - 1).topPitch()) : 0;
                    int shift = relative ? target - memory.get(i).topPitch() : 0;
                    Event e = w.style.realise(memory.get(i), shift);
                    if (e == null) continue;
                    Event timed = inPhase(e, w.clockSteps);
                    Object key = Viewpoint.PITCH_RHYTHM.of(List.of(timed), 0);
                    pools.computeIfAbsent(key, x -> new Pool(key, timed, shift, rank(w, v, e, timed), new ArrayList<>())).occurrences().add(i);
                }
                if (!pools.isEmpty()) contexts.add(new Context(k, v, new ArrayList<>(pools.values())));
            }
        }
        return contexts;
    }

    /** The walk's appeal of a pool's event; at temperature 0 none, so the choice is Pachet's, by evidence alone. */
    private double appeal(Walk w, Pool p) {
        return options.temperature() == 0 ? 1 : w.appeal(p.event());
    }

    /** A matched context: its length, its viewpoint and its followers pooled by event. */
    private record Context(int order, Viewpoint viewpoint, List<Pool> pools) {}

    /** Occurrences (memory indices) of one event as it would be played, and their rank (0 best, see {@link #next}). */
    private record Pool(Object key, Event event, int shift, int rank, List<Integer> occurrences) {}

    /** The rank of an event (0 best, see {@link #next}); timed is the event moved into phase, when it was not. */
    private static int rank(Walk w, Viewpoint v, Event e, Event timed) {
        // a viewpoint blind to rhythm finds events to be retimed: that is its rhythmic variation
        boolean inPhase = !v.keepsRhythm() || Math.abs(timed.ioiSteps() - e.ioiSteps()) <= PHASE_TOLERANCE_STEPS;
        return (w.loops(timed) ? 4 : 0) + (inPhase ? 0 : 2) + (w.overquotes(timed) ? 1 : 0);
    }

    /**
     * The event landing on its own position within the beat after an onset: itself when its
     * interval does that, else a little later, where it does (less than a beat: a player holds a
     * note longer to come back on the beat; earlier would crowd the line), or a step or two earlier.
     */
    private static Event inPhase(Event e, long clockSteps) {
        int off = (int) Math.floorMod(e.beatPhaseSteps() - (clockSteps + e.ioiSteps()), (long) STEPS_PER_BEAT);
        if (off == 0) return e;
        // a played phrase's own timing jitters: a step or two early is put right by waiting less
        int delta = off >= STEPS_PER_BEAT - PHASE_TOLERANCE_STEPS && e.ioiSteps() + off - STEPS_PER_BEAT >= 1 ? off - STEPS_PER_BEAT : off;
        return new Event(e.onsetBeats(), e.ioiSteps() + delta, e.tones());
    }

    /** An index drawn with probability proportional to weight^(1/temperature); at temperature 0 the largest weight, the first on a tie. */
    private int draw(List<Double> weights, SplittableRandom rng) {
        if (weights.size() == 1) return 0;
        if (options.temperature() == 0) {
            int best = 0;
            for (int i = 1; i < weights.size(); i++) if (weights.get(i) > weights.get(best) + 1e-12) best = i;
            return best;
        }
        double[] w = new double[weights.size()];
        double total = 0;
        for (int i = 0; i < w.length; i++) total += w[i] = Math.pow(weights.get(i), 1 / options.temperature());
        double r = rng.nextDouble() * total;
        for (int i = 0; i < w.length; i++) if ((r -= w[i]) < 0) return i;
        return w.length - 1;
    }

    /** A remembered event (of the copy in use) whose pitch classes were all heard lately, else any remembered event. */
    private int restart(List<Event> history, Integer transposition, SplittableRandom rng) {
        int heard = 0;
        for (int i = Math.max(0, history.size() - RESTART_MEMORY_EVENTS); i < history.size(); i++) heard |= history.get(i).pitchClassSet();
        List<Integer> inKey = new ArrayList<>();
        for (int i = 0; i < memory.size(); i++) {
            if ((memory.get(i).pitchClassSet() & ~heard) == 0 && (transposition == null || transpositionOf.get(i).equals(transposition))) inKey.add(i);
        }
        return inKey.isEmpty() ? rng.nextInt(memory.size()) : inKey.get(rng.nextInt(inKey.size()));
    }
}
