package dev.pianola.live;

/**
 * Follows MIDI clock (the real-time messages a drum machine or DAW sends: Start, Continue, Stop,
 * 24 Timing Clocks per quarter note, Song Position Pointer) and gives the transport it implies
 * for a block of frames, for {@code pianola device}.
 *
 * <p>The beat is exact at each clock (one clock = 1/24 beat since Start, or since the song
 * position); between clocks it moves on at the tempo of the last {@link #TEMPO_CLOCKS} clock
 * intervals (their average), so a steady clock gives a steady tempo and jitter of a few frames
 * on single clocks does not move the grid. Bars are 4/4 from beat 0: MIDI clock carries no meter.
 *
 * <p>Not thread-safe: one owner (the device's process thread) feeds and asks.
 */
public final class MidiClock {
    public static final int CLOCKS_PER_BEAT = 24;
    /** Intervals averaged into the tempo: one beat. */
    static final int TEMPO_CLOCKS = 24;
    /** With no clock for this long the clock is no longer followed (the sender stopped without Stop, or went away). */
    public static final double TIMEOUT_SECONDS = 0.5;
    static final double BAR_BEATS = 4;

    private final double sampleRate;
    private boolean running;
    /** Beat of the next clock: Start sets 0, Song Position sets its sixteenths / 4. */
    private double nextClockBeats;
    private long clocks;
    private long lastClockFrame = Long.MIN_VALUE;
    private double lastClockBeats;
    private final long[] intervals = new long[TEMPO_CLOCKS];
    private int intervalCount;
    private long intervalSum;
    private boolean jumped;

    public MidiClock(double sampleRate) {
        if (!(sampleRate > 0)) throw new IllegalArgumentException("sample rate must be > 0, got " + sampleRate);
        this.sampleRate = sampleRate;
    }

    /**
     * One MIDI message at {@code frame} (any monotonic frame clock, the same for every call);
     * returns true if it was a clock message this class follows.
     */
    public boolean accept(long frame, int status, int data1, int data2) {
        switch (status) {
            case 0xFA -> { // Start: from the top, on the next clock
                running = true;
                nextClockBeats = 0;
                resetTempoOnJump();
            }
            case 0xFB -> running = true; // Continue: from where it stopped or the song position said
            case 0xFC -> running = false;
            case 0xF2 -> { // Song Position Pointer, in sixteenths; only while stopped, per the MIDI spec
                nextClockBeats = ((data2 & 0x7F) << 7 | (data1 & 0x7F)) / 4.0;
                resetTempoOnJump();
            }
            case 0xF8 -> clock(frame);
            default -> {
                return false;
            }
        }
        return true;
    }

    private void resetTempoOnJump() {
        jumped = true;
        lastClockFrame = Long.MIN_VALUE; // the next interval may span a pause
    }

    private void clock(long frame) {
        if (lastClockFrame != Long.MIN_VALUE && frame > lastClockFrame) {
            long interval = frame - lastClockFrame;
            int i = (int) (clocks % TEMPO_CLOCKS);
            if (intervalCount == TEMPO_CLOCKS) intervalSum -= intervals[i];
            else intervalCount++;
            intervals[i] = interval;
            intervalSum += interval;
        }
        clocks++;
        lastClockFrame = frame;
        if (running) {
            lastClockBeats = nextClockBeats;
            nextClockBeats += 1.0 / CLOCKS_PER_BEAT;
        }
    }

    /** Whether the clock is followed at {@code frame}: running, with a tempo, and a clock within the timeout. */
    public boolean active(long frame) {
        return running && intervalCount > 0 && lastClockFrame != Long.MIN_VALUE
                && frame - lastClockFrame <= TIMEOUT_SECONDS * sampleRate;
    }

    /** Quarter notes per minute from the recent clocks, or NaN before two clocks. */
    public double bpm() {
        return intervalCount == 0 ? Double.NaN : 60.0 * sampleRate * intervalCount / (intervalSum * (double) CLOCKS_PER_BEAT);
    }

    /** True once after Start or a Song Position: the owner treats the next block as a jump. */
    public boolean takeJump() {
        boolean j = jumped;
        jumped = false;
        return j;
    }

    /**
     * The transport for the block of {@code blockFrames} starting at {@code frame} (with clocks up
     * to the block's start already given); stopped (speed 0) at the last position while not active.
     */
    public TransportSnapshot snapshot(long frame, int blockFrames) {
        double bpm = bpm();
        if (!active(frame) || !(bpm > 0)) {
            double at = running ? lastClockBeats : nextClockBeats;
            return new TransportSnapshot(frame, blockFrames, sampleRate, 0, bpm > 0 ? bpm : 120, at,
                    Math.floor(at / BAR_BEATS + 1e-9) * BAR_BEATS, BAR_BEATS);
        }
        // between clocks the beat runs on at the recent tempo, never past the next clock's beat
        double beats = Math.min(lastClockBeats + (frame - lastClockFrame) * bpm / 60.0 / sampleRate, nextClockBeats);
        return new TransportSnapshot(frame, blockFrames, sampleRate, 1, bpm, beats, Math.floor(beats / BAR_BEATS + 1e-9) * BAR_BEATS, BAR_BEATS);
    }
}
