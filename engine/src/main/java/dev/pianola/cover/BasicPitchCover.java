package dev.pianola.cover;

import dev.pianola.arrange.ArrangeOptions;
import dev.pianola.arrange.ArrangePresets;
import dev.pianola.arrange.Arrangement;
import dev.pianola.arrange.Arranger;
import dev.pianola.arrange.Key;
import dev.pianola.audio.Audio;
import dev.pianola.audio.Resampler;
import dev.pianola.midi.KeySignature;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.basicpitch.BasicPitch;
import dev.pianola.models.basicpitch.BasicPitchConstants;
import dev.pianola.models.basicpitch.BasicPitchMidi;
import dev.pianola.models.basicpitch.NoteCreation;
import dev.pianola.models.basicpitch.NoteEvent;
import dev.pianola.models.basicpitch.NoteOptions;
import dev.pianola.runtime.ModelStore;
import dev.pianola.runtime.OnnxSessions.Device;
import dev.pianola.runtime.Progress;
import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The basic-pitch cover, shared by {@code pianola cover} and {@code compose --piano} (a whole song)
 * and the live {@link dev.pianola.live.CoverSession} (one bar with its context): Basic Pitch hears
 * the notes, the arranger puts them on the beat grid in two hands.
 */
public final class BasicPitchCover {
    /** How the cover hears: basic-pitch's defaults, without pitch bends (a keyboard part has none). */
    public static final NoteOptions NOTE_OPTIONS = new NoteOptions(NoteOptions.DEFAULTS.onsetThreshold(), NoteOptions.DEFAULTS.frameThreshold(),
            NoteOptions.DEFAULTS.minNoteLengthMs(), true, true, false, null, null, NoteOptions.DEFAULTS.energyTolerance());

    private BasicPitchCover() {}

    /**
     * What Basic Pitch heard: {@code audio} as given, {@code audio22k} as the model heard it (the beat
     * tracker's rate too), the note events (seconds), and which model on which device.
     */
    public record Heard(Audio audio, Audio audio22k, List<NoteEvent> events, Path model, String device) {}

    /** A whole song's cover: what was heard, the grid it is written on, and the arrangement. */
    public record Song(Heard heard, BeatGrid grid, Arrangement arrangement) {
        public NoteSequence notes() {
            return arrangement.notes();
        }

        /** A piano MIDI file that names the key the arranger found (when it found one). */
        public MidiFiles.WriteOptions midiOptions() {
            Key key = arrangement.report().key();
            MidiFiles.WriteOptions written = MidiFiles.WriteOptions.PIANO;
            return key == null ? written : written.withKey(KeySignature.of(key.tonicPitchClass(), key.mode() == Key.Mode.MINOR));
        }
    }

    /**
     * Basic Pitch (the embedded model, on {@code device}) hears {@code audio}; {@code stepDone} is
     * told each step's name as it finishes (for --verbose timings).
     */
    public static Heard hear(Audio audio, NoteOptions options, Device device, Progress progress, Consumer<String> stepDone) {
        Audio model22k = Resampler.toRate(audio, BasicPitchConstants.SAMPLE_RATE, progress);
        stepDone.accept("resample to 22050 Hz");
        try (BasicPitch model = BasicPitch.load(ModelStore.locate().basicPitch(), device)) {
            stepDone.accept("load model");
            return hear22k(model, audio, model22k, options, progress, stepDone);
        }
    }

    private static Heard hear22k(BasicPitch model, Audio audio, Audio model22k, NoteOptions options, Progress progress, Consumer<String> stepDone) {
        var posteriorgrams = model.predict(model22k, progress);
        stepDone.accept("run model");
        List<NoteEvent> events = NoteCreation.notes(posteriorgrams, options);
        stepDone.accept("find notes");
        return new Heard(audio, model22k, events, model.file(), model.device().name().toLowerCase(Locale.ROOT));
    }

    /**
     * A whole song covered with the embedded Basic Pitch on {@code device}: heard, its beat grid
     * found by {@code gridOf} (given the audio at Basic Pitch's rate), arranged with {@code options}.
     */
    public static Song cover(Audio audio, Function<Audio, BeatGrid> gridOf, NoteOptions noteOptions, ArrangeOptions options,
                             Device device, Progress progress, Consumer<String> stepDone) {
        Heard heard = hear(audio, noteOptions, device, progress, stepDone);
        return arranged(heard, gridOf, options, stepDone);
    }

    /** The same with a model already loaded (the plug-in keeps one for its session). */
    public static Song cover(BasicPitch model, Audio audio, Function<Audio, BeatGrid> gridOf, NoteOptions noteOptions, ArrangeOptions options,
                             Progress progress, Consumer<String> stepDone) {
        Audio model22k = Resampler.toRate(audio, BasicPitchConstants.SAMPLE_RATE, progress);
        stepDone.accept("resample to 22050 Hz");
        return arranged(hear22k(model, audio, model22k, noteOptions, progress, stepDone), gridOf, options, stepDone);
    }

    private static Song arranged(Heard heard, Function<Audio, BeatGrid> gridOf, ArrangeOptions options, Consumer<String> stepDone) {
        BeatGrid grid = gridOf.apply(heard.audio22k());
        stepDone.accept("beat grid (" + grid.source() + ")");
        Arrangement arranged = arrange(heard.events(), grid.tempo(), grid.meters(), grid.knowsBarOne(), options);
        stepDone.accept("arrange");
        return new Song(heard, grid, arranged);
    }

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
