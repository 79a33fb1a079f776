package dev.pianola.cli;

import dev.pianola.models.ModelFamilies;

import dev.pianola.io.OutputSet;

import dev.pianola.BadInputException;
import dev.pianola.PianolaException;
import dev.pianola.UsageException;
import dev.pianola.arrange.Arrangement;
import dev.pianola.audio.Audio;
import dev.pianola.audio.AudioFiles;
import dev.pianola.audio.AudioLevels;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.NoteSequence;
import dev.pianola.cover.BasicPitchCover;
import dev.pianola.cover.BeatGrid;
import dev.pianola.models.pop2piano.Pop2PianoCover;
import dev.pianola.models.pop2piano.Pop2PianoModel;
import dev.pianola.render.MidiRenderer;
import dev.pianola.render.PianoRoll;
import dev.pianola.time.TempoMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "cover", sortOptions = false, mixinStandardHelpOptions = true,
        header = "Turn a song into a piano arrangement you can play, on the song's beat grid.",
        description = {"Writes a standard MIDI file whose tempo map follows the song, so it lines up under the original in a DAW. Two engines:",
                "basic-pitch (default, built in): Basic Pitch hears the notes; the arranger keeps them on the keyboard, "
                        + "in two hands (two tracks), within reach.",
                "pop2piano (--model DIR): Pop2Piano writes the cover itself, four beats at a time, in one of its 21 "
                        + "arranger styles (--composer); one piano track.",
                "Audio: WAV (any bit depth and rate), AIFF, FLAC or MP3. Several songs at once: give --out-dir."},
        footer = {"", "Examples:",
                "  pianola cover song.wav -o song.piano.mid --render song.piano.wav",
                "  pianola cover song.flac --bpm 96 --preset simple   # known tempo, easy",
                "  pianola cover song.mp3 --beats beats.txt --key Am --snap-to-key",
                "  pianola cover song.wav --engine pop2piano --model DIR --composer composer7",
                "  pianola cover a.wav b.wav --engine pop2piano --model DIR --out-dir covers/"})
