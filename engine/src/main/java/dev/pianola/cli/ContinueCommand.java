package dev.pianola.cli;

import dev.pianola.BadInputException;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.continuator.Continuator;
import dev.pianola.models.continuator.ContinuatorOptions;
import dev.pianola.render.MidiRenderer;
import dev.pianola.render.PianoRoll;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "continue", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Continue a played phrase in its own style: give a MIDI file, get it back with an answer.",
                "The default engine (continuator) learns the phrase itself, note by note, with no model",
                "to download, and answers in its key, rhythm and touch. The same seed gives the same answer.",
                "The output holds the phrase (track 1) and the continuation (track 2), so both open in a DAW."},
        footer = {"", "Examples:",
                "  pianola continue phrase.mid -o phrase.more.mid --bars 8",
                "  pianola continue phrase.mid --bars 4 --seed 7 --temperature 0.5 --continuation-only"})
final class ContinueCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MIDI", description = "The phrase to continue.")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "MIDI", description = "Where to write (default: MIDI with .more.mid).")
    Path output;

    @Option(names = "--engine", paramLabel = "NAME", defaultValue = "continuator",
            description = "continuator (default, learns the phrase itself).")
    String engine;

    @Option(names = "--bars", paramLabel = "N", defaultValue = "4", description = "How many bars to add (default ${DEFAULT-VALUE}).")
    int bars;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "1 plays what the phrase makes likely; lower is safer, higher is freer (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "The same seed gives the same answer (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-order", paramLabel = "N", defaultValue = "4",
            description = "Continuator: the longest run of notes it matches before backing off (default ${DEFAULT-VALUE}).")
    int maxOrder;

    @Option(names = "--transpose", description = "Continuator: also learn the phrase in all twelve keys (more variety).")
    boolean transpose;

    @Option(names = "--continuation-only", description = "Write only the new notes, without the phrase.")
    boolean continuationOnly;

    @Option(names = "--render", paramLabel = "WAV", description = "Also render the result to audio.")
    Path render;

    @Option(names = "--piano-roll", paramLabel = "PNG", description = "Also draw the result as a piano-roll picture.")
    Path pianoRoll;

    @Option(names = "--soundfont", paramLabel = "SF2", description = "SoundFont for --render (default: $PIANOLA_SOUNDFONT, else Fluid R3 GM).")
    Path soundFont;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        StepTimer steps = new StepTimer(common.verbose, System.err);
        Path out = output != null ? output : Outputs.besideInput(input, ".more.mid");
        Outputs.check(input, common.force, out, render, pianoRoll);
        if (bars < 1 || bars > 256) throw new BadInputException("--bars " + bars + ": expected 1 to 256");
        if (!engine.toLowerCase(Locale.ROOT).equals("continuator")) {
            throw new BadInputException("--engine " + engine + ": expected continuator");
        }
        ContinuatorOptions options = new ContinuatorOptions(maxOrder, transpose, temperature, seed);
        MidiRenderer renderer = render == null ? null : MidiRenderer.open(soundFont);

        NoteSequence phrase = MidiFiles.read(input);
        List<Note> played = new ArrayList<>();
        for (Note n : phrase.notes()) if (n.channel() != MidiFiles.DRUM_CHANNEL) played.add(n.withChannel(0));
        if (played.isEmpty()) throw new BadInputException(input, "has no notes to continue (drums aside)");
        NoteSequence prompt = phrase.withNotes(played);
        Continuator continuator = new Continuator(options);
        continuator.learn(prompt);
        List<Note> answer = continuator.continueFrom(prompt, bars, seed);
        steps.done("continue");

        List<Note> result = new ArrayList<>(continuationOnly ? List.of() : played);
        for (Note n : answer) result.add(n.withChannel(1));
        NoteSequence written = new NoteSequence(result, phrase.tempo(), phrase.timeSignatures(), List.of(), List.of());
        MidiFiles.write(written, out, common.force);
        if (renderer != null) Renders.toWav(renderer, written, render, common);
        if (pianoRoll != null) {
            PianoRoll.write(written, input.getFileName().toString(), Map.of(0, "phrase", 1, "continuation"), pianoRoll, common.force);
        }
        double seconds = steps.totalSeconds();
        if (common.json) {
            System.out.println(new Summary().put("command", "continue").put("input", input.toString()).put("output", out.toString())
                    .put("engine", "continuator").put("device", "cpu").put("notes", answer.size()).put("promptNotes", played.size())
                    .put("bars", bars).put("seed", seed).put("computeSeconds", seconds).toJson());
        } else if (!common.quiet) {
            System.err.printf("pianola: %d notes of phrase, %d notes of answer over %d bars -> %s (%.1f s)%n",
                    played.size(), answer.size(), bars, out, seconds);
        }
        return 0;
    }
}
