package dev.pianola.cli;

import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.NoteSequence;
import dev.pianola.render.MidiRenderer;
import dev.pianola.render.WavWriter;

import java.nio.file.Path;

/** The {@code --render} preview of a job's notes. */
final class Renders {
    private Renders() {}

    static void toWav(MidiRenderer renderer, NoteSequence notes, Path wav, CommonOptions common) {
        try (CliProgress progress = new CliProgress(common.quiet, System.err)) {
            renderer.renderToWav(MidiFiles.toSequence(notes, MidiFiles.WriteOptions.PIANO), wav,
                    MidiRenderer.Options.DEFAULT, WavWriter.Depth.ofBits(16), common.force, progress);
        }
    }
}
