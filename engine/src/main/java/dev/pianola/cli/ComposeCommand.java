package dev.pianola.cli;

import dev.pianola.BadInputException;
import dev.pianola.UsageException;
import dev.pianola.audio.Audio;
import dev.pianola.audio.AudioFiles;
import dev.pianola.audio.Resampler;
import dev.pianola.cover.BasicPitchCover;
import dev.pianola.cover.BeatGrid;
import dev.pianola.io.OutputSet;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.ModelCatalog;
import dev.pianola.models.ModelFamilies;
import dev.pianola.models.musicgen.MusicgenModel;
import dev.pianola.models.pop2piano.Pop2PianoConstants;
import dev.pianola.models.pop2piano.Pop2PianoCover;
import dev.pianola.models.pop2piano.Pop2PianoModel;
import dev.pianola.render.MidiRenderer;
import dev.pianola.render.PianoRoll;
import dev.pianola.render.RenderedAudio;
import dev.pianola.render.WavWriter;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.runtime.SamplingConfig;
import dev.pianola.runtime.Seeds;
import dev.pianola.time.TempoMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "compose", sortOptions = false, mixinStandardHelpOptions = true,
        header = "Make music from a text prompt with MusicGen; --piano also turns it into a piano part.",
        description = {"MusicGen writes audio (32 kHz WAV; stereo with a musicgen-stereo-* package) from a description of the music: genre, instruments, mood, tempo. "
                + "Each run composes anew; the seed it prints (--seed N) makes the same piece again. "
                + "--piano covers what it made for piano on the music's own beat grid (Pop2Piano when installed, else Basic Pitch and the "
                + "arranger), so the MIDI file lines up under the audio in a DAW. --audio-prompt continues a recording instead of starting from nothing.",
                "MusicGen is a download: pianola models install musicgen-small (musicgen-stereo-small for stereo; or give a package with --model)."},
        footer = {"", "Examples:",
                "  pianola compose \"warm lo-fi piano with soft pads\" -o idea.wav --seconds 12",
                "  pianola compose \"upbeat funk groove, 110 bpm\" -o groove.wav --piano groove.piano.mid --piano-roll groove.png",
                "  pianola compose \"continue this\" --audio-prompt riff.wav -o more.wav --seconds 15",
                "  pianola compose \"wide ambient pads\" --model ~/models/musicgen-stereo-small -o pads.wav   (a stereo package: stereo WAV)",
                "  pianola compose \"slow jazz ballad\" --seed 7 --guidance 5 --temperature 0.8   (closer to the words, safer)"})
