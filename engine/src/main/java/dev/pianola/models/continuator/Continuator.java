package dev.pianola.models.continuator;

import dev.pianola.BadInputException;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.time.TimeSignature;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static dev.pianola.models.continuator.ContinuatorConstants.*;

/**
 * A variable-order Markov model over note events that continues a phrase in the style of what it
 * has heard, after Pachet's Continuator (2003): it remembers every event it learned, and for each
 * context (the last 1..maxOrder events, seen through a {@link Viewpoint}) which remembered events
 * followed it. To continue, it looks for the longest context of the phrase it has seen, finest
 * viewpoint first, and plays one of the events that followed it there; an event is a real played
 * note or chord with its own rhythm and dynamics, so the answer is made of the player's material.
 *
 * <p>Learning is incremental: the live session calls {@link #learn(List)} with each phrase the
 * player ends. Memory grows with everything learned (about a dozen small objects per event).
 * Methods are synchronized because the live session learns on its capture thread while an
 * inference thread continues.
 */
public final class Continuator {
    /**
     * How a next event was found: {@code order} 0 is a restart, when no context matched at all.
     * {@code ioiSteps} is the time from the previous onset: the remembered event's own, except on a
     * restart, which waits until the event's position in the beat comes round.
     */
    record Choice(int memoryIndex, int ioiSteps, int order, Viewpoint viewpoint) {}

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
     * between two phrases is not a rhythm the player meant.
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
        for (int i = 1; i < events.size(); i++) {
            for (Viewpoint v : Viewpoint.values()) {
                List<Map<List<Object>, List<Integer>>> byOrder = continuations.get(v);
                for (int k = 1; k <= Math.min(options.maxOrder(), i); k++) {
                    byOrder.get(k - 1).computeIfAbsent(context(v, events, i - k, i), x -> new ArrayList<>()).add(base + i);
                }
            }
        }
    }

    /** The viewpoint values of events[from, to). */
    private static List<Object> context(Viewpoint v, List<Event> events, int from, int to) {
        List<Object> key = new ArrayList<>(to - from);
        for (int j = from; j < to; j++) key.add(v.of(events.get(j)));
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
     * or while the live session waited) are chosen but not played. Notes are cut at the end of the
     * window. The same seed, memory and phrase give the same notes.
     */
    public synchronized List<Note> continueFrom(List<Note> phrase, double startBeats, double lengthBeats, long seed) {
        if (phrase == null || phrase.isEmpty()) throw new BadInputException("cannot continue a phrase with no notes");
        if (memory.isEmpty()) throw new BadInputException("the continuator has learned nothing yet: learn a phrase first");
        if (!(lengthBeats > 0 && lengthBeats <= MAX_LENGTH_BEATS))
            throw new BadInputException(String.format(Locale.ROOT, "continuation length must be more than 0 and at most %.0f beats, got %s", MAX_LENGTH_BEATS, lengthBeats));
        List<Event> history = new ArrayList<>(Event.of(phrase));
        double lastOnsetBeats = history.get(history.size() - 1).onsetBeats();
        // the walk goes through every step up to the start, so the start must not be far beyond the phrase
        if (!(startBeats >= 0 && startBeats <= lastOnsetBeats + MAX_LENGTH_BEATS))
            throw new BadInputException(String.format(Locale.ROOT, "continuation start must be a beat from 0 to %.0f beats after the phrase's last onset, got %s",
                    MAX_LENGTH_BEATS, startBeats));

        SplittableRandom rng = new SplittableRandom(seed);
        Integer transposition = options.transpose() ? transpositionFor(history) : null;
        Deque<Integer> recent = new ArrayDeque<>();
        // the walk's clock counts grid steps from beat 0: whole numbers, so it never drifts off the grid
        long clockSteps = history.get(history.size() - 1).onsetSteps();
        double endBeats = startBeats + lengthBeats;
        List<Note> out = new ArrayList<>();
        // every step moves at least one grid step forward, so this ends
        while (true) {
            Choice choice = next(history, clockSteps, transposition, recent, rng);
            int chosen = choice.memoryIndex();
            Event e = memory.get(chosen);
            clockSteps += choice.ioiSteps();
            double onsetBeats = clockSteps * GRID_BEATS;
            if (onsetBeats >= endBeats - EPSILON_BEATS) break;
            history.add(e);
            if (history.size() > options.maxOrder() + RESTART_MEMORY_EVENTS) history.remove(0);
            recent.addLast(chosen);
            if (recent.size() > LOOP_GUARD_EVENTS) recent.removeFirst();
            if (onsetBeats < startBeats - EPSILON_BEATS) continue;
            for (Event.Tone t : e.tones()) {
                double duration = Math.min(t.durationSteps() * GRID_BEATS, endBeats - onsetBeats);
                out.add(new Note(t.pitch(), onsetBeats, duration, t.velocity()));
            }
        }
        out.sort(NoteSequence.ORDER);
        return out;
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
    private static double[] profile(List<Event> events) {
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
     * The next event after a history: the longest context seen, and within one length the finest
     * viewpoint (a long context in pitch classes says more about where the music goes than a single
     * event in full detail); when nothing matches, a restart within the recent pitch classes.
     *
     * <p>Two preferences keep the walk musical, each only among followers of matched contexts:
     * <ul>
     * <li>In phase: a follower that would land on the same position within the beat as where it
     *     was played. Intervals alone know nothing of the beat, so one odd interval (a grace note, a
     *     back-off to another passage) would shift the rest of the continuation off the grid.</li>
     * <li>Fresh: not chosen in the last {@link ContinuatorConstants#LOOP_GUARD_EVENTS} steps.
     *     Otherwise a walk that reaches the end of what it learned backs off, lands on a passage it
     *     just played, and runs into the same end again, looping one figure for ever.</li>
     * </ul>
     * The longest, finest context with a fresh follower in phase wins; failing that anywhere, one
     * in phase, then one fresh, then any.
     *
     * @param clockSteps    onset of the history's last event, in grid steps from beat 0
     * @param transposition the copy to stay in, or null for all of memory
     */
    Choice next(List<Event> history, long clockSteps, Integer transposition, Collection<Integer> recent, SplittableRandom rng) {
        List<Integer> fallback = null;
        int fallbackRank = Integer.MAX_VALUE, fallbackOrder = 0;
        Viewpoint fallbackViewpoint = null;
        for (int k = Math.min(options.maxOrder(), history.size()); k >= 1; k--) {
            for (Viewpoint v : Viewpoint.values()) {
                List<Integer> followers = continuations.get(v).get(k - 1).get(context(v, history, history.size() - k, history.size()));
                if (followers == null) continue;
                // rank 0: fresh and in phase; 1: in phase; 2: fresh; 3: neither
                List<List<Integer>> ranked = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
                for (int i : followers) {
                    if (transposition != null && transpositionOf.get(i) != transposition.intValue()) continue;
                    Event e = memory.get(i);
                    boolean inPhase = Math.floorMod(clockSteps + e.ioiSteps(), STEPS_PER_BEAT) == e.beatPhaseSteps();
                    ranked.get((inPhase ? 0 : 2) + (recent.contains(i) ? 1 : 0)).add(i);
                }
                if (!ranked.get(0).isEmpty()) return choice(pick(ranked.get(0), rng), k, v);
                for (int r = 1; r < Math.min(fallbackRank, 4); r++) {
                    if (ranked.get(r).isEmpty()) continue;
                    fallback = ranked.get(r);
                    fallbackRank = r;
                    fallbackOrder = k;
                    fallbackViewpoint = v;
                    break;
                }
            }
        }
        if (fallback != null) return choice(pick(fallback, rng), fallbackOrder, fallbackViewpoint);
        int restart = restart(history, transposition, rng);
        int wait = (int) Math.floorMod(memory.get(restart).beatPhaseSteps() - clockSteps, (long) STEPS_PER_BEAT);
        return new Choice(restart, wait == 0 ? STEPS_PER_BEAT : wait, 0, null);
    }

    private Choice choice(int memoryIndex, int order, Viewpoint v) {
        return new Choice(memoryIndex, memory.get(memoryIndex).ioiSteps(), order, v);
    }

    /**
     * One of the events that followed a context. Occurrences of the same event (same pitches and
     * rhythm) are pooled: a pool of n occurrences weighs n^(1/temperature), so temperature 1 follows
     * the counts, 0 takes the most frequent (the first learned on a tie).
     */
    private int pick(List<Integer> followers, SplittableRandom rng) {
        if (followers.size() == 1) return followers.get(0);
        Map<Object, List<Integer>> pools = new LinkedHashMap<>();
        for (int i : followers) pools.computeIfAbsent(Viewpoint.PITCH_RHYTHM.of(memory.get(i)), x -> new ArrayList<>()).add(i);
        List<List<Integer>> list = new ArrayList<>(pools.values());
        List<Integer> chosen = list.get(0);
        if (options.temperature() == 0) {
            for (List<Integer> p : list) if (p.size() > chosen.size()) chosen = p;
        } else {
            double[] weights = new double[list.size()];
            double total = 0;
            for (int i = 0; i < weights.length; i++) total += weights[i] = Math.pow(list.get(i).size(), 1 / options.temperature());
            double r = rng.nextDouble() * total;
            for (int i = 0; i < weights.length; i++) {
                chosen = list.get(i);
                if ((r -= weights[i]) < 0) break;
            }
        }
        return chosen.get(rng.nextInt(chosen.size()));
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
