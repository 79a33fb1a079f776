package dev.pianola.arrange;

import dev.pianola.BadInputException;

/**
 * Every rule of the arranger, with its unit in its name. {@link #defaults()} is a general-purpose
 * arrangement a confident amateur can read; the presets in {@code presets/arrange/} override some
 * fields of it.
 *
 * @param dropDrumChannel        ignore notes on MIDI channel 10 (index 9): drum hits are not pitches
 * @param lowestPitch            lowest playable key (MIDI pitch); 21 = A0, the bottom of an 88-key piano
 * @param highestPitch           highest playable key; 108 = C8, the top of an 88-key piano
 * @param outOfRange             what to do with a note outside lowestPitch..highestPitch: move it by
 *                               octaves into range (FOLD) or drop it
 * @param mergeGapBeats          same-pitch notes separated by less than this (or overlapping) become one
 *                               note: a transcription re-triggers a held note under vibrato or tremolo
 * @param minDurationBeats       notes shorter than this (after merging) are dropped as transcription noise
 * @param quantizeGrid           the beat subdivision that onsets (and ends) move towards; OFF leaves timing alone
 * @param quantizeStrength       0 = no move, 1 = exactly on the grid; in between moves part of the way
 * @param quantizeEnds           quantize note ends too (never to a zero length: a note keeps at least one step)
 * @param scaleSnap              move out-of-key notes to the nearest in-key pitch
 * @param key                    the key for the snap ("C", "F#m", "Bbmaj", "A minor"); null = detect it
 * @param splitPitch             where the hands divide before the music says otherwise: the lowest
 *                               right-hand pitch (60 = middle C); the split then follows the music
 * @param chordWindowBeats       onsets closer than this to the first onset of a chord count as the same chord
 * @param melodyOnTop            find the tune (the most salient continuous top line) and give it to the
 *                               right hand as its top voice, whatever its register; false splits the hands
 *                               by pitch alone, around splitPitch
 * @param melodyLowestPitch      a melody phrase that sits lower than this (its median pitch) is moved up by
 *                               octaves (as far as the keyboard allows), so the right hand plays it above
 *                               the left hand's chords
 * @param rightHandSpanSemitones widest interval the right hand holds at once (12 = an octave)
 * @param leftHandSpanSemitones  widest interval the left hand holds at once
 * @param outOfSpan              what to do with a note that does not fit in its hand's span: move it by
 *                               octaves towards the melody (right hand) or bass (left hand), or drop it
 * @param maxPolyphony           most notes sounding at once, both hands together
 * @param maxNotesRightHand      most notes the right hand holds at once (five fingers)
 * @param maxNotesLeftHand       most notes the left hand holds at once
 * @param leftHandTexture        what the left hand plays (see {@link Texture}): the transcription's own
 *                               notes (AS_PLAYED), or per harmonic segment (a half bar, or a bar when
 *                               the harmony holds) its bass and chord as SUSTAINED, BROKEN or POP
 * @param velocityMode           SHAPE maps the input's loudness range onto minVelocity..maxVelocity; RAW keeps it
 * @param minVelocity            softest velocity after shaping
 * @param maxVelocity            loudest velocity after shaping (accents included)
 * @param downbeatAccentVelocity added to notes that start on a bar line (0 = no accent)
 */
