package dev.pianola.cli;

import dev.pianola.io.OutputSet;

import dev.pianola.models.ModelFamilies;
import dev.pianola.models.ModelFamily;

import dev.pianola.BadInputException;
import dev.pianola.UsageException;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.continuator.Continuator;
import dev.pianola.models.continuator.ContinuatorOptions;
import dev.pianola.render.MidiRenderer;
import dev.pianola.render.PianoRoll;
import dev.pianola.runtime.Seeds;
import dev.pianola.time.TimeSignature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "continue", sortOptions = false, mixinStandardHelpOptions = true,
        header = "Continue a played phrase in its own style: give a MIDI file, get it back with an answer.",
        description = {"The default engine (continuator) learns the phrase itself, note by note, with no model to download, and "
                + "develops it in its key, rhythm and touch. Each run answers anew; the seed it prints (--seed N) plays an answer again. "
                + "The output holds the phrase (track \"Phrase\", or its own track's name) and the answer (track \"Answer\"), so both open in a DAW."},
        footer = {"", "Examples:",
                "  pianola continue phrase.mid -o phrase.more.mid --bars 8",
                "  pianola continue phrase.mid --bars 4 --seed 7 --temperature 0.5 --continuation-only",
                "  pianola continue phrase.mid --bars 8 --temperature 1.5 --max-order 2   (freer, further from the phrase)"})
