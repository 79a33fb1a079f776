package dev.pianola.models.continuator;

/**
 * Every number the Continuator decides with, in one place. Times are in beats (quarter note = 1.0).
 */
public final class ContinuatorConstants {
    private ContinuatorConstants() {}

    /**
     * Onsets and durations are counted in steps of 1/24 beat: the common multiple of 32nds (3 steps)
     * and sixteenth-note triplets (4 steps), so straight and triplet material keep their rhythm
     * exactly, while a performer's small timing deviations (a step is 21 ms at 120 BPM) fall onto
     * one value and contexts can repeat.
     */
    public static final int STEPS_PER_BEAT = 24;
    public static final double GRID_BEATS = 1.0 / STEPS_PER_BEAT;

    /**
     * A note whose onset lies within this window of the previous onset of a group sounds as part of
     * the same chord (one event). A 32nd note at any tempo is 1/8 beat, so 1/16 beat never merges
     * two successive notes of a line, while it absorbs the spread of a played or rolled chord
     * (a note every 31 ms or less at 120 BPM).
     */
    public static final double CHORD_WINDOW_BEATS = 1.0 / 16;

    /** A longer gap or note is learned as this long (two bars of 4/4): a pause in the prompt should not become a minute of silence. */
    public static final int MAX_STEPS = (int) Math.round(8 / GRID_BEATS);

    /**
     * A follower landing this close to its own position within the beat is in phase (it is then
     * put exactly there): 1/12 beat, 42 ms at 120 BPM, the jitter of a played phrase's onsets,
     * while the grid positions of written rhythms (sixteenths 6 steps, triplets 8) stay apart.
     */
    public static final int PHASE_TOLERANCE_STEPS = 2;

    /** Pachet's default: contexts of up to four events. */
    public static final int DEFAULT_MAX_ORDER = 4;
    /** Longer contexts than this only ever match the passage they came from. */
    public static final int MAX_ORDER = 16;

    public static final double DEFAULT_TEMPERATURE = 1.0;
    /** Above this the choice is practically uniform already; a larger value is a typing mistake. */
    public static final double MAX_TEMPERATURE = 10.0;

    /** Transposition to all keys: six semitones down to five up, so each copy stays close to the original register. */
    public static final int TRANSPOSE_DOWN_SEMITONES = 6, TRANSPOSE_UP_SEMITONES = 5;

    /** A continuation longer than this (256 bars of 4/4) is a mistake, not a request. */
    public static final double MAX_LENGTH_BEATS = 1024;

    /**
     * When no context matches at all, the restart draws from events whose pitch classes were all
     * heard in this many most recent events, so it stays in the current key.
     */
    public static final int RESTART_MEMORY_EVENTS = 16;

    /**
     * Each event longer a matched context is, the more it weighs when a context is drawn (see
     * Continuator.next): at temperature 1 an order-4 context is drawn 3 times as often as an
     * order-3 one of the same viewpoint. Long contexts keep the player's figures; the shorter ones
     * drawn now and then recombine them.
     */
    public static final double ORDER_PREFERENCE = 3.0;

    /** How much a pitch class the phrase never played counts in a moved event, against 1 for the one it dwelt on most (see Style.familiarity). */
    public static final double OUTSIDE_PHRASE_WEIGHT = 0.25;

    /** An event that brings a pitch of the phrase the answer has not played yet weighs this much more (see Continuator.Walk.appeal). */
    public static final double UNPLAYED_PITCH_WEIGHT = 2.0;

    /**
     * How strongly an answer is steered towards the phrase's proportions of pitch classes: a pitch
     * class the answer lacks by a quarter of the phrase's sounding time weighs e (2.7) times more
     * (see Continuator.Walk.balance).
     */
    public static final double BALANCE_GAIN = 4.0;

    /** One pitch may always follow itself this often (a repeated note is not a loop), more when the phrase does it itself. */
    public static final int MIN_REPEAT = 2;

    /** A figure of up to this many events (a bar of eighths) may be echoed once; played a third time in a row it is a loop. */
    public static final int MAX_ECHOED_EVENTS = 8;
    /** A longer passage, up to this many events (two bars of sixteenths), played a second time in a row is a loop. */
    public static final int MAX_CYCLE_EVENTS = 32;

    /**
     * At most this many events in a row may each end a four-note figure of a short phrase: a quote
     * of five or six notes, then something of the answer's own. A longer phrase may be quoted in
     * longer stretches, a fifth of its events at a time ({@link #QUOTE_SHARE_OF_PHRASE}): its
     * figures are most of what a Markov walk can say, and breaking every third event would scramble
     * its harmony.
     */
    public static final int MIN_QUOTE_RUN = 2;
    public static final double QUOTE_SHARE_OF_PHRASE = 0.2;

    /** Events a walk looks back on: enough for the longest context, the loop checks and a restart's key. */
    static final int HISTORY_EVENTS = Math.max(MAX_ORDER, Math.max(3 * MAX_ECHOED_EVENTS, 2 * MAX_CYCLE_EVENTS)) + RESTART_MEMORY_EVENTS;

    /**
     * An answer at least this long (half a bar of 4/4) is a phrase of its own: it ends on a stable
     * degree, held to the end. A shorter one is a fill and keeps what the walk chose.
     */
    public static final double SHAPED_ANSWER_BEATS = 2.0;

    /** Pachet's Continuator ends a phrase after 1.0 s of silence with no held notes: 2 beats at 120 BPM. */
    public static final double DEFAULT_PHRASE_SILENCE_BEATS = 2.0;

    /** Fixed-point comparisons of times in beats. */
    static final double EPSILON_BEATS = 1e-9;
}
