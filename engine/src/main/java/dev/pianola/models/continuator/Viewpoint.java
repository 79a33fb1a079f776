package dev.pianola.models.continuator;

import java.util.List;

/**
 * What of an event a context compares (Pachet's viewpoints), finest first. A context that was never
 * seen in full detail may still have been seen with the same pitches in another rhythm, with the
 * same pitch classes in another octave, or as the same melodic steps from another note.
 */
enum Viewpoint {
    /** Pitches, inter-onset interval and duration: the event as played. */
    PITCH_RHYTHM(1.0) {
        @Override Object of(List<Event> events, int j) {
            Event e = events.get(j);
            return new PitchesInRhythm(e.pitches(), e.ioiSteps(), e.durationSteps());
        }
    },
    /** The pitches only. */
    PITCH(0.8) {
        @Override Object of(List<Event> events, int j) { return events.get(j).pitches(); }
    },
    /** The set of pitch classes only: octave and voicing do not matter. */
    PITCH_CLASS(0.6) {
        @Override Object of(List<Event> events, int j) { return events.get(j).pitchClassSet(); }
    },
    /** The highest pitch only: a pianist's melody, when the chords under it were never heard the same way. */
    TOP_PITCH(0.5) {
        @Override Object of(List<Event> events, int j) { return events.get(j).topPitch(); }
    },
    /**
     * The melodic step of the top voice from the event before, in semitones, with the rhythm. Its
     * followers are played from the note the walk is on, not where they were heard (see
     * {@link #relative()}): the phrase's figures move to other degrees of its key, which is how a
     * motif is developed by sequence rather than replayed.
     */
    INTERVAL(0.7) {
        @Override Object of(List<Event> events, int j) {
            if (j == 0) return null;
            Event e = events.get(j);
            return new StepInRhythm(e.topPitch() - events.get(j - 1).topPitch(), e.ioiSteps(), e.durationSteps());
        }

        @Override int direction() { return 1; }
    },
    /**
     * The melodic steps mirrored: a history that rose where the phrase fell matches it, and its
     * followers are played mirrored too. The phrase's motif in inversion, a second way of making
     * new material from it when it offers only one path. Looked up in {@link #INTERVAL}'s contexts.
     */
    INVERSION(0.4) {
        @Override Object of(List<Event> events, int j) {
            if (j == 0) return null;
            Event e = events.get(j);
            return new StepInRhythm(events.get(j - 1).topPitch() - e.topPitch(), e.ioiSteps(), e.durationSteps());
        }

        @Override int direction() { return -1; }

        @Override Viewpoint learnedAs() { return INTERVAL; }
    },
    /**
     * The melodic step alone, in any rhythm: the coarsest way to find something new after a
     * played line whose every note is unique in its timing, so that neither its own contexts nor
     * the steps in rhythm offer more than one path. Followers keep their own rhythm.
     */
    STEP(0.3) {
        @Override Object of(List<Event> events, int j) {
            return j == 0 ? null : events.get(j).topPitch() - events.get(j - 1).topPitch();
        }

        @Override int direction() { return 1; }

        @Override boolean keepsRhythm() { return false; }
    };

    /**
     * How much a context seen in this viewpoint counts against one of the same length seen in
     * another: the finer the match, the more it says about where the music goes.
     */
    final double weight;

    Viewpoint(double weight) {
        this.weight = weight;
    }

    /**
     * A value with equals/hashCode for event j of a list: two events are alike under this viewpoint
     * when their values are equal. Null when the event has no such value (the first event of a
     * phrase has no step); a context holding it matches nothing.
     */
    abstract Object of(List<Event> events, int j);

    /**
     * 0 for an absolute viewpoint, whose followers are played as they were heard; 1 (-1) for one
     * whose followers are played from the walk's current note with the step they were heard with
     * (mirrored).
     */
    int direction() {
        return 0;
    }

    boolean relative() {
        return direction() != 0;
    }

    /** Whether a match in this viewpoint says anything about when the follower comes (all but {@link #STEP} do, or are as precise as pitch alone). */
    boolean keepsRhythm() {
        return true;
    }

    /** The viewpoint whose learned contexts this one looks up (itself, but for a mirror of another). */
    Viewpoint learnedAs() {
        return this;
    }

    record PitchesInRhythm(List<Integer> pitches, int ioiSteps, int durationSteps) {}

    record StepInRhythm(int step, int ioiSteps, int durationSteps) {}
}
