package dev.pianola.audio;

/** Test audio with known beats, for the engine's tests and the integration tests (the engine's test-jar). */
public final class TestSignals {
    private TestSignals() {}

    /**
     * Struck tones (four harmonics, decaying over a second) at the given times, {@code seconds} long
     * at 22050 Hz: a click track when the times are steady, a sparse chord part when they are far apart.
     */
    public static Audio struck(double[] onsetSeconds, double seconds, double... hz) {
        int rate = 22050;
        float[] x = new float[(int) (seconds * rate)];
        for (double t : onsetSeconds) {
            int start = (int) Math.round(t * rate);
            for (int i = 0; start + i < x.length && i < rate; i++) {
                double s = 0, time = i / (double) rate;
                for (double f : hz) for (int h = 1; h <= 4; h++) s += Math.sin(2 * Math.PI * f * h * time) / h;
                x[start + i] += (float) (0.2 / hz.length * s * Math.exp(-time * 6));
            }
        }
        return new Audio(x, rate);
    }

    /** Beat times at a steady tempo from {@code firstSeconds} until {@code untilSeconds}. */
    public static double[] steady(double bpm, double firstSeconds, double untilSeconds) {
        return Beats.fromTempo(bpm, firstSeconds, untilSeconds).beatSeconds();
    }
}
