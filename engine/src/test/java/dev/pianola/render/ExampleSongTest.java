package dev.pianola.render;

import dev.pianola.TestPaths;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import org.junit.jupiter.api.Test;

import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The committed example song (tools/example/make_example.sh) is what examples/README.md says it is. */
class ExampleSongTest {
    static final Path EXAMPLES = TestPaths.root().resolve("examples");

    @Test
    void demoMidiIsAShortSongInAMinorAt108Bpm() {
        NoteSequence song = MidiFiles.read(EXAMPLES.resolve("demo.mid"));
        assertEquals(108.0, song.tempo().bpmAt(0), 0.01);
        assertEquals(1, song.tempo().changes().size());
        assertEquals(4, song.timeSignatures().get(0).numerator());
        assertEquals(44.0, song.endBeats(), 0.5, "11 bars of 4/4");
        assertTrue(song.endSeconds() > 20 && song.endSeconds() < 26, "length " + song.endSeconds());
        Set<Integer> channels = new TreeSet<>();
        int[] pitchClasses = new int[12];
        for (Note n : song.notes()) {
            channels.add(n.channel());
            if (n.channel() != 9) pitchClasses[n.pitch() % 12]++;
        }
        assertEquals(Set.of(0, 1, 2, 3, 9), channels, "melody, bass, chords, pad, drums");
        // A natural minor (with G# for the E7 cadence): nothing else is played
        for (int pc : new int[]{1, 3, 6, 10}) assertEquals(0, pitchClasses[pc], "pitch class " + pc + " is outside A minor");
        assertTrue(pitchClasses[9] >= pitchClasses[2] && pitchClasses[9] >= pitchClasses[11], "A is the home note");
    }

    @Test
    void demoWavIsTheSongRenderedMono22050() throws Exception {
        Path wav = EXAMPLES.resolve("demo.wav");
        assertTrue(Files.size(wav) < 1_500_000, "about 1 MB");
        try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
            assertEquals(22050f, in.getFormat().getSampleRate());
            assertEquals(1, in.getFormat().getChannels());
            assertEquals(16, in.getFormat().getSampleSizeInBits());
            double seconds = in.getFrameLength() / 22050.0;
            double songSeconds = MidiFiles.read(EXAMPLES.resolve("demo.mid")).endSeconds();
            assertEquals(songSeconds + MidiRenderer.Options.DEFAULT_TAIL_SECONDS, seconds, 0.3);
            byte[] pcm = in.readAllBytes();
            // the band plays all through the song: every second is well above silence
            for (int s = 0; s + 1 < (int) songSeconds; s++) {
                double sum = 0;
                for (int i = s * 22050; i < (s + 1) * 22050; i++) {
                    double v = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8)) / 32768.0;
                    sum += v * v;
                }
                assertTrue(Math.sqrt(sum / 22050) > 0.02, "second " + s + " is nearly silent");
            }
        }
    }

    /**
     * SHA-256 of the PCM samples (the data chunk, header left out) of examples/demo.wav. A
     * transcription-quality fixture depends on renders being reproducible bit for bit, so any change
     * to the renderer that alters a single sample must show up here (and be announced).
     */
    static final String DEMO_SAMPLES_SHA256 = "6440b088b26a61901c6822177056be7b5fb27045e1b4deb87fbae49835d121d3";

    @Test
    void renderingTheDemoAgainReproducesDemoWavBitForBit(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        MidiRenderer renderer = MidiRenderer.open(null);
        assumeTrue(renderer.soundFont().map(p -> p.getFileName().toString().equals("FluidR3_GM.sf2")).orElse(false),
                "demo.wav was made with Fluid R3 GM");
        Path mid = EXAMPLES.resolve("demo.mid"), wav = dir.resolve("demo.wav");
        // what `pianola render examples/demo.mid -o X --sample-rate 22050 --mono` does
        renderer.renderToWav(MidiFiles.readSequence(mid), mid, wav, MidiRenderer.Options.DEFAULT.withSampleRate(22050).withMono(true),
                WavWriter.Depth.PCM16, false, dev.pianola.runtime.Progress.NONE);
        byte[] made = Files.readAllBytes(wav), committed = Files.readAllBytes(EXAMPLES.resolve("demo.wav"));
        assertEquals(DEMO_SAMPLES_SHA256, sha256(committed, 44), "examples/demo.wav itself changed");
        assertEquals(DEMO_SAMPLES_SHA256, sha256(made, 44), "the renderer no longer reproduces demo.wav's samples");
        assertArrayEquals(committed, made, "the whole file, header included, is the same");
    }

    static String sha256(byte[] bytes, int from) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(bytes, from, bytes.length - from);
        return HexFormat.of().formatHex(md.digest());
    }
}
