package dev.pianola.audio;

/**
 * Triangular mel filters on the bins of a real FFT, Slaney's mel scale and area normalisation
 * (librosa.filters.mel with htk=False, norm='slaney'). Stored sparsely: each filter's first bin
 * and weights, since a filter covers only a few of the FFT's bins.
 */
public final class MelFilterbank {
    private static final double F_SP = 200.0 / 3, MIN_LOG_HZ = 1000, MIN_LOG_MEL = MIN_LOG_HZ / F_SP,
            LOG_STEP = Math.log(6.4) / 27;

    private final int[] firstBin;
    private final double[][] weights;
    private final int bins;

    private MelFilterbank(int[] firstBin, double[][] weights, int bins) {
        this.firstBin = firstBin;
        this.weights = weights;
        this.bins = bins;
    }

    public static MelFilterbank slaney(int sampleRate, int fftSize, int mels, double fminHz, double fmaxHz) {
        if (mels < 1 || fftSize < 2 || !(fminHz >= 0 && fmaxHz > fminHz && fmaxHz <= sampleRate / 2.0))
            throw new IllegalArgumentException("bad mel filterbank: " + mels + " mels, " + fminHz + ".." + fmaxHz + " Hz");
        int bins = fftSize / 2 + 1;
        double melMin = hzToMel(fminHz), melMax = hzToMel(fmaxHz);
        double[] edgesHz = new double[mels + 2];
        for (int i = 0; i < edgesHz.length; i++) {
            // as numpy.linspace: start + i * step, with the last point exactly the end
            double mel = i == edgesHz.length - 1 ? melMax : melMin + i * ((melMax - melMin) / (mels + 1));
            edgesHz[i] = melToHz(mel);
        }
        int[] first = new int[mels];
        double[][] w = new double[mels][];
        for (int m = 0; m < mels; m++) {
            double lo = edgesHz[m], mid = edgesHz[m + 1], hi = edgesHz[m + 2];
            double norm = 2.0 / (hi - lo);
            double[] row = new double[bins];
            int start = -1, end = -1;
            for (int k = 0; k < bins; k++) {
                double hz = (double) k * sampleRate / fftSize;
                double lower = (hz - lo) / (mid - lo), upper = (hi - hz) / (hi - mid);
                double v = Math.max(0, Math.min(lower, upper)) * norm;
                row[k] = v;
                if (v > 0) {
                    if (start < 0) start = k;
                    end = k;
                }
            }
            if (start < 0) start = end = 0; // an empty filter (too many mels for the FFT): all zeros
            first[m] = start;
            w[m] = java.util.Arrays.copyOfRange(row, start, end + 1);
            if (row[start] == 0) w[m] = new double[0];
        }
        return new MelFilterbank(first, w, bins);
    }

    public int mels() {
        return weights.length;
    }

    /** {@code out[m] = sum_k filter[m][k] * spectrum[k]} for a spectrum of {@code fftSize/2+1} bins. */
    public void apply(double[] spectrum, double[] out) {
        if (spectrum.length < bins) throw new IllegalArgumentException("spectrum has " + spectrum.length + " bins, need " + bins);
        for (int m = 0; m < weights.length; m++) {
            double[] w = weights[m];
            int k0 = firstBin[m];
            double sum = 0;
            for (int j = 0; j < w.length; j++) sum += w[j] * spectrum[k0 + j];
            out[m] = sum;
        }
    }

    static double hzToMel(double hz) {
        return hz < MIN_LOG_HZ ? hz / F_SP : MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP;
    }

    static double melToHz(double mel) {
        return mel < MIN_LOG_MEL ? mel * F_SP : MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL));
    }
}
