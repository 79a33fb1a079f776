package dev.pianola.cli;

import dev.pianola.arrange.ArrangeOptions;
import dev.pianola.arrange.ArrangePresets;
import dev.pianola.arrange.Arrangement;
import dev.pianola.arrange.Arranger;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.basicpitch.BasicPitchMidi;
import dev.pianola.render.MidiRenderer;
import dev.pianola.render.PianoRoll;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "cover", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Turn a song into a piano arrangement a pianist could play: Basic Pitch hears the notes,",
                "the arranger keeps them on the keyboard, in two hands, within a hand's reach, on the song's",
                "beat grid. Writes a standard MIDI file (right hand and left hand as two tracks) whose tempo",
                "map follows the song, so it lines up under the original in a DAW.",
                "Audio: WAV (any bit depth and rate), AIFF, FLAC or MP3."},
        footer = {"", "Examples:",
                "  pianola cover song.wav -o song.piano.mid --render song.piano.wav --piano-roll song.piano.png",
                "  pianola cover song.flac --bpm 96 --preset simple          # known tempo, beginner arrangement",
                "  pianola cover song.mp3 --beats beats.txt --key Am --snap-to-key"})
final class CoverCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "AUDIO", description = "The song to cover.")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "MIDI", description = "Where to write the arrangement (default: AUDIO with .piano.mid).")
    Path output;

    @Option(names = "--render", paramLabel = "WAV", description = "Also render the arrangement to audio with a piano SoundFont.")
    Path render;

    @Option(names = "--piano-roll", paramLabel = "PNG", description = "Also draw the arrangement as a piano-roll picture.")
    Path pianoRoll;

    @Option(names = "--soundfont", paramLabel = "SF2", description = "SoundFont for --render (default: $PIANOLA_SOUNDFONT, else Fluid R3 GM).")
    Path soundFont;

    @Mixin
    BeatOptions beats;

    @Mixin
    ArrangementOptions arrangement;

    @Mixin
    TranscriptionOptions transcription;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        StepTimer steps = new StepTimer(common.verbose, System.err);
        Path out = output != null ? output : Outputs.besideInput(input, ".piano.mid");
        // refuse everything that can be refused before the long part
        Outputs.check(input, common.force, out, render, pianoRoll);
        ArrangeOptions options = arrangement.options();
        MidiRenderer renderer = render == null ? null : MidiRenderer.open(soundFont);

        Transcriber.Result heard;
        BeatOptions.Grid grid;
        try (CliProgress progress = new CliProgress(common.quiet, System.err)) {
            heard = Transcriber.transcribe(input, transcription.noteOptions(false), transcription.device(), progress, steps);
            grid = beats.grid(heard.audio22k());
            steps.done("beat grid (" + grid.source() + ")");
        }
        if (!grid.knowsBarOne()) {
            // a tracked grid has beats but no downbeats: accents would fall on arbitrary beats
            options = ArrangePresets.withOverrides(options, Map.of("downbeatAccentVelocity", 0));
        }
        NoteSequence raw = BasicPitchMidi.toNoteSequence(heard.events(), grid.tempo(), false);
        Arrangement arranged = Arranger.arrange(raw, options);
        NoteSequence piano = arranged.notes();
        steps.done("arrange");
        MidiFiles.write(piano, out, common.force);
        if (renderer != null) {
            Renders.toWav(renderer, piano, render, common);
            steps.done("render preview");
        }
        if (pianoRoll != null) PianoRoll.write(piano, input.getFileName().toString(), pianoRoll, common.force);
        double seconds = steps.totalSeconds();

        if (common.json) {
            System.out.println(new Summary().put("command", "cover").put("input", input.toString()).put("output", out.toString())
                    .put("engine", "basic-pitch+arrange").put("model", heard.model().toString())
                    .put("device", heard.device()).put("notes", piano.notes().size())
                    .put("notesHeard", raw.notes().size()).put("bpm", grid.bpm()).put("beats", grid.source())
                    .put("key", arranged.report().key() == null ? null : arranged.report().key().name())
                    .put("audioSeconds", heard.audio().seconds()).put("computeSeconds", seconds)
                    .put("render", render == null ? null : render.toString())
                    .put("pianoRoll", pianoRoll == null ? null : pianoRoll.toString()).toJson());
        } else if (!common.quiet) {
            System.err.printf("pianola: %.1f s of audio, %s beat grid at %.1f BPM: %d notes heard, %d arranged -> %s (%.1f s)%n",
                    heard.audio().seconds(), grid.source(), grid.bpm(), raw.notes().size(), piano.notes().size(), out, seconds);
            if (common.verbose) System.err.print(arranged.report().summary());
        }
        return 0;
    }
}
