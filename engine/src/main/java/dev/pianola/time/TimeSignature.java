package dev.pianola.time;

import java.util.ArrayList;
import java.util.List;

/** A meter that holds from {@code beats} on. A bar lasts {@code numerator * 4 / denominator} beats. */
public record TimeSignature(double beats, int numerator, int denominator) {
    public static final TimeSignature FOUR_FOUR = new TimeSignature(0, 4, 4);

    public TimeSignature {
        if (numerator < 1 || numerator > 64) throw new IllegalArgumentException("time signature numerator out of range: " + numerator);
        if (denominator < 1 || Integer.bitCount(denominator) != 1) throw new IllegalArgumentException("time signature denominator must be a power of two: " + denominator);
    }

    /**
     * 4/4 with a bar line on beat {@code barOneBeats}: the beats before it that do not fill a whole
     * bar make a short first bar of their own (a pickup), so that the music's downbeat is a bar line.
     */
    public static List<TimeSignature> fourFourFrom(long barOneBeats) {
        if (barOneBeats < 0) throw new IllegalArgumentException("bar one before beat 0: " + barOneBeats);
        int pickupBeats = (int) (barOneBeats % 4);
        return pickupBeats == 0 ? List.of(FOUR_FOUR) : List.of(new TimeSignature(0, pickupBeats, 4), new TimeSignature(pickupBeats, 4, 4));
    }

    public double barBeats() {
        return numerator * 4.0 / denominator;
    }

    /** Bar lines (in beats) from 0 up to and including {@code endBeats}, for a list of meters sorted by beat. */
    public static List<Double> barLines(List<TimeSignature> meters, double endBeats) {
        List<TimeSignature> ms = meters.isEmpty() ? List.of(FOUR_FOUR) : meters;
        List<Double> bars = new ArrayList<>();
        double bar = 0;
        int i = 0;
        TimeSignature current = ms.get(0).beats() <= 0 ? ms.get(0) : FOUR_FOUR;
        while (bar <= endBeats + 1e-9) {
            while (i < ms.size() && ms.get(i).beats() <= bar + 1e-9) current = ms.get(i++);
            bars.add(bar);
            bar += current.barBeats();
        }
        return bars;
    }
}
