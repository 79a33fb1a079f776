package dev.pianola.models.basicpitch;

/**
 * Every constant of Basic Pitch (spotify/basic-pitch 0.4.0: constants.py, inference.py,
 * note_creation.py) in one place.
 */
public final class BasicPitchConstants {
    private BasicPitchConstants() {
    }

    // audio and framing
    public static final int SAMPLE_RATE = 22050;
    public static final int FFT_HOP = 256;
    /** Frames per second as upstream rounds it (22050 / 256 = 86.13 is truncated to 86). */
    public static final int ANNOTATIONS_FPS = SAMPLE_RATE / FFT_HOP;
    /** Output frames per window: 172. */
    public static final int WINDOW_FRAMES = ANNOTATIONS_FPS * 2;
    /** Samples per window: 2 s less one hop = 43844. */
    public static final int WINDOW_SAMPLES = SAMPLE_RATE * 2 - FFT_HOP;
    public static final int OVERLAP_FRAMES = 30;
    public static final int OVERLAP_SAMPLES = OVERLAP_FRAMES * FFT_HOP;
    /** Hop between windows: 36164 samples. */
    public static final int HOP_SAMPLES = WINDOW_SAMPLES - OVERLAP_SAMPLES;
    /** Zeros put before the audio so that the first trimmed frame is time 0. */
    public static final int LEADING_ZEROS_SAMPLES = OVERLAP_SAMPLES / 2;
    /** Frames dropped at each side of every window. */
    public static final int TRIM_FRAMES = OVERLAP_FRAMES / 2;

    // pitch axes
    public static final int MIDI_OFFSET = 21;
    public static final int N_PITCHES = 88;
    public static final int MAX_FREQ_IDX = N_PITCHES - 1;
    public static final int CONTOUR_BINS_PER_SEMITONE = 3;
    public static final int N_CONTOUR_BINS = N_PITCHES * CONTOUR_BINS_PER_SEMITONE;

    // note creation defaults (predict())
    public static final double ONSET_THRESHOLD = 0.5;
    public static final double FRAME_THRESHOLD = 0.3;
    public static final double MIN_NOTE_LENGTH_MS = 127.7;
    public static final int ENERGY_TOLERANCE = 11;
    public static final int PITCH_BEND_TOLERANCE_BINS = 25;
    public static final double PITCH_BEND_GAUSSIAN_STD = 5;

    // MIDI output
    public static final double MIDI_TEMPO_BPM = 120;
    public static final int MIDI_VELOCITY_SCALE = 127;
    public static final int PITCH_BEND_SCALE = 4096;
    public static final int N_PITCH_BEND_TICKS = 8192;

    /** Upstream's per-window time correction, "a magic number, but it's needed for this to align properly". */
    public static final double MAGIC_ALIGNMENT_OFFSET = 0.0018;

    // ONNX graph (tf2onnx names; note is ":1", onset ":2", contour ":0")
    public static final String INPUT = "serving_default_input_2:0";
    public static final String OUTPUT_NOTE = "StatefulPartitionedCall:1";
    public static final String OUTPUT_ONSET = "StatefulPartitionedCall:2";
    public static final String OUTPUT_CONTOUR = "StatefulPartitionedCall:0";
}
