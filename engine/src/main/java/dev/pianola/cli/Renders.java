package dev.pianola.cli;

import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.NoteSequence;
import dev.pianola.render.MidiRenderer;
import dev.pianola.render.WavWriter;

import java.nio.file.Path;

/** The {@code --render} preview of a job's notes. */
final class Renders {
    /**
     * Every preview peaks here: as the SoundFont plays them, a cover peaked at -7.6 dBFS and a
     * continuation at -12, far quieter than the song they are heard next to; 1 dB of headroom
     * survives lossy encoding.
     */
    static final double PREVIEW_PEAK_DBFS = -1;

    private Renders() {}

    /** Writes the preview to {@code wav}, a file of an {@link dev.pianola.io.OutputSet} (so it is written with force on). */
    static void toWav(MidiRenderer renderer, NoteSequence notes, Path wav, CommonOptions common) {
        try (CliProgress progress = new CliProgress(common.quiet, System.err)) {
            renderer.renderToWav(MidiFiles.toSequence(notes, MidiFiles.WriteOptions.PIANO), wav,
                    MidiRenderer.Options.DEFAULT.withPeakDbfs(PREVIEW_PEAK_DBFS), WavWriter.Depth.ofBits(16), true, progress);
        }
    }
}