final class ContinueCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MIDI", description = "The phrase to continue.")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "MIDI", description = "Where to write (default: MIDI with .more.mid).")
    Path output;

    @Option(names = "--engine", paramLabel = "NAME", defaultValue = "continuator",
            completionCandidates = ContinueEngines.class,
            description = {"One of: ${COMPLETION-CANDIDATES}. continuator (the default) learns the phrase itself and needs",
                    "no model; remi (GPT-2 on REMI+BPE, e.g. Maestro-REMI-bpe20k) and perceiver (Perceiver AR, GiantMIDI) need --model."})
    String engine;

    @Option(names = "--model", paramLabel = "DIR", description = "The model package of a trained --engine (default: the installed one, see pianola models list; pianola models install NAME installs one).")
    Path model;

    static final int DEFAULT_BARS = 4;

    @Option(names = "--bars", paramLabel = "N", description = "How many bars to add (default 4).")
    Integer barsGiven;

    @Option(names = "--seconds", paramLabel = "S", description = "perceiver: how many seconds to add (instead of --bars).")
    Double seconds;

    @Option(names = "--temperature", paramLabel = "T",
            description = "1 plays what the phrase makes likely; lower is safer, higher is freer (default: 1, or the model's).")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "remi/perceiver: sample among the K likeliest tokens (default: the model's, else 50).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "remi/perceiver: sample within probability mass P (default: the model's).")
    Double topP;

    @Option(names = "--greedy", description = "remi/perceiver: always the likeliest token (no sampling).")
    boolean greedy;

    @Option(names = "--num-latents", paramLabel = "N", description = "perceiver: latent positions of the prompt (default: the model's, 1).")
    Integer numLatents;

    @Option(names = "--device", paramLabel = "cpu|cuda|auto", description = "remi/perceiver: where the model runs (default cpu).")
    String device;

    @Option(names = "--seed", paramLabel = "N",
            description = "Play a seed's answer again: the same seed, phrase and options give the same answer (default: a new seed each run, printed).")
    Long seedGiven;

    @Option(names = "--max-order", paramLabel = "N", 
            description = "Continuator: the longest run of notes it matches before backing off (default 4).")
    Integer maxOrderGiven;

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

    /** The sampling flags over the model's own defaults (null fields: keep the model's). */
    SamplingChoice sampling() {
        return new SamplingChoice(greedy, temperature, topK, topP);
    }

    /** --bars as seconds, in the meter and at the tempo where the phrase ends (for engines that count seconds). */
    private static double barsSeconds(NoteSequence prompt, int bars) {
        double end = prompt.endBeats();
        TimeSignature meter = TimeSignature.FOUR_FOUR;
        for (TimeSignature ts : prompt.timeSignatures()) if (ts.beats() <= end + 1e-9) meter = ts;
        return prompt.tempo().secondsAt(end + bars * meter.barBeats()) - prompt.tempo().secondsAt(end);
    }

    @Override
    public Integer call() {
        // null = not given: engines check that they were not given another engine's flags
        int bars = barsGiven == null ? DEFAULT_BARS : barsGiven;
        int maxOrder = maxOrderGiven == null ? ContinuatorOptions.DEFAULT.maxOrder() : maxOrderGiven;
        StepTimer steps = new StepTimer(common.verbose, System.err);
        Path out = output != null ? output : Outputs.besideInput(input, ".more.mid");
        if (bars < 1 || bars > 256) throw new BadInputException("--bars " + bars + ": expected 1 to 256");
        if (seconds != null && !(seconds > 0 && seconds <= 600)) throw new BadInputException("--seconds " + seconds + ": expected more than 0, at most 600");
        if (temperature != null && !(temperature >= 0 && temperature <= 10)) throw new BadInputException("--temperature " + temperature + ": expected 0 to 10");
        if (topK != null && topK < 1) throw new BadInputException("--top-k " + topK + ": expected 1 or more");
        if (topP != null && !(topP > 0 && topP <= 1)) throw new BadInputException("--top-p " + topP + ": expected more than 0, at most 1");
        String which = engine.toLowerCase(Locale.ROOT);
        ModelFamily family = ModelFamilies.named(which, ModelFamily.Job.CONTINUE, "--engine");
        // flags that belong to another engine are refused rather than silently ignored
        if (which.equals("continuator") && (model != null || topK != null || topP != null || greedy || numLatents != null || seconds != null || device != null)) {
            throw new UsageException("--model, --device, --top-k, --top-p, --greedy, --num-latents and --seconds are for --engine remi or perceiver");
        }
        if (which.equals("remi") && bars > 64) throw new BadInputException("--bars " + bars + ": the remi engine writes at most 64 bars at a time");
        if (which.equals("perceiver") && seconds != null && barsGiven != null) {
            throw new UsageException("--bars and --seconds both say how long: give one");
        }
        if (!which.equals("continuator") && (maxOrderGiven != null || transpose)) {
            throw new UsageException("--max-order and --transpose are for --engine continuator");
        }
        if (!which.equals("perceiver") && (numLatents != null || seconds != null)) {
            throw new UsageException("--num-latents and --seconds are for --engine perceiver");
        }
        if (family.needsPackage() && model == null) model = dev.pianola.models.ModelCatalog.installedPackage(family);
        // option values first: a wrong value is the message, not an output that exists
        Outputs.check(input, common.force, Outputs.midi(out), Outputs.audio(render), Outputs.picture(pianoRoll));
        MidiRenderer renderer = render == null ? null : MidiRenderer.open(soundFont);
        long seed = seedGiven != null ? seedGiven : Seeds.fresh();
        if (common.verbose) System.err.println("pianola: seed " + seed + (seedGiven == null ? " (--seed " + seed + " plays this answer again)" : ""));

        javax.sound.midi.Sequence file = MidiFiles.readSequence(input);
        NoteSequence phrase = MidiFiles.toNoteSequence(file, input);
        // a phrase played on one named track keeps its name
        MidiFiles.WriteOptions tracks = MidiFiles.trackName(file).map(name -> MidiFiles.WriteOptions.PHRASE_AND_ANSWER.withChannelName(0, name))
                .orElse(MidiFiles.WriteOptions.PHRASE_AND_ANSWER);
        List<Note> played = new ArrayList<>();
        for (Note n : phrase.notes()) if (n.channel() != MidiFiles.DRUM_CHANNEL) played.add(n.withChannel(0));
        if (played.isEmpty()) throw new BadInputException(input, "has no notes to continue (drums aside)");
        NoteSequence prompt = phrase.withNotes(played);
        String deviceUsed = "cpu";
        List<Note> answer;
        try (CliProgress progress = new CliProgress(common.quiet, System.err)) {
            switch (which) {
                case "remi" -> {
                    ModelEngines.Answer a = ModelEngines.remi(model, TranscriptionOptions.parseDevice(device == null ? "cpu" : device), prompt, bars, sampling(), seed, progress);
                    answer = a.notes();
                    deviceUsed = a.device();
                }
                case "perceiver" -> {
                    ModelEngines.Answer a = ModelEngines.perceiver(model, TranscriptionOptions.parseDevice(device == null ? "cpu" : device), input, prompt,
                            seconds != null ? seconds : barsSeconds(prompt, bars), numLatents, sampling(), seed, progress);
                    answer = a.notes();
                    deviceUsed = a.device();
                }
                default -> {
                    Continuator continuator = new Continuator(new ContinuatorOptions(maxOrder, transpose, temperature == null ? 1.0 : temperature, seed));
                    continuator.learn(prompt);
                    answer = continuator.continueFrom(prompt, bars, seed);
                }
            }
        }
        steps.done("continue (" + which + ")");

        List<Note> result = new ArrayList<>(continuationOnly ? List.of() : played);
        for (Note n : answer) result.add(n.withChannel(1));
        NoteSequence written = new NoteSequence(result, phrase.tempo(), phrase.timeSignatures(), List.of(), List.of());
        // the MIDI file, its preview and its picture appear together or not at all
        try (OutputSet outputs = new OutputSet(common.force)) {
            MidiFiles.write(written, outputs.stage(out), true, tracks);
            if (renderer != null) Renders.toWav(renderer, written, outputs.stage(render), common);
            if (pianoRoll != null) PianoRoll.write(written, input.getFileName().toString(), tracks.channelNames(), outputs.stage(pianoRoll), true);
            outputs.commit();
        }
        double total = steps.totalSeconds();
        if (common.json) {
            System.out.println(new Summary().put("command", "continue").put("input", input.toString()).put("output", out.toString())
                    .put("engine", which).put("model", model == null ? null : model.toString()).put("device", deviceUsed).put("notes", answer.size()).put("promptNotes", played.size())
                    .put("bars", seconds == null ? bars : null).put("seconds", seconds).put("seed", seed)
                    .put("audioSeconds", written.tempo().secondsAt(written.endBeats())).put("computeSeconds", total).toJson());
        } else if (!common.quiet) {
            System.err.printf("pianola: %d notes of phrase, %d notes of answer (%s, seed %d) -> %s (%.1f s)%n",
                    played.size(), answer.size(), which, seed, out, total);
        }
        return 0;
    }
}
