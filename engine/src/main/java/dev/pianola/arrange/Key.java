package dev.pianola.arrange;

import dev.pianola.BadInputException;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A musical key: tonic pitch class (0 = C .. 11 = B) and mode. {@code correlation} is how well the
 * music matched the key's profile when the key was detected (Pearson r, -1..1); NaN when the key
 * was given rather than detected.
 *
 * <p>A minor key's pitches are the natural minor scale plus the raised seventh (the leading tone of
 * harmonic minor): almost every minor-key cadence uses it, and snapping it away would spoil them.
 */
public record Key(int tonicPitchClass, Mode mode, double correlation) {
    public enum Mode { MAJOR, MINOR }

    private static final int[] MAJOR_STEPS = {0, 2, 4, 5, 7, 9, 11};
    private static final int[] MINOR_STEPS = {0, 2, 3, 5, 7, 8, 10, 11};
    private static final String[] MAJOR_NAMES = {"C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"};
    private static final String[] MINOR_NAMES = {"C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B"};
    private static final Pattern SPELLING = Pattern.compile("([A-Ga-g])([#b\u266F\u266D]?)[\\s-]*(m|M|min|minor|maj|major)?",
            Pattern.CASE_INSENSITIVE);

    public Key {
        if (tonicPitchClass < 0 || tonicPitchClass > 11) throw new IllegalArgumentException("tonic pitch class out of 0..11: " + tonicPitchClass);
        if (mode == null) throw new IllegalArgumentException("key mode is null");
    }

    public Key(int tonicPitchClass, Mode mode) {
        this(tonicPitchClass, mode, Double.NaN);
    }

    /**
     * Reads a key as musicians write it: "C", "F#m", "Bbmaj", "C#min", "Eb minor", "A major".
     * A bare tonic is major; "m" (or "min", "minor") is minor, "M" (or "maj", "major") major.
     */
    public static Key parse(String text) {
        String t = text == null ? "" : text.strip();
        Matcher m = SPELLING.matcher(t);
        // "m" alone is case-sensitive (M = major); the spelled-out suffixes are not
        if (!m.matches()) throw new BadInputException("unknown key '" + text + "': expected a tonic and an optional mode, e.g. C, F#m, Bbmaj, A minor");
        int tonic = switch (Character.toUpperCase(m.group(1).charAt(0))) {
            case 'C' -> 0;
            case 'D' -> 2;
            case 'E' -> 4;
            case 'F' -> 5;
            case 'G' -> 7;
            case 'A' -> 9;
            default -> 11; // B
        };
        String accidental = m.group(2);
        if (accidental.equals("#") || accidental.equals("\u266F")) tonic += 1;
        else if (!accidental.isEmpty()) tonic -= 1;
        String suffix = m.group(3) == null ? "" : m.group(3);
        boolean minor = suffix.equals("m") || suffix.toLowerCase(Locale.ROOT).startsWith("min");
        return new Key(Math.floorMod(tonic, 12), minor ? Mode.MINOR : Mode.MAJOR);
    }

    /** Pitch classes that belong to the key, relative to C (0..11), ascending. */
    public int[] pitchClasses() {
        int[] steps = mode == Mode.MAJOR ? MAJOR_STEPS : MINOR_STEPS;
        int[] pcs = new int[steps.length];
        for (int i = 0; i < steps.length; i++) pcs[i] = (tonicPitchClass + steps[i]) % 12;
        java.util.Arrays.sort(pcs);
        return pcs;
    }

    public boolean contains(int pitch) {
        int pc = Math.floorMod(pitch, 12);
        for (int p : pitchClasses()) if (p == pc) return true;
        return false;
    }

    /** How stable a pitch is in this key: the Krumhansl-Kessler profile weight of its scale degree. */
    public double stability(int pitch) {
        int degree = Math.floorMod(pitch - tonicPitchClass, 12);
        return (mode == Mode.MAJOR ? KeyDetector.MAJOR_PROFILE : KeyDetector.MINOR_PROFILE)[degree];
    }

    /** "C", "F#m", "Bb", "G#m". */
    public String name() {
        return mode == Mode.MAJOR ? MAJOR_NAMES[tonicPitchClass] : MINOR_NAMES[tonicPitchClass] + "m";
    }

    /** The same key without a detection score, for comparisons. */
    public Key withoutCorrelation() {
        return new Key(tonicPitchClass, mode);
    }

    @Override
    public String toString() {
        return Double.isNaN(correlation) ? name() : String.format(Locale.ROOT, "%s (r=%.2f)", name(), correlation);
    }
}
