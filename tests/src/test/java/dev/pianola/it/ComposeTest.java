package dev.pianola.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.audio.Audio;
import dev.pianola.audio.AudioFiles;
import dev.pianola.cover.BeatGrid;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.render.RenderedAudio;
import dev.pianola.render.WavWriter;
import org.jetbrains.bio.npy.NpyArray;
import dev.pianola.models.musicgen.MusicgenFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code pianola compose} on the tiny random-weight MusicGen of tests/fixtures/musicgen (exported
 * by tools/export/export_musicgen.py, its outputs made by transformers' generate): the audio the
 * command writes is the reference's within 1e-4 (greedy, with guidance, and continuing an audio
 * prompt), lengths and seeds behave, --piano covers the music as {@code pianola cover} covers the
 * same audio, and bad input gets one line and its exit code. The tiny stereo MusicGen beside it
 * writes a 2-channel WAV, each channel the reference's.
 */
class ComposeTest {
    private static final Path FIXTURES = Cli.root().resolve("tests/fixtures/musicgen");
    private static final Path TINY = FIXTURES.resolve("tiny");
    /** The fixture's first prompt (cases greedy_guidance and audio_prompt). */
    private static final String PROMPT = "warm lo-fi piano with soft pads";
    /** The reference against 24-bit samples: the parity tolerance of MusicgenModelTest plus the quantization step. */
    private static final double TOLERANCE = 1e-4 + 1.0 / (1 << 23);
    private static final Map<String, NpyArray> arrays = MusicgenFixtures.arrays("arrays.npz");
    private static final Path TINY_STEREO = FIXTURES.resolve("tiny-stereo");
    private static final Map<String, NpyArray> stereoArrays = MusicgenFixtures.arrays("stereo-arrays.npz");

    @TempDir
    Path tmp;

    @Test
    void greedyWithGuidanceWritesTheReferencesAudio() throws Exception {
        // the case's 14 decoder steps are 11 frames: 0.22 s
        Path out = tmp.resolve("idea.wav");
        Cli.Run run = Cli.run("compose", PROMPT, "-o", out, "--model", TINY, "--seconds", 0.22, "--greedy", "--guidance", 3, "--json", "--quiet");
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals(14, json.get("steps").asInt());
        float[] want = Arrays.copyOfRange(arrays.get("greedy_guidance.audio").asFloatArray(), 0, 7040); // row 0: this prompt
        assertAudio(want, AudioFiles.read(out));
    }

    @Test
    void aStereoModelWritesStereo() throws Exception {
        // the stereo case's 14 decoder steps are 11 frames (the delay spans one channel's 4 codebooks): 0.22 s
        Path out = tmp.resolve("wide.wav");
        Cli.Run run = Cli.run("compose", PROMPT, "-o", out, "--model", TINY_STEREO, "--seconds", 0.22, "--greedy", "--guidance", 3, "--json", "--quiet");
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals(14, json.get("steps").asInt());
        assertEquals(2, json.get("channels").asInt());
        assertEquals(2, AudioFiles.info(out).channels());
        float[][] got = stereoPcm24(out);
        float[] want = stereoArrays.get("greedy_guidance.audio").asFloatArray(); // [2 prompts][left, right][7040]: row 0
        for (int c = 0; c < 2; c++) assertAudio(Arrays.copyOfRange(want, c * 7040, (c + 1) * 7040), new Audio(got[c], 32000));
        double apart = 0;
        for (int i = 0; i < got[0].length; i++) apart = Math.max(apart, Math.abs(got[0][i] - got[1][i]));
        assertTrue(apart > 5e-3, "left and right differ: " + apart);
    }

