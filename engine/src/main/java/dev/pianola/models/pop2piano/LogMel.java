package dev.pianola.models.pop2piano;

import org.jtransforms.fft.DoubleFFT_1D;

import static dev.pianola.models.pop2piano.Pop2PianoConstants.*;

/**
 * Pop2Piano's log-mel spectrogram as transformers' {@code audio_utils.spectrogram} computes it for
 * the feature extractor (spec 1.6): periodic Hann window, centred frames with reflect padding,
 * power 2, 512 HTK mel bands from 10 Hz to 11025 Hz without normalisation, mel floor 1e-10, then
 * the natural log of the power clipped at 1e-6. Everything is float64 except two float32 roundings
 * that the reference has and that change results: the segment samples are float32, and the FFT
 * result is stored as complex64 before the power is taken.
 */
final class LogMel {
    private LogMel() {}

    /** {@code np.hanning(4097)[:-1]}: the periodic Hann window. */
    private static final double[] WINDOW = new double[N_FFT];
    /** {@code [2049][512]}, the reference's (num_frequency_bins, num_mel_filters) layout. */
    private static final double[][] FILTERS = htkFilterbank();
    /**
     * Each band's non-zero weights, contiguous: band m covers bins [FIRST_BIN[m], FIRST_BIN[m] +
     * BAND[m].length). A triangle spans a few bins of 2049, so the product skips the zeros; the sum
     * runs over the same bins in the same order, and adding the skipped products (+0.0 to a sum of
     * non-negative terms) changes nothing, so the result is bit for bit the full product's.
     */
    private static final int[] FIRST_BIN = new int[N_MELS];
    private static final double[][] BAND = new double[N_MELS][];

    static {
        for (int n = 0; n < N_FFT; n++) WINDOW[n] = 0.5 - 0.5 * Math.cos(2 * Math.PI * n / N_FFT);
        for (int m = 0; m < N_MELS; m++) {
            int lo = 0, hi = N_FREQ_BINS;
            while (lo < hi && FILTERS[lo][m] == 0) lo++;
            while (hi > lo && FILTERS[hi - 1][m] == 0) hi--;
            FIRST_BIN[m] = lo;
            BAND[m] = new double[hi - lo];
            for (int k = lo; k < hi; k++) BAND[m][k - lo] = FILTERS[k][m];
        }
    }

    /** Log-mel of one segment: {@code [1 + length / 1024][512]}. */
    static float[][] logMel(float[] segment) {
        int half = N_FFT / 2;
        int frames = 1 + segment.length / HOP_SAMPLES;
        float[][] out = new float[frames][N_MELS];
        DoubleFFT_1D fft = new DoubleFFT_1D(N_FFT);
        double[] buf = new double[N_FFT];
        double[] power = new double[N_FREQ_BINS];
        for (int t = 0; t < frames; t++) {
            for (int k = 0; k < N_FFT; k++) {
                buf[k] = segment[reflect(t * HOP_SAMPLES + k - half, segment.length)] * WINDOW[k];
            }
            fft.realForward(buf);
            // JTransforms packs Re[0], Re[n/2], then (Re[k], Im[k]) pairs. Each part is rounded to
            // float32 (the reference stores the rfft in a complex64 array), then squared in float64.
            power[0] = sq((float) buf[0]);
            power[N_FREQ_BINS - 1] = sq((float) buf[1]);
            for (int k = 1; k < N_FREQ_BINS - 1; k++) power[k] = sq((float) buf[2 * k]) + sq((float) buf[2 * k + 1]);
            for (int m = 0; m < N_MELS; m++) {
                double mel = 0;
                double[] band = BAND[m];
                for (int j = 0, k = FIRST_BIN[m]; j < band.length; j++, k++) mel += band[j] * power[k];
                mel = Math.max(MEL_FLOOR, mel);
                out[t][m] = (float) Math.log(Math.max(mel, LOG_CLIP));
            }
        }
        return out;
    }

    private static double sq(float v) {
        return (double) v * v;
    }

    /** numpy's {@code mode="reflect"} index (edge not repeated), for any distance from the signal. */
    static int reflect(int i, int n) {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        int r = Math.floorMod(i, period);
        return r < n ? r : period - r;
    }

    static double hzToMel(double hz) {
        return 2595.0 * Math.log10(1.0 + hz / 700.0);
    }

    static double melToHz(double mel) {
        return 700.0 * (Math.pow(10, mel / 2595.0) - 1.0);
    }

    /** transformers' {@code mel_filter_bank(..., norm=None, mel_scale="htk")} for 2049 bins and 512 bands. */
    static double[][] htkFilterbank() {
        int points = N_MELS + 2;
        double melLo = hzToMel(MEL_MIN_HZ), melHi = hzToMel(MEL_MAX_HZ);
        double[] centres = new double[points];
        for (int i = 0; i < points; i++) {
            double mel = i == points - 1 ? melHi : melLo + i * ((melHi - melLo) / (points - 1));
            centres[i] = melToHz(mel);
        }
        double[] diff = new double[points - 1];
        for (int i = 0; i < diff.length; i++) diff[i] = centres[i + 1] - centres[i];
        double[][] fb = new double[N_FREQ_BINS][N_MELS];
        double binStep = (double) (SAMPLE_RATE_HZ / 2) / (N_FREQ_BINS - 1);
        for (int k = 0; k < N_FREQ_BINS; k++) {
            double f = k == N_FREQ_BINS - 1 ? SAMPLE_RATE_HZ / 2 : k * binStep;
            for (int m = 0; m < N_MELS; m++) {
                double down = -(centres[m] - f) / diff[m];
                double up = (centres[m + 2] - f) / diff[m + 1];
                fb[k][m] = Math.max(0, Math.min(down, up));
            }
        }
        return fb;
    }
}
