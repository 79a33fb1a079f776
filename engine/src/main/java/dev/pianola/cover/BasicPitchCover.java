package dev.pianola.cover;

import dev.pianola.arrange.ArrangeOptions;
import dev.pianola.arrange.ArrangePresets;
import dev.pianola.arrange.Arrangement;
import dev.pianola.arrange.Arranger;
import dev.pianola.audio.Audio;
import dev.pianola.audio.Resampler;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.basicpitch.BasicPitch;
import dev.pianola.models.basicpitch.BasicPitchConstants;
import dev.pianola.models.basicpitch.BasicPitchMidi;
import dev.pianola.models.basicpitch.NoteCreation;
import dev.pianola.models.basicpitch.NoteEvent;
import dev.pianola.models.basicpitch.NoteOptions;
import dev.pianola.runtime.Progress;
import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;

import java.util.List;
import java.util.Map;

/**
 * The basic-pitch cover, shared by {@code pianola cover} (a whole song) and the live
 * {@link dev.pianola.live.CoverSession} (one bar with its context): Basic Pitch hears the notes,
 * the arranger puts them on the beat grid in two hands.
 */
public final class BasicPitchCover {
    /** How the cover hears: basic-pitch's defaults, without pitch bends (a keyboard part has none). */
    public static final NoteOptions NOTE_OPTIONS = new NoteOptions(NoteOptions.DEFAULTS.onsetThreshold(), NoteOptions.DEFAULTS.frameThreshold(),
            NoteOptions.DEFAULTS.minNoteLengthMs(), true, true, false, null, null, NoteOptions.DEFAULTS.energyTolerance());

    private BasicPitchCover() {}

    /** Audio at any rate in, note events out (seconds from the audio's first sample). */
    public static List<NoteEvent> hear(BasicPitch model, Audio audio, NoteOptions options) {
        Audio at22k = Resampler.toRate(audio, BasicPitchConstants.SAMPLE_RATE, Progress.NONE);
        return NoteCreation.notes(model.predict(at22k, Progress.NONE), options);
    }

    /**
     * The arrangement of {@code events} on {@code grid} (seconds to beats) in {@code meters}, whose
     * bar lines get the downbeat accents. A grid that does not know where bar one is (a beat
     * tracker's) gets none: they would fall on arbitrary beats.
     */
    public static Arrangement arrange(List<NoteEvent> events, TempoMap grid, List<TimeSignature> meters, boolean knowsBarOne, ArrangeOptions options) {
        ArrangeOptions o = knowsBarOne ? options : ArrangePresets.withOverrides(options, Map.of("downbeatAccentVelocity", 0));
        NoteSequence raw = BasicPitchMidi.toNoteSequence(events, grid, false);
        return Arranger.arrange(new NoteSequence(raw.notes(), raw.tempo(), meters, raw.controls(), raw.bends()), o);
    }
}
