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

    /**
     * The filter for one rate ratio: {@code interp_win} (scaled by the ratio when downsampling, as
     * resampy does) and {@code interp_delta} interleaved, {@code [2j]} and {@code [2j + 1]}, so that a
     * tap reads one cache line instead of two (a tap's index jumps thousands of entries from the last).
     */
    private record Filter(int fromRate, int toRate, double[] table) {}

    /** The last filter made: the live cover resamples at one rate bar after bar (3 MB, 2 ms to make). */
    private static volatile Filter last;

    private static double[] table(int fromRate, int toRate) {
        Filter f = last;
        if (f != null && f.fromRate == fromRate && f.toRate == toRate) return f.table;
        double ratio = (double) toRate / fromRate;
        double[] win = HALF_WINDOW;
        if (ratio < 1) {
            // Downsampling: the filter is stretched (index step below) and scaled to keep unit DC gain.
            win = win.clone();
            for (int i = 0; i < win.length; i++) win[i] *= ratio;
        }
        double[] table = new double[2 * win.length];
        for (int i = 0; i < win.length; i++) {
            table[2 * i] = win[i];
            table[2 * i + 1] = i + 1 < win.length ? win[i + 1] - win[i] : 0;
        }
        last = new Filter(fromRate, toRate, table);
        return table;
    }

    /** {@code int(n * sr_new / sr_orig)} samples, as resampy (librosa then fixes the length). */
    static float[] resample(float[] x, int fromRate, int toRate) {
        double ratio = (double) toRate / fromRate;
        int outLength = (int) (x.length * ratio);
        double[] wd = table(fromRate, toRate);
        double scale = Math.min(1.0, ratio);
        double timeIncrement = 1.0 / ratio;
        int indexStep = (int) (scale * PRECISION);
        float[] y = new float[outLength];
        // every output sample is its own sum: blocks run on the common pool, each sample computed
        // exactly as in one pass, so the result does not depend on the thread count
        int blocks = (outLength + BLOCK - 1) / BLOCK;
        java.util.stream.IntStream.range(0, blocks).parallel().forEach(b -> {
            int t = b * BLOCK, end = Math.min(outLength, t + BLOCK);
            for (; t + LANES <= end; t += LANES) samples(x, t, wd, timeIncrement, scale, indexStep, y);
            for (; t < end; t++) y[t] = sample(x, t, wd, timeIncrement, scale, indexStep);
        });
        return y;
    }

    private static final int BLOCK = 1 << 15;
    /**
     * Output samples summed side by side. Each sum is a chain of float32 roundings that must stay in
     * resampy's order, so one sample cannot go faster than its chain's latency; four independent
     * chains interleaved keep the core busy (2-3x faster), each sample's arithmetic unchanged.
     */
    private static final int LANES = 4;

    /**
     * Output sample {@code t}: resampy's two loops (left and right wings of the filter), the weight
     * of each tap interpolated between two table points.
     */
    private static float sample(float[] x, int t, double[] wd, double timeIncrement, double scale, int indexStep) {
        int nwin = wd.length / 2;
        double time = t * timeIncrement; // np.arange(n_out) * time_increment
        int n = (int) time;
        double frac = scale * (time - n);
        double indexFrac = frac * PRECISION;
        int offset = (int) indexFrac;
        double eta = indexFrac - offset;
        int iMax = Math.min(n + 1, (nwin - offset) / indexStep);
        // float32 store after each tap, as numba does for y[t] += weight * x[n - i]
        float acc = leftTail(x, 0f, 0, iMax, n, offset, eta, wd, indexStep);
        frac = scale - frac;
        indexFrac = frac * PRECISION;
        offset = (int) indexFrac;
        eta = indexFrac - offset;
        int kMax = Math.min(x.length - n - 1, (nwin - offset) / indexStep);
        return rightTail(x, acc, 0, kMax, n, offset, eta, wd, indexStep);
    }

    /** {@link #sample} for {@code t .. t + 3}, the same operations in the same order for each. */
    private static void samples(float[] x, int t, double[] wd, double timeIncrement, double scale, int indexStep, float[] y) {
        int nwin = wd.length / 2;
        int n0, n1, n2, n3, o0, o1, o2, o3;
        double e0, e1, e2, e3;
        double time, frac, indexFrac;
        // left wings: x[n - i], the filter from the fractional position
        time = t * timeIncrement; n0 = (int) time; frac = scale * (time - n0); indexFrac = frac * PRECISION; o0 = (int) indexFrac; e0 = indexFrac - o0;
        time = (t + 1) * timeIncrement; n1 = (int) time; frac = scale * (time - n1); indexFrac = frac * PRECISION; o1 = (int) indexFrac; e1 = indexFrac - o1;
        time = (t + 2) * timeIncrement; n2 = (int) time; frac = scale * (time - n2); indexFrac = frac * PRECISION; o2 = (int) indexFrac; e2 = indexFrac - o2;
        time = (t + 3) * timeIncrement; n3 = (int) time; frac = scale * (time - n3); indexFrac = frac * PRECISION; o3 = (int) indexFrac; e3 = indexFrac - o3;
        int m0 = Math.min(n0 + 1, (nwin - o0) / indexStep), m1 = Math.min(n1 + 1, (nwin - o1) / indexStep);
        int m2 = Math.min(n2 + 1, (nwin - o2) / indexStep), m3 = Math.min(n3 + 1, (nwin - o3) / indexStep);
        float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
        int common = Math.min(Math.min(m0, m1), Math.min(m2, m3));
        for (int i = 0; i < common; i++) {
            int j0 = 2 * (o0 + i * indexStep), j1 = 2 * (o1 + i * indexStep), j2 = 2 * (o2 + i * indexStep), j3 = 2 * (o3 + i * indexStep);
            a0 = (float) (a0 + (wd[j0] + e0 * wd[j0 + 1]) * x[n0 - i]);
            a1 = (float) (a1 + (wd[j1] + e1 * wd[j1 + 1]) * x[n1 - i]);
            a2 = (float) (a2 + (wd[j2] + e2 * wd[j2 + 1]) * x[n2 - i]);
            a3 = (float) (a3 + (wd[j3] + e3 * wd[j3 + 1]) * x[n3 - i]);
        }
        a0 = leftTail(x, a0, common, m0, n0, o0, e0, wd, indexStep);
        a1 = leftTail(x, a1, common, m1, n1, o1, e1, wd, indexStep);
        a2 = leftTail(x, a2, common, m2, n2, o2, e2, wd, indexStep);
        a3 = leftTail(x, a3, common, m3, n3, o3, e3, wd, indexStep);
        // right wings: x[n + k + 1], the filter from the complementary position
        frac = scale - scale * ((t * timeIncrement) - n0); indexFrac = frac * PRECISION; o0 = (int) indexFrac; e0 = indexFrac - o0;
        frac = scale - scale * (((t + 1) * timeIncrement) - n1); indexFrac = frac * PRECISION; o1 = (int) indexFrac; e1 = indexFrac - o1;
        frac = scale - scale * (((t + 2) * timeIncrement) - n2); indexFrac = frac * PRECISION; o2 = (int) indexFrac; e2 = indexFrac - o2;
        frac = scale - scale * (((t + 3) * timeIncrement) - n3); indexFrac = frac * PRECISION; o3 = (int) indexFrac; e3 = indexFrac - o3;
        m0 = Math.min(x.length - n0 - 1, (nwin - o0) / indexStep); m1 = Math.min(x.length - n1 - 1, (nwin - o1) / indexStep);
        m2 = Math.min(x.length - n2 - 1, (nwin - o2) / indexStep); m3 = Math.min(x.length - n3 - 1, (nwin - o3) / indexStep);
        common = Math.max(0, Math.min(Math.min(m0, m1), Math.min(m2, m3)));
        for (int k = 0; k < common; k++) {
            int j0 = 2 * (o0 + k * indexStep), j1 = 2 * (o1 + k * indexStep), j2 = 2 * (o2 + k * indexStep), j3 = 2 * (o3 + k * indexStep);
            a0 = (float) (a0 + (wd[j0] + e0 * wd[j0 + 1]) * x[n0 + k + 1]);
            a1 = (float) (a1 + (wd[j1] + e1 * wd[j1 + 1]) * x[n1 + k + 1]);
            a2 = (float) (a2 + (wd[j2] + e2 * wd[j2 + 1]) * x[n2 + k + 1]);
            a3 = (float) (a3 + (wd[j3] + e3 * wd[j3 + 1]) * x[n3 + k + 1]);
        }
        y[t] = rightTail(x, a0, common, m0, n0, o0, e0, wd, indexStep);
        y[t + 1] = rightTail(x, a1, common, m1, n1, o1, e1, wd, indexStep);
        y[t + 2] = rightTail(x, a2, common, m2, n2, o2, e2, wd, indexStep);
        y[t + 3] = rightTail(x, a3, common, m3, n3, o3, e3, wd, indexStep);
    }

    /** Left-wing taps {@code from .. iMax - 1} of one output sample, added to {@code acc}. */
    private static float leftTail(float[] x, float acc, int from, int iMax, int n, int offset, double eta, double[] wd, int indexStep) {
        for (int i = from; i < iMax; i++) {
            int j = 2 * (offset + i * indexStep);
            acc = (float) (acc + (wd[j] + eta * wd[j + 1]) * x[n - i]);
        }
        return acc;
    }

    /** Right-wing taps {@code from .. kMax - 1} of one output sample, added to {@code acc}. */
    private static float rightTail(float[] x, float acc, int from, int kMax, int n, int offset, double eta, double[] wd, int indexStep) {
        for (int k = from; k < kMax; k++) {
            int j = 2 * (offset + k * indexStep);
            acc = (float) (acc + (wd[j] + eta * wd[j + 1]) * x[n + k + 1]);
        }
        return acc;
    }
}
