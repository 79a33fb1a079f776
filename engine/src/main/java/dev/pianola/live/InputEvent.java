package dev.pianola.live;

/**
 * A key the player pressed or released, at the beat where it was played (the shim converts the
 * event's frame with its block's transport). Velocity 0 on a note-on is a release, as in MIDI.
 */
public record InputEvent(double beats, boolean noteOn, int pitch, int velocity, int channel) {
    public InputEvent {
        if (pitch < 0 || pitch > 127) throw new IllegalArgumentException("pitch out of MIDI range: " + pitch);
        if (velocity < 0 || velocity > 127) throw new IllegalArgumentException("velocity out of range 0..127: " + velocity);
        if (channel < 0 || channel > 15) throw new IllegalArgumentException("channel out of range 0..15: " + channel);
        if (!Double.isFinite(beats)) throw new IllegalArgumentException("event beat must be finite: " + beats);
    }

    public static InputEvent on(double beats, int pitch, int velocity) {
        return new InputEvent(beats, true, pitch, velocity, 0);
    }

    public static InputEvent off(double beats, int pitch) {
        return new InputEvent(beats, false, pitch, 0, 0);
    }

    /** A raw MIDI message; null for anything that is not a note-on or note-off. */
    public static InputEvent ofMidi(double beats, int status, int data1, int data2) {
        int kind = status & 0xF0, channel = status & 0x0F;
        if (kind == 0x90) return new InputEvent(beats, data2 > 0, data1 & 0x7F, data2 & 0x7F, channel);
        if (kind == 0x80) return new InputEvent(beats, false, data1 & 0x7F, 0, channel);
        return null;
    }

    /** Whether the key goes down (a note-on with velocity 0 is a release). */
    public boolean pressed() {
        return noteOn && velocity > 0;
    }
}
