package dev.pianola.live;

/**
 * A MIDI note event stamped in beats, what the scheduler (the shim's, or the device's) turns into a
 * frame offset with the transport of the block it falls in: {@code double beat, status, data1,
 * data2}, as the beat-stamped note ring carries it.
 */
public record OutputEvent(double beats, int status, int data1, int data2) {
    public OutputEvent {
        if (!Double.isFinite(beats)) throw new IllegalArgumentException("event beat must be finite: " + beats);
        if ((status & 0xE0) != 0x80 || status > 0x9F) throw new IllegalArgumentException("not a note status byte: " + status);
        if (data1 < 0 || data1 > 127 || data2 < 0 || data2 > 127) throw new IllegalArgumentException("MIDI data out of 0..127");
    }

    public static OutputEvent noteOn(double beats, int channel, int pitch, int velocity) {
        if (velocity < 1) throw new IllegalArgumentException("a note-on needs velocity 1..127, got " + velocity);
        return new OutputEvent(beats, 0x90 | channel, pitch, velocity);
    }

    /** Note-off with release velocity 64 (MIDI's default when a keyboard has none). */
    public static OutputEvent noteOff(double beats, int channel, int pitch) {
        return new OutputEvent(beats, 0x80 | channel, pitch, 64);
    }

    public boolean isNoteOn() {
        return (status & 0xF0) == 0x90;
    }

    public int channel() {
        return status & 0x0F;
    }

    public int pitch() {
        return data1;
    }
}