public record ArrangeOptions(
        boolean dropDrumChannel,
        int lowestPitch, int highestPitch, Overflow outOfRange,
        double mergeGapBeats, double minDurationBeats,
        Grid quantizeGrid, double quantizeStrength, boolean quantizeEnds,
        boolean scaleSnap, String key,
        int splitPitch, double chordWindowBeats,
        boolean melodyOnTop, int melodyLowestPitch,
        int rightHandSpanSemitones, int leftHandSpanSemitones, Overflow outOfSpan,
        int maxPolyphony, int maxNotesRightHand, int maxNotesLeftHand, Texture leftHandTexture,
        VelocityMode velocityMode, int minVelocity, int maxVelocity, int downbeatAccentVelocity) {

    /** What happens to a note that does not fit. */
    public enum Overflow { FOLD, DROP }

    public enum VelocityMode { SHAPE, RAW }

    /** The left hand's texture; each one but AS_PLAYED replaces the left hand's notes (see {@link LeftHand}). */
    public enum Texture {
        /** The transcription's own left-hand notes, as the hands were split. */
        AS_PLAYED,
        /** The bass and a close chord above it, held for the segment. */
        SUSTAINED,
        /** The bass and the chord above it one after another in eighths (Alberti, or 1-5-8-5). */
        BROKEN,
        /** On-beat comping: the bass on beat 1 (and 3), chord stabs under the right hand on the other beats. */
        POP
    }

    /** Beat subdivisions (a beat is a quarter note). */
    public enum Grid {
        OFF(0), QUARTER(1), EIGHTH(0.5), EIGHTH_TRIPLET(1.0 / 3), SIXTEENTH(0.25), SIXTEENTH_TRIPLET(1.0 / 6), THIRTY_SECOND(0.125);

        private final double stepBeats;

        Grid(double stepBeats) {
            this.stepBeats = stepBeats;
        }

        /** Grid step in beats; 0 for OFF. */
        public double stepBeats() {
            return stepBeats;
        }
    }

    public ArrangeOptions {
        // each bound on its own: a difference of unchecked ints can overflow into a valid-looking span
        check(lowestPitch >= 0 && lowestPitch <= 127 && highestPitch >= 0 && highestPitch <= 127,
                "lowestPitch/highestPitch must lie in 0..127, got " + lowestPitch + ".." + highestPitch);
        // an octave at least, so that folding by octaves always lands in range
        check(highestPitch - lowestPitch >= 11, "lowestPitch..highestPitch must span at least an octave (11 semitones), got " + lowestPitch + ".." + highestPitch);
        check(outOfRange != null, "outOfRange must be FOLD or DROP");
        check(mergeGapBeats >= 0 && mergeGapBeats <= 4, "mergeGapBeats must lie in 0..4, got " + mergeGapBeats);
        check(minDurationBeats >= 0 && minDurationBeats <= 4, "minDurationBeats must lie in 0..4, got " + minDurationBeats);
        check(quantizeGrid != null, "quantizeGrid must be one of OFF, QUARTER, EIGHTH, EIGHTH_TRIPLET, SIXTEENTH, SIXTEENTH_TRIPLET, THIRTY_SECOND");
        check(quantizeStrength >= 0 && quantizeStrength <= 1, "quantizeStrength must lie in 0..1, got " + quantizeStrength);
        if (key != null) Key.parse(key); // fail now, not halfway through a song
        check(splitPitch >= 0 && splitPitch <= 127, "splitPitch must lie in 0..127, got " + splitPitch);
        check(chordWindowBeats >= 0 && chordWindowBeats <= 1, "chordWindowBeats must lie in 0..1, got " + chordWindowBeats);
        check(melodyLowestPitch >= 0 && melodyLowestPitch <= 127, "melodyLowestPitch must lie in 0..127, got " + melodyLowestPitch);
        check(rightHandSpanSemitones >= 0 && rightHandSpanSemitones <= 24, "rightHandSpanSemitones must lie in 0..24, got " + rightHandSpanSemitones);
        check(leftHandSpanSemitones >= 0 && leftHandSpanSemitones <= 24, "leftHandSpanSemitones must lie in 0..24, got " + leftHandSpanSemitones);
        check(outOfSpan != null, "outOfSpan must be FOLD or DROP");
        check(maxPolyphony >= 1 && maxPolyphony <= 10, "maxPolyphony must lie in 1..10 (ten fingers), got " + maxPolyphony);
        check(maxNotesRightHand >= 1 && maxNotesRightHand <= 5, "maxNotesRightHand must lie in 1..5, got " + maxNotesRightHand);
        check(maxNotesLeftHand >= 1 && maxNotesLeftHand <= 5, "maxNotesLeftHand must lie in 1..5, got " + maxNotesLeftHand);
        check(leftHandTexture != null, "leftHandTexture must be one of AS_PLAYED, SUSTAINED, BROKEN, POP");
        check(velocityMode != null, "velocityMode must be SHAPE or RAW");
        check(minVelocity >= 1 && maxVelocity <= 127 && minVelocity <= maxVelocity, "minVelocity..maxVelocity must be a range inside 1..127, got " + minVelocity + ".." + maxVelocity);
        check(downbeatAccentVelocity >= 0 && downbeatAccentVelocity <= maxVelocity - minVelocity,
                "downbeatAccentVelocity must lie in 0..(maxVelocity - minVelocity), got " + downbeatAccentVelocity);
    }

    /**
     * The default arrangement. Why these values:
     * <ul>
     * <li>A0..C8 folded: the 88 keys; an octave shift keeps the pitch class, so harmony survives.</li>
     * <li>mergeGapBeats 1/16 beat (about 31 ms at 120 BPM): Basic Pitch's re-triggers sit zero to three
     *     11.6 ms frames apart, while a pianist re-striking a key needs longer than that. A MIDI file
     *     with repeated notes written back to back (gap 0) is merged too: set 0 to keep every attack
     *     (then only overlapping notes merge).</li>
     * <li>minDurationBeats 1/32 beat (about 16 ms at 120 BPM): a key pressed that briefly is an
     *     accident or a glitch. Basic Pitch never writes notes under about 128 ms, so on transcriptions
     *     this only catches fragments left by other rules; a real performance (MAESTRO) does have
     *     fast-run notes of 20 to 30 ms, which a 1/16-beat limit would throw away (13% of one file).</li>
     * <li>Sixteenth grid at full strength: pop material rarely goes finer, and a reader wants a clean grid.</li>
     * <li>Melody on top from C4: a sung line (often C3..C5) is the part a listener follows, so it goes
     *     to the right hand as its top voice, an octave up when the phrase sits below middle C. Splitting
     *     by pitch alone left about 70% of the lead's notes in the right hand of rendered band songs,
     *     the tune on top 85 to 87% (tests: MelodyOnTopTest).</li>
     * <li>Hand spans of an octave: the interval nearly every adult hand reaches without stretching.</li>
     * <li>Six notes at once overall, five per hand: a full two-hand texture (three-note chord plus octave
     *     bass plus melody) that still reads; five is the number of fingers.</li>
     * <li>The left hand as played: the textures rewrite the harmony the transcription heard, so they are
     *     a choice of style (the pop and ballad presets), not a default.</li>
     * <li>Velocities 35..110: from soft (mp) to strong (f) without the extremes a transcription's
     *     amplitude noise would otherwise produce; a +6 downbeat accent is felt rather than heard.</li>
     * </ul>
     */
    public static ArrangeOptions defaults() {
        return new ArrangeOptions(true,
                21, 108, Overflow.FOLD,
                1.0 / 16, 1.0 / 32,
                Grid.SIXTEENTH, 1.0, true,
                false, null,
                60, 1.0 / 16,
                true, 60,
                12, 12, Overflow.FOLD,
                6, 5, 5, Texture.AS_PLAYED,
                VelocityMode.SHAPE, 35, 110, 6);
    }

    /** These options with scale snap on, to the given key (null = detect the key). */
    public ArrangeOptions withScaleSnap(String snapKey) {
        return new ArrangeOptions(dropDrumChannel, lowestPitch, highestPitch, outOfRange, mergeGapBeats, minDurationBeats,
                quantizeGrid, quantizeStrength, quantizeEnds, true, snapKey, splitPitch, chordWindowBeats, melodyOnTop, melodyLowestPitch,
                rightHandSpanSemitones, leftHandSpanSemitones, outOfSpan, maxPolyphony, maxNotesRightHand, maxNotesLeftHand, leftHandTexture,
                velocityMode, minVelocity, maxVelocity, downbeatAccentVelocity);
    }

    /** These options with another quantization. */
    public ArrangeOptions withQuantize(Grid grid, double strength) {
        return new ArrangeOptions(dropDrumChannel, lowestPitch, highestPitch, outOfRange, mergeGapBeats, minDurationBeats,
                grid, strength, quantizeEnds, scaleSnap, key, splitPitch, chordWindowBeats, melodyOnTop, melodyLowestPitch,
                rightHandSpanSemitones, leftHandSpanSemitones, outOfSpan, maxPolyphony, maxNotesRightHand, maxNotesLeftHand, leftHandTexture,
                velocityMode, minVelocity, maxVelocity, downbeatAccentVelocity);
    }

    /** These options with other polyphony limits. */
    public ArrangeOptions withPolyphony(int overall, int rightHand, int leftHand) {
        return new ArrangeOptions(dropDrumChannel, lowestPitch, highestPitch, outOfRange, mergeGapBeats, minDurationBeats,
                quantizeGrid, quantizeStrength, quantizeEnds, scaleSnap, key, splitPitch, chordWindowBeats, melodyOnTop, melodyLowestPitch,
                rightHandSpanSemitones, leftHandSpanSemitones, outOfSpan, overall, rightHand, leftHand, leftHandTexture,
                velocityMode, minVelocity, maxVelocity, downbeatAccentVelocity);
    }

    private static void check(boolean ok, String problem) {
        if (!ok) throw new BadInputException("arrangement option: " + problem);
    }
}
