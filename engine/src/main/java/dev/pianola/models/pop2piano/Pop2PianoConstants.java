package dev.pianola.models.pop2piano;

/**
 * Every constant of Pop2Piano's feature extraction in one place: the values of Hugging Face's
 * {@code Pop2PianoFeatureExtractor} defaults, which equal sweetcocoa/pop2piano's
 * preprocessor_config.json (spec pop2piano_musicgen.md, sections 1.1 and 1.6).
 */
public final class Pop2PianoConstants {
    private Pop2PianoConstants() {}

    /** The model's audio rate; other rates are resampled with resampy's kaiser_best. */
    public static final int SAMPLE_RATE_HZ = 22050;
    /** Analysis window and FFT length ({@code window_size}); the rfft has 2049 bins. */
    public static final int N_FFT = 4096;
    public static final int N_FREQ_BINS = N_FFT / 2 + 1;
    public static final int HOP_SAMPLES = 1024;
    /** Mel bands ({@code feature_size}); HTK mel scale, no area normalisation. */
    public static final int N_MELS = 512;
    public static final double MEL_MIN_HZ = 10.0;
    /** {@code float(sampling_rate // 2)}: the integer division is the reference's. */
    public static final double MEL_MAX_HZ = SAMPLE_RATE_HZ / 2;
    /** Floor of the mel power before the log (audio_utils.spectrogram's {@code mel_floor}). */
    public static final double MEL_FLOOR = 1e-10;
    /** Floor of the clip inside the natural log ({@code np.log(np.clip(mel, 1e-6))}). */
    public static final double LOG_CLIP = 1e-6;
    /** Half-beat grid: beatsteps has two steps per beat. */
    public static final int STEPS_PER_BEAT = 2;
    /** {@code num_bars}; the reference's "bar" is 4 half-beat steps, so a segment is 8 steps (4 beats). */
    public static final int NUM_BARS = 2;
    public static final int STEPS_PER_SEGMENT = NUM_BARS * 4;
    /** Points extrapolated past the shifted beatsteps: {@code (num_bars + 1) * 4 + 1}. */
    public static final int EXTRAPOLATED_EXTRA_STEPS = (NUM_BARS + 1) * 4 + 1;
    /**
     * Our policy, not the reference's: fewer beats than two 4/4 bars inside the audio is refused
     * (a cover of less than two bars is not useful, and the reference then pads mostly silence).
     */
    public static final int MIN_BEATS_IN_AUDIO = 8;
}
