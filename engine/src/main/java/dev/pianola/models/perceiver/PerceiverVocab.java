package dev.pianola.models.perceiver;

/**
 * Every constant of the Perceiver AR symbolic-audio event vocabulary in one place: perceiver-io
 * 0.11.0 {@code perceiver/data/audio/midi_processor.py} (the Music Transformer event encoding)
 * and {@code symbolic.py} (PAD and vocabulary size).
 *
 * <pre>
 *   0..127    note_on   pitch = id
 * 128..255    note_off  pitch = id - 128
 * 256..355    time_shift  (id - 256 + 1) steps of 10 ms: 10 ms .. 1 s
 * 356..387    velocity  bin = id - 356; encode bin = velocity / 4, decode velocity = bin * 4
 *      388    PAD (left padding in training); decode_midi reads it as velocity bin 32 = velocity 128
 * </pre>
 * There is no BOS, EOS or mask token.
 */
public final class PerceiverVocab {
    private PerceiverVocab() {}

    public static final int NOTE_ON_RANGE = 128;
    public static final int NOTE_OFF_RANGE = 128;
    public static final int TIME_SHIFT_RANGE = 100;
    public static final int VELOCITY_RANGE = 32;

    public static final int NOTE_ON_START = 0;
    public static final int NOTE_OFF_START = NOTE_ON_START + NOTE_ON_RANGE;           // 128
    public static final int TIME_SHIFT_START = NOTE_OFF_START + NOTE_OFF_RANGE;       // 256
    public static final int VELOCITY_START = TIME_SHIFT_START + TIME_SHIFT_RANGE;     // 356

    /** {@code SymbolicAudioDataModule._PAD_INPUT_ID}. */
    public static final int PAD_ID = VELOCITY_START + VELOCITY_RANGE;                  // 388
    /** {@code SymbolicAudioDataModule._VOCAB_SIZE}: the 388 events and PAD. */
    public static final int VOCAB_SIZE = PAD_ID + 1;                                    // 389

    /** One time-shift step is 1/100 s; encode multiplies seconds by this, decode divides by it. */
    public static final int STEPS_PER_SECOND = 100;
    /** Velocities are quantized to 32 bins by integer division. */
    public static final int VELOCITY_QUANTUM = 4;

    /** The sustain pedal controller; pressed when its value is at least {@link #SUSTAIN_DOWN_MIN}. */
    public static final int SUSTAIN_CONTROLLER = 64;
    public static final int SUSTAIN_DOWN_MIN = 64;

    /** pretty_midi refuses a file whose largest tick is above this (MAX_TICK, "likely corrupt"). */
    public static final long PRETTY_MIDI_MAX_TICK = 10_000_000L;
    /** pretty_midi's tempo before a file's first tempo event. */
    public static final double PRETTY_MIDI_DEFAULT_BPM = 120.0;

    /** A readable name for an id, e.g. {@code on60}, {@code off60}, {@code ts49} (50 steps), {@code vel20}, {@code pad}. */
    public static String name(int id) {
        if (id < 0 || id >= VOCAB_SIZE) return "invalid(" + id + ")";
        if (id < NOTE_OFF_START) return "on" + (id - NOTE_ON_START);
        if (id < TIME_SHIFT_START) return "off" + (id - NOTE_OFF_START);
        if (id < VELOCITY_START) return "ts" + (id - TIME_SHIFT_START);
        if (id == PAD_ID) return "pad";
        return "vel" + (id - VELOCITY_START);
    }
}
