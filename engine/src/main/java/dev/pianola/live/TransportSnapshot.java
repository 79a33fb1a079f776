package dev.pianola.live;

/**
 * Where the host's transport is at the first frame of one block, in the session's beats (quarter
 * note = 1.0). The LV2 host sends time:Position (frame, bar, barBeat, beatsPerBar, beatUnit, bpm,
 * speed) when something changes; the shim keeps the latest and sends one snapshot per block,
 * advanced to the block's first frame.
 *
 * @param frame          the block's first frame on the host's timeline
 * @param blockFrames    frames in the block
 * @param sampleRate     frames per second
 * @param speed          transport speed: 0 stopped, 1 playing (other values: varispeed)
 * @param bpm            quarter notes per minute
 * @param beats          position at the block's first frame
 * @param barStartBeats  where the bar holding {@code beats} began: bar lines come from the host,
 *                       so meter changes earlier in the song do not shift them
 * @param barBeats       length of the current bar (4 in 4/4, 3 in 6/8)
 */
public record TransportSnapshot(long frame, int blockFrames, double sampleRate, double speed, double bpm,
                                double beats, double barStartBeats, double barBeats) {
    public TransportSnapshot {
        if (blockFrames < 0) throw new IllegalArgumentException("block frames must be >= 0, got " + blockFrames);
        if (!(sampleRate > 0)) throw new IllegalArgumentException("sample rate must be > 0, got " + sampleRate);
        if (!(bpm > 0) || !Double.isFinite(bpm)) throw new IllegalArgumentException("tempo must be > 0 BPM, got " + bpm);
        if (!(barBeats > 0)) throw new IllegalArgumentException("bar length must be > 0 beats, got " + barBeats);
        if (!Double.isFinite(beats) || !Double.isFinite(barStartBeats) || !Double.isFinite(speed))
            throw new IllegalArgumentException("transport position must be finite");
    }

    /**
     * From LV2 time:Position: {@code bar} counted from 0, {@code barBeat} and {@code beatsPerBar}
     * in the meter's beat unit ({@code beatUnit}: 4 for quarters, 8 for eighths), {@code bpm} in
     * beat units per minute, as the host sends them.
     */
    public static TransportSnapshot ofPosition(long frame, int blockFrames, double sampleRate, double speed,
                                               long bar, double barBeat, double beatsPerBar, int beatUnit, double bpm) {
        if (beatUnit < 1) throw new IllegalArgumentException("beat unit must be >= 1, got " + beatUnit);
        double quartersPerUnit = 4.0 / beatUnit;
        double barQuarters = beatsPerBar * quartersPerUnit;
        double barStart = bar * barQuarters; // constant meter assumed before this bar, as time:Position implies
        return new TransportSnapshot(frame, blockFrames, sampleRate, speed, bpm * quartersPerUnit,
                barStart + barBeat * quartersPerUnit, barStart, barQuarters);
    }

    /** A rolling transport in a constant meter whose first bar starts at beat 0. */
    public static TransportSnapshot rolling(long frame, int blockFrames, double sampleRate, double bpm, double beats, double barBeats) {
        return new TransportSnapshot(frame, blockFrames, sampleRate, 1, bpm, beats, Math.floor(beats / barBeats) * barBeats, barBeats);
    }

    public boolean rolling() {
        return speed != 0;
    }

    public double beatsPerFrame() {
        return speed * bpm / 60.0 / sampleRate;
    }

    /** Position just after the block (where the next block should start if nothing jumps). */
    public double endBeats() {
        return beats + blockFrames * beatsPerFrame();
    }

    /** Frame offset inside this block of a beat (fractional; outside 0..blockFrames when the beat is not in it). */
    public double frameOffset(double atBeats) {
        double perFrame = beatsPerFrame();
        return perFrame == 0 ? 0 : (atBeats - beats) / perFrame;
    }

    /** The first bar line at or after {@code atBeats}, on this bar's grid. */
    public double barLineAtOrAfter(double atBeats) {
        return barStartBeats + Math.ceil((atBeats - barStartBeats) / barBeats - 1e-9) * barBeats;
    }

    /** The last bar line at or before {@code atBeats}, on this bar's grid. */
    public double barLineAtOrBefore(double atBeats) {
        return barStartBeats + Math.floor((atBeats - barStartBeats) / barBeats + 1e-9) * barBeats;
    }
}
