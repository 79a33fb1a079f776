package dev.pianola.models.basicpitch;

/**
 * Basic Pitch's model output for a whole recording, one row per frame of 256 samples at 22050 Hz.
 * {@code note} and {@code onset} have 88 columns (MIDI 21..108); {@code contour} has 264 (three
 * bins per semitone, bin c is MIDI 21 + c/3).
 */
public record Posteriorgrams(float[][] note, float[][] onset, float[][] contour) {
    public Posteriorgrams {
        if (note.length != onset.length || note.length != contour.length) {
            throw new IllegalArgumentException("frame counts differ: note " + note.length + ", onset "
                    + onset.length + ", contour " + contour.length);
        }
    }

    public int frames() {
        return note.length;
    }
}
