package dev.pianola.cli;

import dev.pianola.models.basicpitch.NoteOptions;
import dev.pianola.runtime.OnnxSessions.Device;
import picocli.CommandLine.Option;

/** How Basic Pitch hears the audio; the defaults are basic-pitch's own. */
final class TranscriptionOptions {
    @Option(names = "--onset-threshold", paramLabel = "0..1", defaultValue = "0.5",
            description = "How sure the model must be that a note starts (default ${DEFAULT-VALUE}). Lower finds more notes.")
    double onsetThreshold;

    @Option(names = "--frame-threshold", paramLabel = "0..1", defaultValue = "0.3",
            description = "How sure it must be that a note still sounds (default ${DEFAULT-VALUE}). Lower makes longer notes.")
    double frameThreshold;

    @Option(names = "--min-note-ms", paramLabel = "MS", defaultValue = "127.7",
            description = "Shortest note kept, in milliseconds (default ${DEFAULT-VALUE}).")
    double minNoteMs;

    @Option(names = "--min-hz", paramLabel = "HZ", description = "Ignore notes below this frequency.")
    Double minHz;

    @Option(names = "--max-hz", paramLabel = "HZ", description = "Ignore notes above this frequency.")
    Double maxHz;

    @Option(names = "--no-melodia", negatable = false, description = "Turn off the melodia trick (which recovers notes with no clear onset).")
    boolean noMelodia;

    @Option(names = "--device", paramLabel = "cpu|cuda|auto", defaultValue = "cpu",
            description = "Where the model runs (default ${DEFAULT-VALUE}; auto uses the GPU when one works).")
    String device;

    NoteOptions noteOptions(boolean pitchBends) {
        return new NoteOptions(onsetThreshold, frameThreshold, minNoteMs, true, !noMelodia, pitchBends,
                minHz, maxHz, NoteOptions.DEFAULTS.energyTolerance());
    }

    Device device() {
        return parseDevice(device);
    }

    static Device parseDevice(String device) {
        return switch (device.toLowerCase(java.util.Locale.ROOT)) {
            case "cpu" -> Device.CPU;
            case "cuda", "gpu" -> Device.CUDA;
            case "auto" -> Device.AUTO;
            default -> throw new dev.pianola.BadInputException("--device " + device + ": expected cpu, cuda or auto");
        };
    }
}
