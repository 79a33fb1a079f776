package dev.pianola.arrange;

import dev.pianola.midi.Note;

import java.util.Comparator;

/**
 * A note while the arranger works on it: start and end are kept separately (not start plus
 * duration) so that cutting a note at another note's onset lands on exactly that onset.
 */
final class Voice {
    static final Comparator<Voice> ORDER = Comparator.comparingDouble((Voice v) -> v.startBeats)
            .thenComparingInt(v -> v.pitch).thenComparingDouble(v -> v.endBeats).thenComparingInt(v -> v.velocity);

    int pitch;
    double startBeats;
    double endBeats;
    int velocity;
    /** 0 = right hand, 1 = left hand once the hands are split; the input channel before. */
    int channel;
    /** Part of the tune (see {@link Melody}): it goes to the right hand as its top voice. */
    boolean melody;

    Voice(int pitch, double startBeats, double endBeats, int velocity, int channel) {
        this.pitch = pitch;
        this.startBeats = startBeats;
        this.endBeats = endBeats;
        this.velocity = velocity;
        this.channel = channel;
    }

    static Voice of(Note n) {
        return new Voice(n.pitch(), n.startBeats(), n.endBeats(), n.velocity(), n.channel());
    }

    double durationBeats() {
        return endBeats - startBeats;
    }

    Note toNote() {
        return new Note(pitch, startBeats, endBeats - startBeats, velocity, channel);
    }

    @Override
    public String toString() {
        return "Voice[" + pitch + " " + startBeats + ".." + endBeats + " v" + velocity + " ch" + channel + "]";
    }
}