final class CoverCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "AUDIO", description = "The song(s) to cover.")
    List<Path> inputs;

    @Option(names = {"-o", "--output"}, paramLabel = "MIDI", description = "Where to write the cover of a single song (default: AUDIO with .piano.mid).")
    Path output;

    @Option(names = "--out-dir", paramLabel = "DIR", description = "Write each cover into DIR as NAME.piano.mid (made if missing).")
    Path outDir;

    @Option(names = "--engine", paramLabel = "NAME", defaultValue = "basic-pitch",
            description = "basic-pitch (default, built in) or pop2piano (its installed package: pianola models install pop2piano; or --model).")
    String engine;

    @Option(names = "--model", paramLabel = "DIR", description = "pop2piano: the model package (default: the installed one; pianola models install pop2piano installs it).")
    Path model;

    @Option(names = "--composer", paramLabel = "NAME",
            description = "pop2piano: the arranger style, composer1 to composer21 (default composer1). Try a few: they differ in density and register.")
    String composer;

    @Option(names = "--render", paramLabel = "WAV", description = "Also render the cover to audio with a piano SoundFont (one song; for several, --previews).")
    Path render;

    @Option(names = "--piano-roll", paramLabel = "PNG", description = "Also draw the cover as a piano-roll picture, PNG or JPEG (one song; for several, --previews).")
    Path pianoRoll;

    @Option(names = "--previews", description = "Also write each cover's rendered audio and piano roll beside it: NAME.piano.wav and NAME.piano.png.")
    boolean previews;

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

    @Spec
    CommandSpec spec;

    /** Flags that only the basic-pitch engine reads (refused with pop2piano rather than ignored). */
    private static final List<String> BASIC_PITCH_FLAGS = List.of("--preset", "--max-polyphony", "--hand-span", "--grid",
            "--quantize-strength", "--snap-to-key", "--key", "--velocity", "--onset-threshold", "--frame-threshold",
            "--min-note-ms", "--min-hz", "--max-hz", "--no-melodia");
    static final String DEFAULT_COMPOSER = "composer1";

    @Override
    public Integer call() {
        String which = engine.toLowerCase(Locale.ROOT);
        if (!which.equals("basic-pitch") && !which.equals("pop2piano")) {
            throw new BadInputException("--engine " + engine + ": expected basic-pitch or pop2piano");
        }
        boolean pop2piano = which.equals("pop2piano");
        if (pop2piano && model == null) model = dev.pianola.models.ModelCatalog.installedPackage(ModelFamilies.POP2PIANO);
        if (!pop2piano && (model != null || composer != null)) throw new UsageException("--model and --composer are for --engine pop2piano");
        if (pop2piano) {
            for (String flag : BASIC_PITCH_FLAGS) {
                if (spec.commandLine().getParseResult().hasMatchedOption(flag)) {
                    throw new UsageException(flag + " is for --engine basic-pitch (Pop2Piano writes its own arrangement)");
                }
            }
        }
        boolean many = inputs.size() > 1;
        if (many && output != null) throw new UsageException("-o names one file; with " + inputs.size() + " songs use --out-dir DIR");
        if (many && (render != null || pianoRoll != null)) throw new UsageException("--render and --piano-roll name one song's files; with several songs use --previews");
        if (previews && (render != null || pianoRoll != null)) throw new UsageException("--previews names the previews itself: give it or --render/--piano-roll, not both");
        // option values are checked before any file: a wrong value is the message, not an output that exists
        if (!pop2piano) arrangement.options();
        transcription.device();
        if (many && beats.source != null && beats.source.beatsFile != null) throw new UsageException("--beats gives one song's beats; cover the songs one at a time");
        if (output != null && outDir != null) throw new UsageException("give -o or --out-dir, not both");

        // every output decided and checked before the first song is touched
        List<SongFiles> songs = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (Path in : inputs) {
            Path out = output != null ? output
                    : outDir != null ? outDir.resolve(Outputs.besideInput(in, ".piano.mid").getFileName()) : Outputs.besideInput(in, ".piano.mid");
            SongFiles song = previews ? new SongFiles(in, out, Outputs.besideInput(out, ".wav"), Outputs.besideInput(out, ".png")) : new SongFiles(in, out, render, pianoRoll);
            Outputs.check(in, common.force, Outputs.midi(song.midi()), Outputs.audio(song.render()), Outputs.picture(song.pianoRoll()));
            for (Path p : new Path[] {song.midi(), song.render(), song.pianoRoll()}) {
                if (p != null && !seen.add(p.toAbsolutePath().normalize())) {
                    throw new UsageException(p + ": two songs would be written to the same file (same name in different folders?)");
                }
            }
            songs.add(song);
        }
        if (outDir != null) {
            try {
                Files.createDirectories(outDir);
            } catch (IOException e) {
                throw new BadInputException(outDir, "cannot create the output folder (" + e.getMessage() + ")");
            }
        }
        MidiRenderer renderer = render == null && !previews ? null : MidiRenderer.open(soundFont);

        Pop2PianoModel p2p = null;
        try {
            if (pop2piano) {
                p2p = Pop2PianoModel.open(model, transcription.device());
                p2p.composerIndex(composer == null ? DEFAULT_COMPOSER : composer); // an unknown style is refused before any work
            }
            int failed = 0, firstCode = 0;
            for (int i = 0; i < inputs.size(); i++) {
                try {
                    if (pop2piano) coverPop2Piano(p2p, songs.get(i), renderer);
                    else coverBasicPitch(songs.get(i), renderer);
                } catch (PianolaException e) {
                    if (!many) throw e;
                    // one bad file does not cost the others; --json says so on the song's own line
                    System.err.println("pianola: " + e.getMessage());
                    if (common.json) System.out.println(Summary.error("cover", inputs.get(i), e).toJson());
                    failed++;
                    if (firstCode == 0) firstCode = e.exitCode();
                }
            }
            if (failed > 0) {
                System.err.printf("pianola: covered %d of %d songs; %d failed (messages above)%n", inputs.size() - failed, inputs.size(), failed);
                return firstCode;
            }
            return 0;
        } finally {
            if (p2p != null) p2p.close();
        }
    }

    /** One song's files: the audio in, the MIDI out, and its previews (null: not asked for). */
    private record SongFiles(Path input, Path midi, Path render, Path pianoRoll) {}

    private void coverBasicPitch(SongFiles files, MidiRenderer renderer) {
        Path input = files.input(), out = files.midi(), render = files.render(), pianoRoll = files.pianoRoll();
        StepTimer steps = new StepTimer(common.verbose, System.err);
        Audio audio = readSound(input);
        steps.done("read audio");
        BasicPitchCover.Song song;
        try (CliProgress progress = new CliProgress(common.quiet, System.err)) {
            song = BasicPitchCover.cover(audio, beats::grid, transcription.noteOptions(false), arrangement.options(), transcription.device(), progress, steps::done);
        }
        BasicPitchCover.Heard heard = song.heard();
        BeatGrid grid = song.grid();
        Arrangement arranged = song.arrangement();
        NoteSequence piano = song.notes();
        MidiFiles.WriteOptions written = song.midiOptions();
        try (OutputSet outputs = new OutputSet(common.force)) {
            MidiFiles.write(piano, outputs.stage(out), true, written);
            if (render != null) {
                Renders.toWav(renderer, piano, outputs.stage(render), common);
                steps.done("render preview");
            }
            if (pianoRoll != null) PianoRoll.write(piano, input.getFileName().toString(), outputs.stage(pianoRoll), true);
            outputs.commit();
        }
        double seconds = steps.totalSeconds();

        if (common.json) {
            System.out.println(new Summary().put("command", "cover").put("input", input.toString()).put("output", out.toString())
                    .put("engine", "basic-pitch+arrange").put("model", heard.model().toString())
                    .put("device", heard.device()).put("notes", piano.notes().size())
                    .put("notesHeard", arranged.report().notesIn()).put("bpm", TempoMap.bpmRounded(piano.mainBpm())).put("beats", grid.source())
                    .put("key", arranged.report().key() == null ? null : arranged.report().key().name())
                    .put("audioSeconds", heard.audio().seconds()).put("computeSeconds", seconds)
                    .put("render", render == null ? null : render.toString())
                    .put("pianoRoll", pianoRoll == null ? null : pianoRoll.toString()).toJson());
        } else if (!common.quiet) {
            System.err.printf("pianola: %.1f s of audio, %s beat grid at %s BPM: %d notes heard, %d arranged -> %s (%.1f s)%n",
                    heard.audio().seconds(), grid.source(), TempoMap.bpmText(piano.mainBpm()), arranged.report().notesIn(), piano.notes().size(), out, seconds);
            if (common.verbose) System.err.print(arranged.report().summary());
        }
    }

    /**
     * The song's audio, refused when it is silent or nearly (a model would hear loud notes in the
     * dither), with a warning when it clips.
     */
    private Audio readSound(Path input) {
        Audio audio = AudioFiles.read(input);
        if (audio.samples().length == 0) throw new BadInputException(input, "contains no audio samples");
        AudioLevels levels = AudioLevels.of(audio);
        if (levels.silent()) {
            String peak = levels.peak() == 0 ? "every sample is zero" : String.format(Locale.ROOT, "peak %.0f dBFS, below %.0f dBFS", levels.peakDbfs(), AudioLevels.SILENCE_PEAK_DBFS);
            throw new BadInputException(input, "is silent (" + peak + "): there is nothing to cover");
        }
        if (!common.quiet && levels.clippedFraction() > 0.001) {
            System.err.printf("pianola: warning: %s clips (%.1f%% of its samples at full scale); distortion can add notes that are not in the song%n",
                    input, 100 * levels.clippedFraction());
        }
        return audio;
    }

    private void coverPop2Piano(Pop2PianoModel p2p, SongFiles files, MidiRenderer renderer) {
        Path input = files.input(), out = files.midi(), render = files.render(), pianoRoll = files.pianoRoll();
        StepTimer steps = new StepTimer(common.verbose, System.err);
        String style = composer == null ? DEFAULT_COMPOSER : composer;
        Audio audio = readSound(input);
        if (!common.quiet && audio.sampleRate() < 16000) {
            System.err.printf("pianola: warning: %s is %d Hz audio: nothing above %.1f kHz is in it, and Pop2Piano was trained on full-band songs; the cover may be thin%n",
                    input, audio.sampleRate(), audio.sampleRate() / 2000.0);
        }
        steps.done("read audio");
        Pop2PianoCover.Result result;
        BeatGrid grid;
        try (CliProgress progress = new CliProgress(common.quiet, System.err)) {
            grid = beats.grid(audio);
            if (grid.beatCount() == 0) {
                throw new BadInputException(input, "no steady beat found to cut the song into bars; give the tempo (--bpm) or the beat times (--beats)");
            }
            steps.done("beat grid (" + grid.source() + ")");
            try {
                result = Pop2PianoCover.cover(p2p, audio, grid.beatSeconds(), style, Pop2PianoModel.DEFAULT_BATCH_ROWS, () -> false, progress);
            } catch (BadInputException e) {
                // the extractor's messages (too short, beats out of order) do not know the file's name
                throw e.getMessage().startsWith(input.toString()) ? e : new BadInputException(input, e.getMessage(), e);
            }
            steps.done("pop2piano (" + result.features().segments() + " segments)");
        }
        NoteSequence piano = result.notes();
        try (OutputSet outputs = new OutputSet(common.force)) {
            MidiFiles.write(piano, outputs.stage(out), true);
            if (render != null) Renders.toWav(renderer, piano, outputs.stage(render), common);
            if (pianoRoll != null) PianoRoll.write(piano, input.getFileName().toString(), outputs.stage(pianoRoll), true);
            outputs.commit();
        }
        double seconds = steps.totalSeconds();
        if (common.json) {
            System.out.println(new Summary().put("command", "cover").put("input", input.toString()).put("output", out.toString())
                    .put("engine", "pop2piano").put("model", model.toString()).put("composer", style)
                    .put("device", p2p.modelPackage().device().name().toLowerCase(Locale.ROOT)).put("notes", piano.notes().size())
                    .put("segments", result.features().segments()).put("tokens", result.generatedTokens())
                    .put("bpm", TempoMap.bpmRounded(piano.mainBpm())).put("beats", grid.source()).put("audioSeconds", audio.seconds())
                    .put("featuresSeconds", result.featuresSeconds()).put("modelSeconds", result.modelSeconds())
                    .put("computeSeconds", seconds)
                    .put("render", render == null ? null : render.toString())
                    .put("pianoRoll", pianoRoll == null ? null : pianoRoll.toString()).toJson());
        } else if (!common.quiet) {
            System.err.printf("pianola: %.1f s of audio, %s beat grid at %s BPM, %d two-bar segments: %d notes (%s) -> %s (%.1f s)%n",
                    audio.seconds(), grid.source(), TempoMap.bpmText(piano.mainBpm()), result.features().segments(), piano.notes().size(), style, out, seconds);
        }
    }
}
