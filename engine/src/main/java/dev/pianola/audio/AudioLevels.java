package dev.pianola.audio;

/**
 * How loud a recording is and whether it clips: the peak, and the share of samples at full scale.
 * Used to refuse silence and to warn about clipping before a model spends minutes on it.
 */
public record AudioLevels(double peak, double clippedFraction) {
    /** A sample this close to full scale counts as clipped (16-bit full scale is 32767/32768). */
    static final double FULL_SCALE = 0.999;

    public static AudioLevels of(Audio audio) {
        float[] x = audio.samples();
        double peak = 0;
        long clipped = 0;
        for (float v : x) {
            double a = Math.abs(v);
            if (a > peak) peak = a;
            if (a >= FULL_SCALE) clipped++;
        }
        return new AudioLevels(peak, x.length == 0 ? 0 : (double) clipped / x.length);
    }

    /**
     * Below this peak a recording holds nothing to cover: 16-bit dither and hum sit around -90 dBFS,
     * and a model asked to hear notes in them finds loud ones that are not there.
     */
    public static final double SILENCE_PEAK_DBFS = -60;

    public boolean silent() {
        return peakDbfs() < SILENCE_PEAK_DBFS;
    }

    /** The peak in dB relative to full scale (-infinity for digital silence). */
    public double peakDbfs() {
        return 20 * Math.log10(peak);
    }
}
