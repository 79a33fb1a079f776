package dev.pianola.cli;

import dev.pianola.io.OutputSet;

import dev.pianola.BadInputException;
import dev.pianola.audio.Audio;
import dev.pianola.audio.AudioFiles;
import dev.pianola.cover.BasicPitchCover;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.basicpitch.BasicPitchMidi;
import dev.pianola.render.PianoRoll;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "transcribe", sortOptions = false, mixinStandardHelpOptions = true,
        header = "Write down every note Basic Pitch hears in an audio file, as a MIDI file.",
        description = {"No arrangement, no quantization, with pitch bends (like basic-pitch's own output, at 120 BPM). "
                + "Audio: WAV (any bit depth and rate), AIFF, FLAC or MP3."},
        footer = {"", "Example:  pianola transcribe song.wav -o song.notes.mid --piano-roll song.notes.png"})
final class TranscribeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "AUDIO", description = "The audio file to transcribe.")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "MIDI", description = "Where to write the notes (default: AUDIO with .notes.mid).")
    Path output;

    @Option(names = "--piano-roll", paramLabel = "PNG", description = "Also draw the notes as a piano-roll picture.")
    Path pianoRoll;

    @Option(names = "--no-pitch-bends", description = "Leave out pitch bends (a plain keyboard part).")
    boolean noPitchBends;

    @Mixin
    TranscriptionOptions transcription;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        StepTimer steps = new StepTimer(common.verbose, System.err);
        Path out = output != null ? output : Outputs.besideInput(input, ".notes.mid");
        Outputs.check(input, common.force, Outputs.midi(out), Outputs.picture(pianoRoll));
        Audio audio = AudioFiles.read(input);
        if (audio.samples().length == 0) throw new BadInputException(input, "contains no audio samples");
        steps.done("read audio");
        BasicPitchCover.Heard r;
        try (CliProgress progress = new CliProgress(common.quiet, System.err)) {
            r = BasicPitchCover.hear(audio, transcription.noteOptions(!noPitchBends), transcription.device(), progress, steps::done);
        }
        NoteSequence notes = BasicPitchMidi.toNoteSequence(r.events(), false);
        try (OutputSet outputs = new OutputSet(common.force)) {
            MidiFiles.write(notes, outputs.stage(out), true);
            if (pianoRoll != null) PianoRoll.write(notes, input.getFileName().toString(), outputs.stage(pianoRoll), true);
            outputs.commit();
        }
        double seconds = steps.totalSeconds();
        if (common.json) {
            System.out.println(new Summary().put("command", "transcribe").put("input", input.toString()).put("output", out.toString())
                    .put("engine", "basic-pitch").put("model", r.model().toString()).put("device", r.device())
                    .put("notes", notes.notes().size()).put("audioSeconds", r.audio().seconds()).put("computeSeconds", seconds)
                    .put("pianoRoll", pianoRoll == null ? null : pianoRoll.toString()).toJson());
        } else if (!common.quiet) {
            System.err.printf("pianola: %d notes from %.1f s of audio -> %s (%.1f s)%n", notes.notes().size(), r.audio().seconds(), out, seconds);
        }
        return 0;
    }
}
