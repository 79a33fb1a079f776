package dev.pianola.midi;

/** One played note in musical time. Velocity is 1..127; channel is 0..15. */
public record Note(int pitch, double startBeats, double durationBeats, int velocity, int channel) {
    public Note {
        if (pitch < 0 || pitch > 127) throw new IllegalArgumentException("pitch out of MIDI range: " + pitch);
        if (velocity < 1 || velocity > 127) throw new IllegalArgumentException("velocity out of range 1..127: " + velocity);
        if (channel < 0 || channel > 15) throw new IllegalArgumentException("channel out of range 0..15: " + channel);
        if (!(durationBeats >= 0) || !(startBeats >= 0)) throw new IllegalArgumentException("bad note time: start " + startBeats + ", duration " + durationBeats);
    }

    public Note(int pitch, double startBeats, double durationBeats, int velocity) {
        this(pitch, startBeats, durationBeats, velocity, 0);
    }

    public double endBeats() {
        return startBeats + durationBeats;
    }

    public Note withPitch(int p) { return new Note(p, startBeats, durationBeats, velocity, channel); }
    public Note withVelocity(int v) { return new Note(pitch, startBeats, durationBeats, v, channel); }
    public Note withTiming(double start, double duration) { return new Note(pitch, start, duration, velocity, channel); }
    public Note withChannel(int c) { return new Note(pitch, startBeats, durationBeats, velocity, c); }
}