    @Test
    void aStereoModelContinuesAStereoRecordingChannelByChannel() throws Exception {
        float[] input = stereoArrays.get("audio_prompt.input").asFloatArray(); // [1][left, right][3000]
        Path riff = tmp.resolve("wide-riff.wav");
        WavWriter.write(new RenderedAudio(new float[][] {Arrays.copyOfRange(input, 0, 3000), Arrays.copyOfRange(input, 3000, 6000)}, 32000),
                riff, WavWriter.Depth.PCM24, false);
        // 5 prompt frames, then the case's 12 steps: 9 new frames (0.18 s); the output holds both
        Path out = tmp.resolve("wider.wav");
        Cli.Run run = Cli.run("compose", PROMPT, "--audio-prompt", riff, "-o", out, "--model", TINY_STEREO, "--seconds", 0.18, "--greedy", "--quiet");
        assertEquals(0, run.exitCode(), run.toString());
        float[][] got = stereoPcm24(out);
        float[] want = stereoArrays.get("audio_prompt.audio").asFloatArray(); // [1][left, right][8960]
        for (int c = 0; c < 2; c++) assertAudio(Arrays.copyOfRange(want, c * 8960, (c + 1) * 8960), new Audio(got[c], 32000));

        // a mono recording goes to both channels (MusicgenStereoTest: the codes of the same audio on both)
        Path mono = tmp.resolve("mono-riff.wav");
        WavWriter.write(new Audio(Arrays.copyOfRange(input, 0, 3000), 32000), mono, WavWriter.Depth.PCM24, false);
        Path fromMono = tmp.resolve("from-mono.wav");
        assertEquals(0, Cli.run("compose", PROMPT, "--audio-prompt", mono, "-o", fromMono, "--model", TINY_STEREO, "--seconds", 0.18, "--greedy",
                "--quiet").exitCode());
        assertEquals(2, AudioFiles.info(fromMono).channels());
        assertEquals(8960, stereoPcm24(fromMono)[1].length);
    }

