package dev.pianola.models.basicpitch;

import dev.pianola.BadInputException;

import static dev.pianola.models.basicpitch.BasicPitchConstants.FFT_HOP;
import static dev.pianola.models.basicpitch.BasicPitchConstants.SAMPLE_RATE;

/**
 * How posteriorgrams become notes; the defaults are those of basic-pitch's {@code predict()}.
 * {@code minFrequencyHz} / {@code maxFrequencyHz} are null for no limit.
 */
public record NoteOptions(double onsetThreshold, double frameThreshold, double minNoteLengthMs,
                          boolean inferOnsets, boolean melodiaTrick, boolean includePitchBends,
                          Double minFrequencyHz, Double maxFrequencyHz,
                          int energyTolerance) {
    public static final NoteOptions DEFAULTS = new NoteOptions(BasicPitchConstants.ONSET_THRESHOLD,
            BasicPitchConstants.FRAME_THRESHOLD, BasicPitchConstants.MIN_NOTE_LENGTH_MS, true, true, true,
            null, null, BasicPitchConstants.ENERGY_TOLERANCE);

    public NoteOptions {
        check(onsetThreshold >= 0 && onsetThreshold <= 1, "onset threshold must be in 0..1: " + onsetThreshold);
        check(frameThreshold >= 0 && frameThreshold <= 1, "frame threshold must be in 0..1: " + frameThreshold);
        check(minNoteLengthMs >= 0 && minNoteLengthMs < 1e6, "minimum note length must be >= 0 ms: " + minNoteLengthMs);
        check(minFrequencyHz == null || minFrequencyHz > 0, "minimum frequency must be > 0 Hz: " + minFrequencyHz);
        check(maxFrequencyHz == null || maxFrequencyHz > 0, "maximum frequency must be > 0 Hz: " + maxFrequencyHz);
        check(minFrequencyHz == null || maxFrequencyHz == null || minFrequencyHz < maxFrequencyHz,
                "minimum frequency " + minFrequencyHz + " Hz must be below maximum " + maxFrequencyHz + " Hz");
        check(energyTolerance >= 1, "energy tolerance must be >= 1 frame: " + energyTolerance);
    }

    private static void check(boolean ok, String problem) {
        if (!ok) throw new BadInputException(problem);
    }

    /** The minimum note length in frames, rounded as upstream does (127.7 ms -> 11). */
    public int minNoteLengthFrames() {
        return (int) Math.rint(minNoteLengthMs / 1000 * ((double) SAMPLE_RATE / FFT_HOP));
    }

    public NoteOptions withThresholds(double onset, double frame) {
        return new NoteOptions(onset, frame, minNoteLengthMs, inferOnsets, melodiaTrick, includePitchBends,
                minFrequencyHz, maxFrequencyHz, energyTolerance);
    }

    public NoteOptions withFrequencyRange(Double minHz, Double maxHz) {
        return new NoteOptions(onsetThreshold, frameThreshold, minNoteLengthMs, inferOnsets, melodiaTrick,
                includePitchBends, minHz, maxHz, energyTolerance);
    }

    public NoteOptions withPitchBends(boolean include) {
        return new NoteOptions(onsetThreshold, frameThreshold, minNoteLengthMs, inferOnsets, melodiaTrick,
                include, minFrequencyHz, maxFrequencyHz, energyTolerance);
    }
}
