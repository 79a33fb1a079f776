package dev.pianola.cli;

import dev.pianola.BadInputException;
import dev.pianola.audio.Audio;
import dev.pianola.audio.AudioFiles;
import dev.pianola.audio.Resampler;
import dev.pianola.models.basicpitch.BasicPitch;
import dev.pianola.models.basicpitch.BasicPitchConstants;
import dev.pianola.models.basicpitch.NoteCreation;
import dev.pianola.models.basicpitch.NoteEvent;
import dev.pianola.models.basicpitch.NoteOptions;
import dev.pianola.models.basicpitch.Posteriorgrams;
import dev.pianola.runtime.ModelStore;
import dev.pianola.runtime.OnnxSessions.Device;

import java.nio.file.Path;
import java.util.List;

/** Audio file in, Basic Pitch note events out: the first half of both cover and transcribe. */
final class Transcriber {
    /** {@code audio} as read; {@code audio22k} as the model heard it (the beat tracker's rate too). */
    record Result(Audio audio, Audio audio22k, List<NoteEvent> events, Path model, String device) {}

    private Transcriber() {}

    static Result transcribe(Path input, NoteOptions options, Device device, CliProgress progress, StepTimer steps) {
        Audio audio = AudioFiles.read(input);
        if (audio.samples().length == 0) throw new BadInputException(input, "contains no audio samples");
        steps.done("read audio");
        return transcribe(audio, options, device, progress, steps);
    }

    /** The same for audio already read (and checked) from its file. */
    static Result transcribe(Audio audio, NoteOptions options, Device device, CliProgress progress, StepTimer steps) {
        Audio model22k = Resampler.toRate(audio, BasicPitchConstants.SAMPLE_RATE, progress);
        steps.done("resample to 22050 Hz");
        Path modelFile = ModelStore.locate().basicPitch();
        try (BasicPitch model = BasicPitch.load(modelFile, device)) {
            steps.done("load model");
            Posteriorgrams posteriorgrams = model.predict(model22k, progress);
            steps.done("run model");
            List<NoteEvent> events = NoteCreation.notes(posteriorgrams, options);
            steps.done("find notes");
            return new Result(audio, model22k, events, modelFile, model.device().name().toLowerCase(java.util.Locale.ROOT));
        }
    }
}