    /** The two channels of a 24-bit PCM WAV as WavWriter writes it (the 44-byte header, frames interleaved). */
    private static float[][] stereoPcm24(Path wav) throws java.io.IOException {
        byte[] b = Files.readAllBytes(wav);
        int frames = (b.length - 44) / 6;
        float[][] out = new float[2][frames];
        for (int f = 0, at = 44; f < frames; f++) {
            for (int c = 0; c < 2; c++, at += 3) {
                int v = (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | b[at + 2] << 16; // the top byte carries the sign
                out[c][f] = (float) (v / 8388607.0);
            }
        }
        return out;
    }

    @Test
    void anAudioPromptIsContinued() throws Exception {
        float[] input = arrays.get("audio_prompt.input").asFloatArray();
        Path riff = tmp.resolve("riff.wav");
        WavWriter.write(new Audio(input, 32000), riff, WavWriter.Depth.PCM24, false);
        // 5 prompt frames, then the case's 12 steps: 9 new frames (0.18 s); the output holds both
        Path out = tmp.resolve("more.wav");
        Cli.Run run = Cli.run("compose", PROMPT, "--audio-prompt", riff, "-o", out, "--model", TINY, "--seconds", 0.18, "--greedy", "--quiet");
        assertEquals(0, run.exitCode(), run.toString());
        float[] want = arrays.get("audio_prompt.audio").asFloatArray();
        assertAudio(want, AudioFiles.read(out));

        Path only = tmp.resolve("only.wav");
        assertEquals(0, Cli.run("compose", PROMPT, "--audio-prompt", riff, "-o", only, "--model", TINY, "--seconds", 0.18, "--greedy",
                "--continuation-only", "--quiet").exitCode());
        assertAudio(Arrays.copyOfRange(want, 5 * 640, want.length), AudioFiles.read(only));
    }

    @Test
    void theAskedLengthAndTheSeed() throws Exception {
        Path a = tmp.resolve("a.wav"), b = tmp.resolve("b.wav"), c = tmp.resolve("c.wav");
        Cli.Run run = Cli.run("compose", "funk groove", "-o", a, "--model", TINY, "--seconds", 1.5, "--seed", 3, "--json", "--quiet");
        assertEquals(0, run.exitCode(), run.toString());
        Audio audio = AudioFiles.read(a);
        assertEquals(32000, audio.sampleRate());
        assertEquals(75 * 640, audio.samples().length, "1.5 s: 75 frames of 640 samples");
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals(3, json.get("seed").asLong());
        assertEquals(1.5, json.get("audioSeconds").asDouble(), 1e-9);
        assertEquals(0, Cli.run("compose", "funk groove", "-o", b, "--model", TINY, "--seconds", 1.5, "--seed", 3, "--quiet").exitCode());
        assertEquals(0, Cli.run("compose", "funk groove", "-o", c, "--model", TINY, "--seconds", 1.5, "--seed", 4, "--quiet").exitCode());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "same seed, same piece");
        assertFalse(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)), "another seed, another piece");
    }

    @Test
    void pianoCoversTheMusicAsCoverDoes() throws Exception {
        Path wav = tmp.resolve("groove.wav"), mid = tmp.resolve("groove.piano.mid"), roll = tmp.resolve("groove.png");
        Cli.Run run = Cli.run("compose", "upbeat funk groove, 110 bpm", "-o", wav, "--model", TINY, "--seconds", 2.4, "--seed", 11,
                "--piano", mid, "--cover-engine", "basic-pitch", "--piano-roll", roll, "--json", "--quiet");
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("basic-pitch+arrange", json.get("coverEngine").asText());
        assertTrue(Files.size(roll) > 0);
        NoteSequence piano = MidiFiles.read(mid);
        assertEquals(json.get("pianoNotes").asInt(), piano.notes().size());
        assertFalse(piano.notes().isEmpty(), "seed 11's noise holds notes Basic Pitch hears");

        // the same chain from the written file: pianola cover on the WAV writes the same piano part
        Path covered = tmp.resolve("covered.mid");
        Cli.Run cover = Cli.run("cover", wav, "-o", covered, "--quiet");
        assertEquals(0, cover.exitCode(), cover.toString());
        NoteSequence again = MidiFiles.read(covered);
        assertEquals(again.notes(), piano.notes());
        // on the music's tracked beat grid
        Audio music = AudioFiles.read(wav);
        BeatGrid grid = BeatGrid.tracked(dev.pianola.audio.Resampler.toRate(music, 22050), null);
        assertEquals(grid.source(), json.get("beats").asText());
        for (double beats = 0; beats < 4; beats += 0.5) {
            assertEquals(grid.tempo().secondsAt(beats), piano.tempo().secondsAt(beats), 1e-3, "the MIDI file's beat " + beats);
        }
        for (Note n : piano.notes()) assertTrue(piano.tempo().secondsAt(n.startBeats()) < music.seconds() + 1e-6, "inside the music: " + n);
    }

    /**
     * With Pop2Piano installed, --piano takes it by default; music shorter than the two bars it needs
     * (all the tiny MusicGen can make) is covered with basic-pitch instead, saying so, and asking
     * for pop2piano then is a one-line error.
     */
    @Test
    void pianoTakesPop2PianoWhenInstalledAndTheMusicIsLongEnough() throws Exception {
        Path store = tmp.resolve("store");
        Path installed = Files.createDirectories(store.resolve("pop2piano"));
        try (var files = Files.list(Cli.root().resolve("tests/fixtures/pop2piano/tiny"))) {
            for (Path f : files.toList()) Files.copy(f, installed.resolve(f.getFileName()));
        }
        // the store also holds the embedded Basic Pitch model
        Path basicPitch = dev.pianola.runtime.ModelStore.locate().basicPitch();
        Files.createDirectories(store.resolve(basicPitch.getParent().getFileName()));
        Files.createSymbolicLink(store.resolve(basicPitch.getParent().getFileName()).resolve(basicPitch.getFileName()), basicPitch);
        Path wav = tmp.resolve("groove.wav"), mid = tmp.resolve("groove.piano.mid");
        System.setProperty("pianola.models", store.toString());
        try {
            Cli.Run run = Cli.run("compose", "upbeat funk groove, 110 bpm", "-o", wav, "--model", TINY, "--seconds", 2.4, "--seed", 11, "--piano", mid, "--json");
            assertEquals(0, run.exitCode(), run.toString());
            assertEquals("basic-pitch+arrange", new ObjectMapper().readTree(run.out()).get("coverEngine").asText());
            assertTrue(run.err().contains("Pop2Piano needs 8 (two 4/4 bars); covering with basic-pitch"), run.err());
            assertBad(Cli.run("compose", "upbeat funk groove, 110 bpm", "-o", tmp.resolve("b.wav"), "--model", TINY, "--seconds", 2.4, "--seed", 11,
                    "--piano", tmp.resolve("b.mid"), "--cover-engine", "pop2piano"), 3, "Pop2Piano needs 8", "--cover-engine basic-pitch");
            assertFalse(Files.exists(tmp.resolve("b.wav")), "nothing written");
        } finally {
            System.clearProperty("pianola.models");
        }
    }

    @Test
    void badInputIsOneLineWithItsExitCode() throws Exception {
        Path out = tmp.resolve("x.wav");
        assertBad(Cli.run("compose", " ", "-o", out, "--model", TINY), 3, "the text prompt is empty");
        assertBad(Cli.run("compose", PROMPT, "-o", out, "--model", TINY, "--seconds", 0), 3, "--seconds 0");
        // the tiny model has 128 positions: 125 frames, 2.5 s
        assertBad(Cli.run("compose", PROMPT, "-o", out, "--model", TINY, "--seconds", 30), 3, "--seconds 30", "2.5 s");
        assertBad(Cli.run("compose", PROMPT, "-o", out, "--model", Cli.root().resolve("tests/fixtures/remi-model/tiny")), 4, "pianola-model.json", "musicgen");
        Path notAudio = Files.writeString(tmp.resolve("riff.wav"), "not audio at all");
        assertBad(Cli.run("compose", PROMPT, "-o", out, "--model", TINY, "--audio-prompt", notAudio), 3, notAudio.toString());
        Path silence = tmp.resolve("long.wav");
        WavWriter.write(new Audio(new float[32000 * 3], 32000), silence, WavWriter.Depth.PCM16, false);
        assertBad(Cli.run("compose", PROMPT, "-o", out, "--model", TINY, "--audio-prompt", silence), 3, silence.toString(), "3.0 s long");
        assertBad(Cli.run("compose", PROMPT, "-o", out, "--model", TINY, "--continuation-only"), 2, "--audio-prompt");
        assertBad(Cli.run("compose", PROMPT, "-o", out, "--model", TINY, "--render", tmp.resolve("p.wav")), 2, "--piano");
        assertBad(Cli.run("compose", PROMPT, "-o", tmp.resolve("x.mp3"), "--model", TINY), 3, "name it .wav");
        assertBad(Cli.run("compose", PROMPT, "-o", out, "--model", TINY, "--guidance", -1), 3, "--guidance");
        assertFalse(Files.exists(out), "nothing written");
        Files.writeString(out, "mine");
        assertBad(Cli.run("compose", PROMPT, "-o", out, "--model", TINY, "--seconds", 0.1), 2, "--force");
        assertEquals("mine", Files.readString(out), "a user's file is not overwritten");
        // no --model and none installed: how to install one
        System.setProperty("pianola.models", tmp.resolve("empty-store").toString());
        try {
            assertBad(Cli.run("compose", PROMPT, "-o", tmp.resolve("y.wav")), 4, "pianola models install musicgen-small");
        } finally {
            System.clearProperty("pianola.models");
        }
    }

    private static void assertAudio(float[] want, Audio got) {
        assertEquals(32000, got.sampleRate());
        assertEquals(want.length, got.samples().length, "samples");
        double worst = 0;
        for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got.samples()[i]));
        assertTrue(worst <= TOLERANCE, "max |diff| " + worst);
    }

    private static void assertBad(Cli.Run r, int code, String... mustContain) {
        assertEquals(code, r.exitCode(), r.toString());
        String line = r.err().strip();
        assertFalse(line.contains("\n"), "one line: " + line);
        for (String s : mustContain) assertTrue(line.contains(s), "'" + s + "' in: " + line);
    }
}
