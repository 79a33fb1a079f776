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
     * A remembered event chosen within this many steps is passed over while a fresh one matches
     * (see Continuator.next): long enough to span a figure of a bar or two of sixteenths.
     */
    public static final int LOOP_GUARD_EVENTS = 32;

    /** Pachet's Continuator ends a phrase after 1.0 s of silence with no held notes: 2 beats at 120 BPM. */
    public static final double DEFAULT_PHRASE_SILENCE_BEATS = 2.0;

    /** Fixed-point comparisons of times in beats. */
    static final double EPSILON_BEATS = 1e-9;
}