final class ComposeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PROMPT", description = "What the music should be, in words (quote it).")
    String prompt;

    @Option(names = {"-o", "--output"}, paramLabel = "WAV", description = "Where to write the audio (default: the prompt's first words, .wav).")
    Path output;

    static final double DEFAULT_SECONDS = 10;

    @Option(names = "--seconds", paramLabel = "S", description = "How much music to make, in seconds (default 10; musicgen-* make up to about 40).")
    Double seconds;

    @Option(names = "--model", paramLabel = "DIR", description = "A MusicGen model package (default: the installed one; pianola models install musicgen-small).")
    Path model;

    @Option(names = "--audio-prompt", paramLabel = "AUDIO", description = "Continue this recording (WAV, AIFF, FLAC or MP3; its start, up to what the model's window leaves).")
    Path audioPrompt;

    @Option(names = "--continuation-only", description = "With --audio-prompt: write only the new music, without the recording it continues.")
    boolean continuationOnly;

    @Option(names = "--guidance", paramLabel = "G",
            description = "How closely the music follows the words: 1 = off, higher is closer but less varied (default: the model's, 3).")
    Double guidance;

    @Option(names = "--temperature", paramLabel = "T", description = "1 = as trained; lower is safer and more repetitive, higher is wilder (default 1).")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample among the K likeliest codes at each step (default: the model's, 250).")
    Integer topK;

    @Option(names = "--greedy", description = "Always the likeliest code (no sampling; tends to repeat itself: for tests more than music).")
    boolean greedy;

    @Option(names = "--seed", paramLabel = "N", description = "Make a seed's piece again: the same seed, prompt and options give the same audio (default: a new seed, printed).")
    Long seedGiven;

    @Option(names = "--device", paramLabel = "cpu|cuda|auto", defaultValue = "cpu",
            description = "Where MusicGen (and the cover) run (default ${DEFAULT-VALUE}; auto uses the GPU when one works).")
    String device;

    @Option(names = "--piano", paramLabel = "MIDI", description = "Also cover the music for piano into this MIDI file, on the music's tracked beat grid.")
    Path piano;

    @Option(names = "--cover-engine", paramLabel = "NAME",
            description = "For --piano: pop2piano (its installed package) or basic-pitch (built in; default when Pop2Piano is not installed).")
    String coverEngine;

    @Option(names = "--composer", paramLabel = "NAME", description = "For --piano with pop2piano: the arranger style, composer1 to composer21 (default composer1).")
    String composer;

    @Option(names = "--render", paramLabel = "WAV", description = "For --piano: also render the piano part to audio with a piano SoundFont.")
    Path render;

    @Option(names = "--piano-roll", paramLabel = "PNG", description = "For --piano: also draw the piano part as a piano-roll picture, PNG or JPEG.")
    Path pianoRoll;

    @Option(names = "--soundfont", paramLabel = "SF2", description = "SoundFont for --render (default: $PIANOLA_SOUNDFONT, else Fluid R3 GM).")
    Path soundFont;

    @Mixin
    ArrangementOptions arrangement;

    @Mixin
    CommonOptions common;

    /** Audio that MusicGen writes above full scale is brought down to this peak (never up). */
    static final double PEAK_DBFS = -1;

    @Override
    public Integer call() {
        // option values first: a wrong value is the message, not an output that exists or a model that loads for a minute
        if (prompt == null || prompt.isBlank()) throw new BadInputException("the text prompt is empty: say what the music should be, e.g. \"calm piano, 70 bpm\"");
        double wantSeconds = seconds == null ? DEFAULT_SECONDS : seconds;
        if (!(wantSeconds > 0 && wantSeconds <= 600)) throw new BadInputException("--seconds " + seconds + ": expected more than 0, at most 600 (the model's own limit is checked when it loads)");
        if (guidance != null && !(guidance >= 0 && guidance <= 100)) throw new BadInputException("--guidance " + guidance + ": expected 0 to 100 (1 or less: off)");
        if (temperature != null && !(temperature >= 0 && temperature <= 10)) throw new BadInputException("--temperature " + temperature + ": expected 0 to 10");
        if (topK != null && topK < 1) throw new BadInputException("--top-k " + topK + ": expected 1 or more");
        if (continuationOnly && audioPrompt == null) throw new UsageException("--continuation-only is for --audio-prompt");
        boolean pop2piano = chooseCoverEngine();
        if (piano == null && (render != null || pianoRoll != null || composer != null || coverEngine != null || soundFont != null)) {
            throw new UsageException("--cover-engine, --composer, --render, --piano-roll and --soundfont are for --piano MIDI");
        }
        if (piano != null && !pop2piano && composer != null) throw new UsageException("--composer is for --cover-engine pop2piano");
        if (piano != null && !pop2piano) arrangement.options();
        OnnxSessions.Device where = TranscriptionOptions.parseDevice(device);
        Path out = output != null ? output : Path.of(fileNameOf(prompt) + ".wav");
        Outputs.check(audioPrompt, common.force, Outputs.audio(out), Outputs.midi(piano), Outputs.audio(render), Outputs.picture(pianoRoll));
        if (model == null) model = ModelCatalog.installedPackage(ModelFamilies.MUSICGEN);
        Path pop2pianoPackage = piano != null && pop2piano ? ModelCatalog.installedPackage(ModelFamilies.POP2PIANO) : null;
        MidiRenderer renderer = render == null ? null : MidiRenderer.open(soundFont);
        long seed = seedGiven != null ? seedGiven : Seeds.fresh();
        StepTimer steps = new StepTimer(common.verbose, System.err);

        RenderedAudio composed;
        MusicgenModel.Generation generation;
        int promptSamples = 0;
        String deviceUsed;
        double guidanceUsed;
        try (MusicgenModel musicgen = MusicgenModel.open(model, where)) {
            steps.done("load MusicGen");
            deviceUsed = musicgen.modelPackage().device().name().toLowerCase(Locale.ROOT);
            long[][][] promptCodes = audioPrompt == null ? null : encodePrompt(musicgen, audioPrompt);
            int promptFrames = promptCodes == null ? 0 : promptCodes[0][0].length;
            if (promptCodes != null) steps.done("encode the audio prompt");
            int frames = (int) Math.round(wantSeconds * musicgen.frameRate());
            int maxFrames = musicgen.maxFrames(promptFrames);
            if (frames < 1 || frames > maxFrames) {
                throw new BadInputException(String.format(Locale.ROOT, "--seconds %s: this model makes %.2f to %.1f s%s", seconds == null ? DEFAULT_SECONDS : seconds,
                        1.0 / musicgen.frameRate(), maxFrames / (double) musicgen.frameRate(), promptFrames > 0 ? " after this audio prompt" : ""));
            }
            guidanceUsed = guidance != null ? guidance : musicgen.defaultGuidanceScale();
            SamplingConfig sampling = new SamplingChoice(greedy, temperature, topK, null).over(musicgen.defaultSampling());
            MusicgenModel.Settings settings = new MusicgenModel.Settings(musicgen.stepsForFrames(frames), sampling, seed, guidanceUsed);
            try (CliProgress progress = new CliProgress(common.quiet, System.err)) {
                generation = musicgen.generate(List.of(prompt), promptCodes, settings, () -> false,
                        inSecondsOfMusic(progress, musicgen.stepsForFrames(0), musicgen.frameRate(), frames));
            }
            steps.done("compose (" + generation.loop().steps() + " steps)");
            float[][] channels = musicgen.decodeChannels(generation.codes())[0];
            steps.done("decode audio (EnCodec)");
            if (continuationOnly) promptSamples = promptFrames * musicgen.hopLength();
            for (int c = 0; c < channels.length; c++) channels[c] = Arrays.copyOfRange(channels[c], promptSamples, channels[c].length);
            composed = withHeadroom(new RenderedAudio(channels, musicgen.samplingRate()));
        }
        // the cover listens to one channel: a stereo piece's mix
        Audio music = composed.toMono();

        NoteSequence pianoNotes = null;
        MidiFiles.WriteOptions pianoFile = MidiFiles.WriteOptions.PIANO;
        BeatGrid grid = null;
        String coverUsed = null;
        if (piano != null) {
            try (CliProgress progress = new CliProgress(common.quiet, System.err)) {
                if (pop2piano) {
                    grid = BeatGrid.tracked(music, null);
                    steps.done("beat grid (" + grid.source() + ")");
                    if (grid.beatCount() < Pop2PianoConstants.MIN_BEATS_IN_AUDIO) {
                        String why = String.format(Locale.ROOT, "%.1f s of music holds %d beats; Pop2Piano needs %d (two 4/4 bars)",
                                music.seconds(), grid.beatCount(), Pop2PianoConstants.MIN_BEATS_IN_AUDIO);
                        if (coverEngine != null) throw new BadInputException(why + ": compose more --seconds, or --cover-engine basic-pitch");
                        if (!common.quiet) System.err.println("pianola: " + why + "; covering with basic-pitch");
                        pop2piano = false;
                    }
                }
                if (pop2piano) {
                    coverUsed = "pop2piano";
                    try (Pop2PianoModel p2p = Pop2PianoModel.open(pop2pianoPackage, where)) {
                        pianoNotes = Pop2PianoCover.cover(p2p, music, grid.beatSeconds(), composer == null ? CoverCommand.DEFAULT_COMPOSER : composer,
                                Pop2PianoModel.DEFAULT_BATCH_ROWS, () -> false, progress).notes();
                    }
                    steps.done("pop2piano cover");
                } else {
                    coverUsed = "basic-pitch+arrange";
                    BasicPitchCover.Song song = BasicPitchCover.cover(music, audio -> BeatGrid.tracked(audio, null), BasicPitchCover.NOTE_OPTIONS,
                            arrangement.options(), where, progress, steps::done);
                    grid = song.grid();
                    pianoNotes = song.notes();
                    pianoFile = song.midiOptions();
                }
            }
        }

        // the audio, its piano part and their previews appear together or not at all
        try (OutputSet outputs = new OutputSet(common.force)) {
            WavWriter.write(composed, outputs.stage(out), WavWriter.Depth.PCM24, true);
            if (pianoNotes != null) {
                MidiFiles.write(pianoNotes, outputs.stage(piano), true, pianoFile);
                if (renderer != null) Renders.toWav(renderer, pianoNotes, outputs.stage(render), common);
                if (pianoRoll != null) PianoRoll.write(pianoNotes, prompt, outputs.stage(pianoRoll), true);
            }
            outputs.commit();
        }
        double total = steps.totalSeconds();
        double stepsPerSecond = stepsPerSecond(generation);
        if (common.json) {
            System.out.println(new Summary().put("command", "compose").put("prompt", prompt).put("output", out.toString())
                    .put("model", model.toString()).put("device", deviceUsed).put("seed", seed).put("guidance", guidanceUsed)
                    .put("audioPrompt", audioPrompt == null ? null : audioPrompt.toString())
                    .put("audioSeconds", composed.seconds()).put("channels", composed.channelCount()).put("steps", generation.loop().steps()).put("stepsPerSecond", stepsPerSecond)
                    .put("piano", piano == null ? null : piano.toString()).put("coverEngine", coverUsed)
                    .put("pianoNotes", pianoNotes == null ? null : pianoNotes.notes().size())
                    .put("bpm", pianoNotes == null ? null : TempoMap.bpmRounded(pianoNotes.mainBpm())).put("beats", grid == null ? null : grid.source())
                    .put("render", render == null ? null : render.toString()).put("pianoRoll", pianoRoll == null ? null : pianoRoll.toString())
                    .put("computeSeconds", total).toJson());
        } else if (!common.quiet) {
            System.err.printf(Locale.ROOT, "pianola: %.1f s of music (seed %d, %.1f steps/s) -> %s (%.1f s)%n", music.seconds(), seed, stepsPerSecond, out, total);
            if (pianoNotes != null) {
                System.err.printf(Locale.ROOT, "pianola: piano cover (%s, %s beat grid at %s BPM): %d notes -> %s%n", coverUsed, grid.source(),
                        TempoMap.bpmText(pianoNotes.mainBpm()), pianoNotes.notes().size(), piano);
            }
        }
        return 0;
    }

    /** Whether --piano covers with Pop2Piano: asked for, or (not asked) installed. */
    private boolean chooseCoverEngine() {
        if (coverEngine == null) return piano != null && ModelCatalog.installedIfAny(ModelFamilies.POP2PIANO) != null;
        return switch (coverEngine.toLowerCase(Locale.ROOT)) {
            case "pop2piano" -> true;
            case "basic-pitch" -> false;
            default -> throw new BadInputException("--cover-engine " + coverEngine + ": expected basic-pitch or pop2piano");
        };
    }

    /**
     * The recording at the model's rate as EnCodec codes; refused when it leaves the model no room.
     * A stereo model encodes a stereo recording channel by channel (as transformers); any other
     * recording is its mono mix, which a stereo model gets on both channels (transformers' generate
     * refuses mono audio for a stereo checkpoint; this is what it makes of the mix on both channels).
     */
    private static long[][][] encodePrompt(MusicgenModel musicgen, Path file) {
        boolean stereo = musicgen.channels() == 2 && AudioFiles.info(file).channels() == 2;
        Audio[] channels = stereo ? AudioFiles.readChannels(file) : new Audio[] {AudioFiles.read(file)};
        Audio audio = channels[0];
        if (audio.samples().length == 0) throw new BadInputException(file, "contains no audio samples");
        int maxPromptFrames = musicgen.maxNewTokens(0) - musicgen.stepsForFrames(1);
        double maxSeconds = maxPromptFrames / (double) musicgen.frameRate();
        if (audio.seconds() > maxSeconds) {
            throw new BadInputException(file, String.format(Locale.ROOT, "is %.1f s long; this model's window leaves room to continue at most %.1f s (trim it)",
                    audio.seconds(), maxSeconds));
        }
        float[][] at = new float[channels.length][];
        for (int c = 0; c < at.length; c++) at[c] = Resampler.toRate(channels[c], musicgen.samplingRate()).samples();
        return musicgen.encode(at);
    }

    /** MusicGen's progress (decoder steps) as seconds of music; the first steps only fill the delay pattern. */
    private static Progress inSecondsOfMusic(Progress progress, int delaySteps, int frameRate, int frames) {
        long totalSeconds = Math.max(1, Math.round(frames / (double) frameRate));
        return (done, total, what) -> progress.update(Math.min(totalSeconds, Math.max(0, done - delaySteps) / frameRate), totalSeconds, "seconds of music");
    }

    /**
     * Audio above full scale is scaled down to {@link #PEAK_DBFS} (every channel by one gain, so a
     * stereo image stays); anything quieter is left as MusicGen wrote it.
     */
    static RenderedAudio withHeadroom(RenderedAudio audio) {
        double peak = audio.peak();
        if (peak <= 1) return audio;
        float gain = (float) (Math.pow(10, PEAK_DBFS / 20) / peak);
        float[][] scaled = new float[audio.channelCount()][];
        for (int c = 0; c < scaled.length; c++) {
            scaled[c] = audio.channels()[c].clone();
            for (int i = 0; i < scaled[c].length; i++) scaled[c][i] *= gain;
        }
        return new RenderedAudio(scaled, audio.sampleRate());
    }

    /** A file name from the prompt's first words: "Warm lo-fi piano, soft pads" -> warm-lo-fi-piano-soft-pads. */
    static String fileNameOf(String prompt) {
        String slug = prompt.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > 40) slug = slug.substring(0, 40).replaceAll("-[^-]*$", "");
        return slug.isEmpty() ? "composed" : slug;
    }

    /** The decoder's speed, the prefill step included. */
    private static double stepsPerSecond(MusicgenModel.Generation g) {
        double seconds = (g.loop().prefillNanos() + g.loop().decodeNanos()) / 1e9;
        return seconds > 0 ? g.loop().steps() / seconds : 0;
    }
}
