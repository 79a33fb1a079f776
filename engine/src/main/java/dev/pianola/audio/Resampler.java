package dev.pianola.audio;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Band-limited sample-rate conversion with a Kaiser-windowed sinc (Smith's bandlimited
 * interpolation, the same arithmetic as resampy): linear phase, no delay (output sample k is the
 * band-limited input evaluated at time k / outRate), any ratio.
 *
 * <p>The filter's right half is tabulated at {@link Filter#phasesPerZeroCrossing} points per zero
 * crossing and read with linear interpolation between neighbouring phases. When the rate ratio is
 * rational with a small denominator (every common audio rate pair), the weights of each of the
 * few distinct output phases are computed once from that table and reused (polyphase), so the hot
 * loop is a plain dot product over contiguous arrays.
 *
 * <p>Quality of {@link Filter#HIGH} (the default), measured by {@code ResamplerTest}: passband
 * flat within 0.001 dB up to 0.85 of the lower Nyquist frequency (-6 dB at {@code rolloff});
 * tones from 1.09 of the new Nyquist frequency upwards attenuated by at least 94 dB (150 dB for
 * integer ratios such as 2:1, where no interpolation between table phases is needed: the linear
 * interpolation of the table is what limits the other ratios to about 100 dB).
 * Edges are treated as zeros outside the signal, as resampy does.
 */
public final class Resampler {

    /**
     * A Kaiser-windowed sinc: {@code zeroCrossings} zero crossings of the sinc kept on each side,
     * cutoff at {@code rolloff} of the lower Nyquist frequency, Kaiser window shape
     * {@code kaiserBeta}, and {@code phasesPerZeroCrossing} table entries per zero crossing.
     */
    public record Filter(int zeroCrossings, double rolloff, double kaiserBeta, int phasesPerZeroCrossing) {
        /** The brief's high-quality filter: 64 zero crossings, rolloff 0.9476, beta 14.77. */
        public static final Filter HIGH = new Filter(64, 0.9475937167399596, 14.769656459379492, 8192);
        /**
         * resampy 0.4.2's {@code kaiser_best} (its stored table is reproduced to 5e-15 by these
         * parameters: 50 zero crossings, 2^13 phases; beta fitted to the table).
         */
        public static final Filter RESAMPY_KAISER_BEST =
                new Filter(50, 0.9173473712608761, 12.984585247048491, 8192);

        public Filter {
            if (zeroCrossings < 1 || zeroCrossings > 1024)
                throw new IllegalArgumentException("zero crossings must be in 1..1024: " + zeroCrossings);
            if (!(rolloff > 0 && rolloff <= 1))
                throw new IllegalArgumentException("rolloff must be in (0, 1]: " + rolloff);
            if (!(kaiserBeta >= 0 && kaiserBeta < 100))
                throw new IllegalArgumentException("Kaiser beta must be in [0, 100): " + kaiserBeta);
            if (phasesPerZeroCrossing < 2 || Integer.bitCount(phasesPerZeroCrossing) != 1
                    || (long) phasesPerZeroCrossing * zeroCrossings > 1 << 24)
                throw new IllegalArgumentException("phases per zero crossing must be a power of two >= 2"
                        + " with at most 2^24 table entries: " + phasesPerZeroCrossing);
        }
    }

    /** Ratios whose reduced output step has at most this many phases use precomputed weights. */
    private static final int MAX_PHASES = 4096;
    private static final long MAX_POLYPHASE_WEIGHTS = 1 << 22;
    private static final Map<Filter, Resampler> CACHE = new ConcurrentHashMap<>();

    private final Filter filter;
    /** Right half of the filter, {@code zeroCrossings * phases + 1} points from 0 outwards. */
    private final double[] halfWindow;

    private Resampler(Filter filter) {
        this.filter = filter;
        this.halfWindow = halfWindow(filter);
    }

    /** The resampler for {@code filter}; tables are built once per filter and shared. */
    public static Resampler of(Filter filter) {
        return CACHE.computeIfAbsent(filter, Resampler::new);
    }

    /** {@code audio} at {@code rate} Hz with the {@link Filter#HIGH} filter (a copy if the rate matches). */
    public static Audio toRate(Audio audio, int rate) {
        return new Audio(of(Filter.HIGH).resample(audio.samples(), audio.sampleRate(), rate), rate);
    }

    public Filter filter() {
        return filter;
    }

    /**
     * {@code samples} at {@code fromRate} Hz resampled to {@code toRate} Hz: {@code floor(n * toRate
     * / fromRate)} output samples, output k at time k / toRate.
     */
    public float[] resample(float[] samples, int fromRate, int toRate) {
        return resample(samples, fromRate, toRate, false);
    }

    /** As {@link #resample(float[], int, int)}; tests force the general path to compare both. */
    float[] resample(float[] samples, int fromRate, int toRate, boolean forceDirect) {
        if (fromRate <= 0 || toRate <= 0)
            throw new IllegalArgumentException("sample rates must be positive: " + fromRate + " -> " + toRate);
        if (fromRate == toRate) return samples.clone();
        int outLength = (int) ((long) samples.length * toRate / fromRate);
        float[] out = new float[outLength];
        if (outLength == 0) return out;

        double ratio = (double) toRate / fromRate;
        double scale = Math.min(1.0, ratio);
        int phases = filter.phasesPerZeroCrossing();
        // Downsampling stretches the filter in time (step through the table more slowly) and
        // scales it so that DC gain stays 1; the step is truncated to a whole table index.
        int indexStep = (int) (scale * phases);
        double[] window = halfWindow;
        if (ratio < 1) {
            window = window.clone();
            for (int i = 0; i < window.length; i++) window[i] *= ratio;
        }
        double[] delta = new double[window.length];
        for (int i = 0; i + 1 < window.length; i++) delta[i] = window[i + 1] - window[i];

        int g = gcd(fromRate, toRate);
        int l = toRate / g, m = fromRate / g;
        long tapsPerPhase = 2L * (window.length / Math.max(1, indexStep) + 1);
        if (!forceDirect && l <= MAX_PHASES && l * tapsPerPhase <= MAX_POLYPHASE_WEIGHTS) {
            polyphase(samples, out, window, delta, indexStep, scale, l, m);
        } else {
            direct(samples, out, window, delta, indexStep, scale, (double) fromRate / toRate);
        }
        return out;
    }

    /** Rational ratio l/m in lowest terms: output t = q*l + p reads input q*m + floor(p*m/l). */
    private void polyphase(float[] x, float[] out, double[] window, double[] delta,
                           int indexStep, double scale, int l, int m) {
        int phases = filter.phasesPerZeroCrossing();
        double[][] left = new double[l][], right = new double[l][];
        for (int p = 0; p < l; p++) {
            double frac = scale * ((double) ((long) p * m % l) / l);
            left[p] = weights(window, delta, indexStep, frac * phases);
            right[p] = weights(window, delta, indexStep, (scale - frac) * phases);
        }
        int n = x.length;
        for (int t = 0; t < out.length; t++) {
            int p = t % l;
            int base = (int) ((long) (t / l) * m + (long) p * m / l);
            double[] wl = left[p], wr = right[p];
            int iMax = Math.min(base + 1, wl.length);
            double sum = 0;
            for (int i = 0; i < iMax; i++) sum += wl[i] * x[base - i];
            int kMax = Math.min(n - base - 1, wr.length);
            for (int k = 0; k < kMax; k++) sum += wr[k] * x[base + 1 + k];
            out[t] = (float) sum;
        }
    }

    /** Filter taps read from the table at {@code indexFrac}, {@code indexFrac + step}, ... */
    private static double[] weights(double[] window, double[] delta, int indexStep, double indexFrac) {
        int offset = (int) indexFrac;
        double eta = indexFrac - offset;
        int count = (window.length - offset) / indexStep;
        double[] w = new double[Math.max(0, count)];
        for (int i = 0; i < w.length; i++) {
            int j = offset + i * indexStep;
            w[i] = window[j] + eta * delta[j];
        }
        return w;
    }

    /** Any ratio: each output computes its own fractional position (resampy's loop). */
    private void direct(float[] x, float[] out, double[] window, double[] delta,
                        int indexStep, double scale, double timeIncrement) {
        int phases = filter.phasesPerZeroCrossing();
        int nwin = window.length, n = x.length;
        for (int t = 0; t < out.length; t++) {
            double time = t * timeIncrement;
            int base = (int) time;
            double frac = scale * (time - base);
            double indexFrac = frac * phases;
            int offset = (int) indexFrac;
            double eta = indexFrac - offset;
            int iMax = Math.min(base + 1, (nwin - offset) / indexStep);
            double sum = 0;
            for (int i = 0; i < iMax; i++) {
                int j = offset + i * indexStep;
                sum += (window[j] + eta * delta[j]) * x[base - i];
            }
            indexFrac = (scale - frac) * phases;
            offset = (int) indexFrac;
            eta = indexFrac - offset;
            int kMax = Math.min(n - base - 1, (nwin - offset) / indexStep);
            for (int k = 0; k < kMax; k++) {
                int j = offset + k * indexStep;
                sum += (window[j] + eta * delta[j]) * x[base + 1 + k];
            }
            out[t] = (float) sum;
        }
    }

    /** rolloff * sinc(rolloff * x) * kaiser(x / zeroCrossings) for x = 0, 1/phases, ..., zeroCrossings. */
    static double[] halfWindow(Filter f) {
        int phases = f.phasesPerZeroCrossing();
        int n = phases * f.zeroCrossings();
        double[] w = new double[n + 1];
        double i0Beta = besselI0(f.kaiserBeta());
        for (int j = 0; j <= n; j++) {
            double x = (double) j / phases;
            double arg = Math.PI * f.rolloff() * x;
            double sinc = j == 0 ? 1.0 : Math.sin(arg) / arg;
            double r = (double) j / n;
            double taper = besselI0(f.kaiserBeta() * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
            w[j] = f.rolloff() * sinc * taper;
        }
        return w;
    }

    /** Modified Bessel function of the first kind, order 0, by its power series (x < 100). */
    static double besselI0(double x) {
        double quarterX2 = x * x / 4, term = 1, sum = 1;
        for (int k = 1; k < 500; k++) {
            term *= quarterX2 / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
