package dev.pianola.models.continuator;

import java.util.List;

/**
 * What of an event a context compares (Pachet's viewpoints), finest first. A context that was never
 * seen in full detail may still have been seen with the same pitches in another rhythm, or with
 * the same pitch classes in another octave.
 */
enum Viewpoint {
    /** Pitches, inter-onset interval and duration: the event as played. */
    PITCH_RHYTHM {
        @Override Object of(Event e) { return new PitchesInRhythm(e.pitches(), e.ioiSteps(), e.durationSteps()); }
    },
    /** The pitches only. */
    PITCH {
        @Override Object of(Event e) { return e.pitches(); }
    },
    /** The set of pitch classes only: octave and voicing do not matter. */
    PITCH_CLASS {
        @Override Object of(Event e) { return e.pitchClassSet(); }
    },
    /** The highest pitch only: a pianist's melody, when the chords under it were never heard the same way. */
    TOP_PITCH {
        @Override Object of(Event e) { return e.tones().get(e.tones().size() - 1).pitch(); }
    };

    /** A value with equals/hashCode: two events are alike under this viewpoint when their values are equal. */
    abstract Object of(Event e);

    record PitchesInRhythm(List<Integer> pitches, int ioiSteps, int durationSteps) {}
}
