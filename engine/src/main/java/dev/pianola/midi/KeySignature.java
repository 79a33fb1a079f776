package dev.pianola.midi;

/**
 * A key signature as a MIDI file stores it: sharps (negative: flats, -7..7) and major or minor.
 */
public record KeySignature(int sharps, boolean minor) {
    public KeySignature {
        if (sharps < -7 || sharps > 7) throw new IllegalArgumentException("a key signature has -7..7 sharps, got " + sharps);
    }

    /**
     * The signature of a key given by its tonic's pitch class (0 = C .. 11 = B), spelled as
     * musicians usually spell it: majors from Db (5 flats) to F# (6 sharps), minors from Ebm
     * (6 flats) to G#m (5 sharps).
     */
    public static KeySignature of(int tonicPitchClass, boolean minor) {
        if (tonicPitchClass < 0 || tonicPitchClass > 11) throw new IllegalArgumentException("pitch class out of 0..11: " + tonicPitchClass);
        // a minor key shares its relative major's signature (a minor third up); each fifth up adds a sharp
        int major = minor ? (tonicPitchClass + 3) % 12 : tonicPitchClass;
        int sharps = 7 * major % 12;
        return new KeySignature(sharps > (minor ? 5 : 6) ? sharps - 12 : sharps, minor);
    }
}
