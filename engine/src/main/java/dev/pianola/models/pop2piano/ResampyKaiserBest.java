package dev.pianola.models.pop2piano;

import dev.pianola.audio.Resampler;

/**
 * resampy 0.4.3's {@code resample(x, sr_orig, sr_new, filter="kaiser_best")} on float32 input, the
 * way librosa calls it for the Pop2Piano extractor, keeping resampy's float32 accumulation.
 *
 * <p>Why not {@link Resampler}: it sums the taps in double and rounds once. resampy's output array
 * has the input's dtype (float32), so numba rounds the running sum to float32 after every tap.
 * That rounding noise is tiny in amplitude, but near Nyquist the resampled signal is almost
 * silent, and Pop2Piano's top mel bands (log of power around 1e-6) moved by up to 0.014 with the
 * double sum; with the float32 sum the features match the reference. The filter is the same
 * table ({@link Resampler.Filter#RESAMPY_KAISER_BEST}: 50 zero crossings, 2^13 phases per
 * crossing, rolloff and Kaiser beta), computed here as resampy's {@code sinc_window} does.
 */
final class ResampyKaiserBest {
    private ResampyKaiserBest() {}

    private static final Resampler.Filter FILTER = Resampler.Filter.RESAMPY_KAISER_BEST;
    private static final int PRECISION = FILTER.phasesPerZeroCrossing();
    /** {@code interp_win}: right half of the windowed sinc, zero crossings x precision + 1 points. */
    private static final double[] HALF_WINDOW = sincWindow();

    /** resampy's {@code sinc_window}: {@code rolloff * sinc(rolloff * t)} times the right half of a Kaiser window. */
    private static double[] sincWindow() {
        int n = FILTER.zeroCrossings() * PRECISION;
        double rolloff = FILTER.rolloff(), beta = FILTER.kaiserBeta();
        double i0Beta = besselI0(beta);
        double[] w = new double[n + 1];
        double step = (double) FILTER.zeroCrossings() / n; // np.linspace(0, num_zeros, n + 1)
        for (int j = 0; j <= n; j++) {
            double t = j == n ? FILTER.zeroCrossings() : j * step;
            double u = rolloff * t;
            double sinc = u == 0 ? 1.0 : Math.sin(Math.PI * u) / (Math.PI * u);
            double r = (double) j / n; // scipy's symmetric Kaiser of 2n+1 points, right half
            double taper = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
            w[j] = taper * rolloff * sinc;
        }
        return w;
    }

    /** Modified Bessel function of the first kind, order 0 (power series; converges for the betas used). */
    private static double besselI0(double x) {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 500; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }

    /** {@code int(n * sr_new / sr_orig)} samples, as resampy (librosa then fixes the length). */
    static float[] resample(float[] x, int fromRate, int toRate) {
        double ratio = (double) toRate / fromRate;
        int outLength = (int) (x.length * ratio);
        double[] win = HALF_WINDOW;
        if (ratio < 1) {
            // Downsampling: the filter is stretched (index step below) and scaled to keep unit DC gain.
            win = win.clone();
            for (int i = 0; i < win.length; i++) win[i] *= ratio;
        }
        double[] delta = new double[win.length];
        for (int i = 0; i + 1 < win.length; i++) delta[i] = win[i + 1] - win[i];
        double scale = Math.min(1.0, ratio);
        double timeIncrement = 1.0 / ratio;
        int indexStep = (int) (scale * PRECISION);
        float[] y = new float[outLength];
        double[] w = win;
        // every output sample is its own sum: blocks run on the common pool, each sample computed
        // exactly as in one pass, so the result does not depend on the thread count
        int blocks = (outLength + BLOCK - 1) / BLOCK;
        java.util.stream.IntStream.range(0, blocks).parallel().forEach(b -> {
            for (int t = b * BLOCK, end = Math.min(outLength, t + BLOCK); t < end; t++) y[t] = sample(x, t, w, delta, timeIncrement, scale, indexStep);
        });
        return y;
    }

    private static final int BLOCK = 1 << 15;

    /** Output sample {@code t}: resampy's two loops (left and right wings of the filter). */
    private static float sample(float[] x, int t, double[] win, double[] delta, double timeIncrement, double scale, int indexStep) {
        int nwin = win.length;
        double time = t * timeIncrement; // np.arange(n_out) * time_increment
        int n = (int) time;
        double frac = scale * (time - n);
        double indexFrac = frac * PRECISION;
        int offset = (int) indexFrac;
        double eta = indexFrac - offset;
        float acc = 0f;
        int iMax = Math.min(n + 1, (nwin - offset) / indexStep);
        for (int i = 0; i < iMax; i++) {
            int j = offset + i * indexStep;
            // float32 store after each tap, as numba does for y[t] += weight * x[n - i].
            acc = (float) (acc + (win[j] + eta * delta[j]) * x[n - i]);
        }
        frac = scale - frac;
        indexFrac = frac * PRECISION;
        offset = (int) indexFrac;
        eta = indexFrac - offset;
        int kMax = Math.min(x.length - n - 1, (nwin - offset) / indexStep);
        for (int k = 0; k < kMax; k++) {
            int j = offset + k * indexStep;
            acc = (float) (acc + (win[j] + eta * delta[j]) * x[n + k + 1]);
        }
        return acc;
    }
}
