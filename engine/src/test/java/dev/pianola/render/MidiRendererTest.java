package dev.pianola.render;

import dev.pianola.TestPaths;
import dev.pianola.BadInputException;
import dev.pianola.UsageException;
import dev.pianola.audio.Audio;
import dev.pianola.midi.MidiFiles;
import org.jtransforms.fft.DoubleFFT_1D;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MidiRendererTest {
    static final int PPQ = 480;
    static MidiRenderer renderer;

    @BeforeAll
    static void openRenderer() {
        renderer = MidiRenderer.open(null);
        assertTrue(renderer.soundFont().isPresent(), "these tests expect a real SoundFont (FluidR3_GM is installed here)");
    }

    // --- sound where the notes are, silence where they are not, tempo map honoured ---

    @Test
    void soundFollowsNoteTimesThroughATempoChange() throws Exception {
        // 120 BPM: beat 1..2 = 0.5..1.0 s. At beat 4 (2.0 s) the tempo halves to 60 BPM,
        // so beat 6..7 = 4.0..5.0 s (it would be 3.0..3.5 s if the change were ignored).
        Sequence seq = new Sequence(Sequence.PPQ, PPQ);
        Track t = seq.createTrack();
        tempo(t, 0, 120);
        tempo(t, 4, 60);
        note(t, 0, 60, 1, 1, 100);
        note(t, 0, 64, 1, 1, 100);
        note(t, 0, 69, 6, 1, 100);
        Audio audio = renderer.renderMono(seq, 22050);

        assertEquals(5.0 + MidiRenderer.Options.DEFAULT_TAIL_SECONDS, audio.seconds(), 0.01, "last event + release tail");
        assertSilent(audio, 0.0, 0.45, "before the first note");
        assertSounding(audio, 0.55, 0.95, "first chord");
        assertSilent(audio, 2.9, 3.9, "where the second note would be without the tempo change");
        assertSounding(audio, 4.05, 4.9, "second note, after the tempo change");
        assertSilent(audio, 6.5, 7.0, "end of the release tail");
        assertEquals(0.5, onsetSeconds(audio, 0.0), 0.015, "first onset");
        assertEquals(4.0, onsetSeconds(audio, 2.5), 0.015, "second onset");
    }

    @Test
    void aSustainedA4SoundsAt440HzAtEveryRate() throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, PPQ);
        Track t = seq.createTrack();
        tempo(t, 0, 60);
        note(t, 0, 69, 0, 3, 90);
        for (int rate : new int[]{44100, 22050}) {
            Audio audio = renderer.renderMono(seq, rate);
            assertEquals(rate, audio.sampleRate());
            double hz = dominantHz(audio, 0.2, 1 << 14);
            assertEquals(440.0, hz, 2.0, "dominant frequency at " + rate + " Hz");
        }
    }

    @Test
    void stereoByDefaultAndMonoOnRequest() throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, PPQ);
        Track t = seq.createTrack();
        note(t, 0, 60, 0, 1, 100);
        RenderedAudio stereo = renderer.render(seq, MidiRenderer.Options.DEFAULT, dev.pianola.runtime.Progress.NONE);
        assertEquals(2, stereo.channelCount());
        assertEquals(44100, stereo.sampleRate());
        List<Long> progress = new ArrayList<>();
        RenderedAudio mono = renderer.render(seq, MidiRenderer.Options.DEFAULT.withMono(true).withSampleRate(22050),
                (done, total, what) -> progress.add(done * 1000 / total));
        assertEquals(1, mono.channelCount());
        assertEquals(22050, mono.sampleRate());
        assertEquals(stereo.seconds(), mono.seconds(), 0.001);
        assertFalse(progress.isEmpty());
        assertEquals(1000L, progress.get(progress.size() - 1), "progress ends at done == total");
        for (int i = 1; i < progress.size(); i++) assertTrue(progress.get(i) >= progress.get(i - 1), "progress never goes back");
    }

    // --- no clipping ---

    @Test
    void aLoudDenseTuttiDoesNotClip() throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, PPQ);
        Track t = seq.createTrack();
        int[] programs = {0, 4, 19, 30, 48, 56, 61, 81, 33, 88};
        for (int ch = 0; ch < programs.length; ch++) {
            if (ch == 9) continue;
            t.add(new MidiEvent(new ShortMessage(ShortMessage.PROGRAM_CHANGE, ch, programs[ch], 0), 0));
            for (int beat = 0; beat < 4; beat++) {
                for (int p = 36 + ch * 3; p < 100; p += 7) note(t, ch, p, beat, 1, 127);
            }
        }
        for (int beat = 0; beat < 4; beat++) {
            note(t, 9, 36, beat, 0.5, 127);
            note(t, 9, 49, beat, 0.5, 127);
        }
        RenderedAudio audio = renderer.render(seq, MidiRenderer.Options.DEFAULT, dev.pianola.runtime.Progress.NONE);
        assertTrue(audio.peak() > 0.05, "the tutti is loud: peak " + audio.peak());
        assertTrue(audio.peak() <= MidiRenderer.CEILING + 1e-6, "peak " + audio.peak() + " is above -0.1 dBFS");
    }

    /** A preview is brought to its target peak, up as well as down, in memory and in a streamed WAV alike. */
    @Test
    void aTargetPeakBringsQuietMusicUp(@TempDir Path dir) throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, PPQ);
        Track t = seq.createTrack();
        for (int beat = 0; beat < 4; beat++) note(t, 0, 60 + beat, beat, 1, 50); // soft: far below full scale as played
        MidiRenderer.Options minus1 = MidiRenderer.Options.DEFAULT.withTailSeconds(0.5).withPeakDbfs(-1);
        double asPlayed = 20 * Math.log10(renderer.render(seq, minus1.withPeakDbfs(Double.NaN), dev.pianola.runtime.Progress.NONE).peak());
        assertTrue(asPlayed < -6, "soft notes as played: " + asPlayed + " dBFS");
        assertEquals(-1, 20 * Math.log10(renderer.render(seq, minus1, dev.pianola.runtime.Progress.NONE).peak()), 0.01);
        Path wav = dir.resolve("preview.wav");
        renderer.renderToWav(seq, wav, minus1.withMono(true), WavWriter.Depth.PCM16, false, dev.pianola.runtime.Progress.NONE);
        float peak = 0;
        for (float v : dev.pianola.audio.AudioFiles.read(wav).samples()) peak = Math.max(peak, Math.abs(v));
        assertEquals(-1, 20 * Math.log10(peak), 0.05, "the streamed WAV's peak");
        assertThrows(BadInputException.class, () -> MidiRenderer.Options.DEFAULT.withPeakDbfs(3));
    }

    @Test
    void peaksAboveFullScaleAreNormalisedAndQuietAudioIsLeftAlone() {
        float[] loud = {0.1f, -2.5f, 1.2f};
        RenderedAudio fixed = MidiRenderer.normalised(new RenderedAudio(new float[][]{loud, {0f, 0.5f, 0f}}, 8000), MidiRenderer.Options.DEFAULT);
        assertEquals(MidiRenderer.CEILING, fixed.peak(), 1e-6);
        assertEquals(0.1f * MidiRenderer.CEILING / 2.5f, fixed.channels()[0][0], 1e-6, "one gain for the whole file");
        float[] quiet = {0.1f, -0.9f};
        assertArrayEquals(new float[]{0.1f, -0.9f}, MidiRenderer.normalised(new RenderedAudio(new float[][]{quiet}, 8000), MidiRenderer.Options.DEFAULT).channels()[0]);
    }

    // --- WAV output and the --force rule ---

    @Test
    void writesSixteenAndTwentyFourBitWavThatReadsBack(@TempDir Path dir) throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, PPQ);
        Track t = seq.createTrack();
        note(t, 0, 64, 0, 1, 100);
        RenderedAudio audio = renderer.render(seq, MidiRenderer.Options.DEFAULT.withTailSeconds(0.5), dev.pianola.runtime.Progress.NONE);
        for (WavWriter.Depth depth : WavWriter.Depth.values()) {
            Path wav = dir.resolve("out" + depth.bits + ".wav");
            WavWriter.write(audio, wav, depth, false);
            try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
                assertEquals(44100f, in.getFormat().getSampleRate());
                assertEquals(2, in.getFormat().getChannels());
                assertEquals(depth.bits, in.getFormat().getSampleSizeInBits());
                assertEquals(audio.frames(), in.getFrameLength());
                byte[] bytes = in.readAllBytes();
                double full = (1 << (depth.bits - 1)) - 1;
                int bytesPerSample = depth.bits / 8;
                double worst = 0;
                for (int i = 0; i < audio.frames(); i += 97) {
                    for (int c = 0; c < 2; c++) {
                        int off = (i * 2 + c) * bytesPerSample;
                        int s = bytes[off + bytesPerSample - 1]; // sign-extended top byte
                        for (int b = bytesPerSample - 2; b >= 0; b--) s = (s << 8) | (bytes[off + b] & 0xff);
                        worst = Math.max(worst, Math.abs(s / full - audio.channels()[c][i]));
                    }
                }
                assertTrue(worst <= 1.0 / full, depth + ": samples differ from the rendered audio by " + worst);
            }
        }
    }

    @Test
    void forceRuleIsCheckedBeforeRenderingAndHonoured(@TempDir Path dir) throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, PPQ);
        note(seq.createTrack(), 0, 60, 0, 0.5, 100);
        Path wav = dir.resolve("x.wav");
        Files.writeString(wav, "precious");
        MidiRenderer.Options opts = MidiRenderer.Options.DEFAULT.withTailSeconds(0.2);
        List<Long> progress = new ArrayList<>();
        assertThrows(UsageException.class, () -> renderer.renderToWav(seq, wav, opts, WavWriter.Depth.PCM16, false,
                (done, total, what) -> progress.add(done)));
        assertTrue(progress.isEmpty(), "refused before any rendering");
        assertEquals("precious", Files.readString(wav));
        renderer.renderToWav(seq, wav, opts, WavWriter.Depth.PCM16, true, dev.pianola.runtime.Progress.NONE);
        assertEquals("RIFF", new String(Files.readAllBytes(wav), 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(wav), files.toList(), "no temporary files left behind");
        }
    }

    // --- long files: bounded memory, a length limit ---

    /** A Standard MIDI File holding one middle C {@code seconds} in (120 BPM, 480 PPQ): under 50 bytes. */
    static Path oneLateNote(Path file, double seconds) throws Exception {
        Sequence seq = new Sequence(Sequence.PPQ, PPQ);
        note(seq.createTrack(), 0, 60, seconds * 2, 1, 100);
        MidiSystem.write(seq, 0, file.toFile());
        return file;
    }

    @Test
    void aTinyFileWithANoteTenHoursInIsRefusedInOneLineBeforeAnythingIsRendered(@TempDir Path dir) throws Exception {
        Path mid = oneLateNote(dir.resolve("late.mid"), 10 * 3600);
        assertTrue(Files.size(mid) < 50, "size " + Files.size(mid));
        Sequence seq = MidiFiles.readSequence(mid);
        Path wav = dir.resolve("late.wav");
        List<Long> progress = new ArrayList<>();
        long t0 = System.nanoTime();
        BadInputException e = assertThrows(BadInputException.class, () -> renderer.renderToWav(seq, mid, wav,
                MidiRenderer.Options.DEFAULT, WavWriter.Depth.PCM16, false, (done, total, what) -> progress.add(done)));
        assertEquals(mid + ": lasts 10:00:00; Pianola renders at most 2:00:00 (use --max-seconds)", e.getMessage());
        assertTrue(progress.isEmpty() && !Files.exists(wav), "refused before rendering");
        assertTrue(System.nanoTime() - t0 < 2e9, "refused at once");
        // the in-memory render has the same limit (it would need 12.7 GB here)
        assertEquals(e.getMessage(), assertThrows(BadInputException.class,
                () -> renderer.render(seq, mid, MidiRenderer.Options.DEFAULT, dev.pianola.runtime.Progress.NONE)).getMessage());
        // just under the limit is accepted (only planned here: the WAV check below refuses 192 kHz 24-bit stereo)
        Path under = oneLateNote(dir.resolve("under.mid"), 2 * 3600 - 10);
        BadInputException tooBig = assertThrows(BadInputException.class, () -> renderer.renderToWav(MidiFiles.readSequence(under), under, wav,
                MidiRenderer.Options.DEFAULT.withSampleRate(192000), WavWriter.Depth.PCM24, false, dev.pianola.runtime.Progress.NONE));
        assertTrue(tooBig.getMessage().startsWith(wav + ": 8.3 GB of 24-bit stereo audio at 192000 Hz is more than a WAV file can hold"),
                tooBig.getMessage());
        assertFalse(tooBig.getMessage().contains("\n"));
        assertFalse(Files.exists(wav));
    }

    /** Renders a MIDI file to WAV at 8000 Hz mono: run in a JVM with a small heap by the test below. */
    public static final class LongRender {
        public static void main(String[] args) {
            Path mid = Path.of(args[0]);
            MidiRenderer.open(null).renderToWav(MidiFiles.readSequence(mid), mid, Path.of(args[1]),
                    MidiRenderer.Options.DEFAULT.withSampleRate(8000).withMono(true), WavWriter.Depth.PCM16, false,
                    dev.pianola.runtime.Progress.NONE);
        }
    }

    @Test
    void aFortyMinuteRenderStreamsToWavInA64MbHeap(@TempDir Path dir) throws Exception {
        // whole-file rendering held 2 float channels, a mono mix and the PCM: 400 MB here
        Path mid = oneLateNote(dir.resolve("long.mid"), 40 * 60), wav = dir.resolve("long.wav");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-Djava.awt.headless=true", "--add-exports", "java.desktop/com.sun.media.sound=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), LongRender.class.getName(), mid.toString(), wav.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        long frames = (long) Math.ceil((40 * 60 + 0.5 + MidiRenderer.Options.DEFAULT_TAIL_SECONDS) * 8000);
        assertEquals(WavWriter.HEADER_BYTES + 2 * frames, Files.size(wav));
        try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
            assertEquals(frames, in.getFrameLength());
            in.skipNBytes(2L * 40 * 60 * 8000); // to the note
            byte[] pcm = in.readNBytes(2 * 4000);
            double sum = 0;
            for (int i = 0; i < 4000; i++) {
                double v = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8)) / 32768.0;
                sum += v * v;
            }
            assertTrue(Math.sqrt(sum / 4000) > 0.01, "the note sounds at 40:00");
        }
    }

    @Test
    void aStreamedLoudRenderIsTheInMemoryRenderNormalisedSampleForSample(@TempDir Path dir) throws Exception {
        // loud enough to need the second, quieter pass
        Sequence seq = new Sequence(Sequence.PPQ, PPQ);
        Track t = seq.createTrack();
        for (int ch = 0; ch < 6; ch++) {
            t.add(new MidiEvent(new ShortMessage(ShortMessage.PROGRAM_CHANGE, ch, new int[]{0, 30, 48, 61, 81, 19}[ch], 0), 0));
            for (int p = 36 + ch * 2; p < 96; p += 5) note(t, ch, p, 0, 2, 127);
        }
        MidiRenderer.Options opts = MidiRenderer.Options.DEFAULT.withSampleRate(22050).withTailSeconds(0.5);
        RenderedAudio inMemory = renderer.render(seq, opts, dev.pianola.runtime.Progress.NONE);
        assertEquals(MidiRenderer.CEILING, inMemory.peak(), 1e-6, "this needed normalising");
        Path expected = dir.resolve("expected.wav"), streamed = dir.resolve("streamed.wav");
        WavWriter.write(inMemory, expected, WavWriter.Depth.PCM24, false);
        List<String> passes = new ArrayList<>();
        renderer.renderToWav(seq, null, streamed, opts, WavWriter.Depth.PCM24, false, (done, total, what) -> {
            if (passes.isEmpty() || !passes.get(passes.size() - 1).equals(what)) passes.add(what);
        });
        assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(streamed));
        assertEquals(2, passes.size(), "a second pass, under its own progress label: " + passes);
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "the first pass's temporary file is gone");
        }
    }

    @Test
    void wavFilesAreByteForByteWhatJavaSoundWrites(@TempDir Path dir) throws Exception {
        float[] a = new float[5000], b = new float[5000];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) Math.sin(i * 0.05) * 1.2f; // some beyond full scale: clamped alike
            b[i] = (float) Math.cos(i * 0.013) * 0.7f;
        }
        for (float[][] channels : new float[][][]{{a}, {a, b}}) {
            for (WavWriter.Depth depth : WavWriter.Depth.values()) {
                RenderedAudio audio = new RenderedAudio(channels, 22050);
                Path ours = dir.resolve("ours.wav"), javas = dir.resolve("java.wav");
                WavWriter.write(audio, ours, depth, true);
                byte[] pcm = new byte[audio.frames() * channels.length * depth.bits / 8];
                WavWriter.encode(channels, 0, audio.frames(), depth, pcm);
                javax.sound.sampled.AudioFormat format = new javax.sound.sampled.AudioFormat(22050, depth.bits, channels.length, true, false);
                AudioSystem.write(new AudioInputStream(new java.io.ByteArrayInputStream(pcm), format, audio.frames()),
                        javax.sound.sampled.AudioFileFormat.Type.WAVE, javas.toFile());
                assertArrayEquals(Files.readAllBytes(javas), Files.readAllBytes(ours), channels.length + " channels, " + depth);
            }
        }
    }

    // --- SoundFont problems ---

    @Test
    void aCorruptSoundFontIsAOneLineErrorNamingTheFile(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("broken.sf2");
        byte[] head = new byte[4096];
        try (var in = Files.newInputStream(SoundFonts.find().orElseThrow())) {
            assertEquals(head.length, in.readNBytes(head, 0, head.length));
        }
        Files.write(bad, head); // a real SoundFont's first 4 KiB: the RIFF header promises far more
        BadInputException e = assertThrows(BadInputException.class, () -> MidiRenderer.open(bad));
        assertTrue(e.getMessage().startsWith(bad.toString() + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path text = dir.resolve("notes.sf2");
        Files.writeString(text, "this is not a SoundFont");
        assertTrue(assertThrows(BadInputException.class, () -> MidiRenderer.open(text)).getMessage().startsWith(text + ": "));

        Path missing = dir.resolve("missing.sf2");
        assertEquals(missing + ": no such SoundFont", assertThrows(BadInputException.class, () -> MidiRenderer.open(missing)).getMessage());
    }

    @Test
    void aSoundFontWhoseSampleHeadersPointPastItsSamplesIsRefusedWhenOpened(@TempDir Path dir) throws Exception {
        // Java's parser accepts such a file, and every note then plays as silence: found only after a render
        Path real = SoundFonts.find().orElseThrow(), bad = dir.resolve("bad-headers.sf2");
        Files.copy(real, bad);
        try (var ch = java.nio.channels.FileChannel.open(bad, java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            long shdr = subChunk(ch, "pdta", "shdr");
            assumeTrue(shdr > 0, "an SF2 with a sample-header table");
            ByteBuffer first = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(first, shdr + 20);
            first.putInt(0, first.getInt(0) + 400_000_000).putInt(4, first.getInt(4) + 400_000_000); // start, end of sample 0
            ch.write(first.rewind(), shdr + 20);
        }
        long t0 = System.nanoTime();
        BadInputException e = assertThrows(BadInputException.class, () -> MidiRenderer.open(bad));
        assertTrue(e.getMessage().startsWith(bad + ": corrupt SoundFont: sample \""), e.getMessage());
        assertTrue(e.getMessage().contains("lies outside the sample data"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(System.nanoTime() - t0 < 5e9, "validated quickly");
        // the untouched file opens, quickly too
        long t1 = System.nanoTime();
        MidiRenderer.open(real);
        assertTrue(System.nanoTime() - t1 < 5e9, "opened in " + (System.nanoTime() - t1) / 1e9 + " s");
    }

    /** Offset of the data of sub-chunk {@code id} inside the top-level LIST {@code list} of a RIFF file; -1 when absent. */
    static long subChunk(java.nio.channels.FileChannel ch, String list, String id) throws Exception {
        ByteBuffer h = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        for (long pos = 12; pos + 12 <= ch.size(); ) {
            ch.read(h.clear(), pos);
            long size = h.getInt(4) & 0xffffffffL;
            String kind = new String(h.array(), 8, 4, java.nio.charset.StandardCharsets.US_ASCII);
            if (kind.equals(list)) {
                for (long sub = pos + 12; sub < pos + 8 + size; ) {
                    ch.read(h.clear(), sub);
                    long subSize = h.getInt(4) & 0xffffffffL;
                    if (new String(h.array(), 0, 4, java.nio.charset.StandardCharsets.US_ASCII).equals(id)) return sub + 8;
                    sub += 8 + subSize + (subSize & 1);
                }
            }
            pos += 8 + size + (size & 1);
        }
        return -1;
    }

    @Test
    void rejectsAbsurdOptions() {
        assertThrows(BadInputException.class, () -> MidiRenderer.Options.DEFAULT.withSampleRate(100));
        assertThrows(BadInputException.class, () -> MidiRenderer.Options.DEFAULT.withTailSeconds(-1));
    }

    // --- a real multitrack file nobody here wrote ---

    @Test
    void rendersEveryChannelOfARealMultitrackSong() throws Exception {
        Path song = TestPaths.corpus("midi/multitrack/Mr_Blue_Sky.mid");
        assumeTrue(Files.isRegularFile(song), "corpus file missing: " + song);
        Sequence full = MidiFiles.readSequence(song);
        assumeTrue(full.getDivisionType() == Sequence.PPQ);
        // the first 12 s of the song keep the test quick; every track keeps its own events
        var tempo = MidiFiles.toNoteSequence(full, song).tempo();
        Sequence head = new Sequence(full.getDivisionType(), full.getResolution());
        Set<Integer> channels = new TreeSet<>();
        for (Track src : full.getTracks()) {
            Track dst = head.createTrack();
            for (int i = 0; i < src.size(); i++) {
                MidiEvent e = src.get(i);
                if (tempo.secondsAt(e.getTick() / (double) full.getResolution()) > 12.0) continue;
                dst.add(e);
                if (e.getMessage() instanceof ShortMessage sm && sm.getCommand() == ShortMessage.NOTE_ON) channels.add(sm.getChannel());
            }
        }
        assertTrue(channels.size() >= 3, "a band plays in the first 12 s: channels " + channels);
        Audio audio = renderer.renderMono(head, 22050);
        assertTrue(audio.seconds() > 12.0 && audio.seconds() < 14.5, "length " + audio.seconds());
        int sounding = 0, windows = 0;
        for (double s = 1.0; s < 12.0; s += 0.5, windows++) {
            if (rms(audio, s, s + 0.5) > 0.005) sounding++;
        }
        assertTrue(sounding >= windows - 2, sounding + " of " + windows + " half-second windows sound");
        float peak = 0;
        for (float v : audio.samples()) peak = Math.max(peak, Math.abs(v));
        assertTrue(peak <= MidiRenderer.CEILING + 1e-6);
    }

    // --- helpers ---

    static void tempo(Track t, double beat, double bpm) throws InvalidMidiDataException {
        int us = (int) Math.round(60_000_000 / bpm);
        t.add(new MidiEvent(new MetaMessage(0x51, new byte[]{(byte) (us >> 16), (byte) (us >> 8), (byte) us}, 3), Math.round(beat * PPQ)));
    }

    static void note(Track t, int ch, int pitch, double beat, double beats, int velocity) throws InvalidMidiDataException {
        t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, ch, pitch, velocity), Math.round(beat * PPQ)));
        t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, ch, pitch, 0), Math.round((beat + beats) * PPQ)));
    }

    /** The first time after {@code fromSeconds} where the signal rises above -60 dBFS. */
    static double onsetSeconds(Audio a, double fromSeconds) {
        for (int i = (int) (fromSeconds * a.sampleRate()); i < a.samples().length; i++) {
            if (Math.abs(a.samples()[i]) > 1e-3) return i / (double) a.sampleRate();
        }
        return Double.NaN;
    }

    static double rms(Audio a, double fromSeconds, double toSeconds) {
        int from = (int) (fromSeconds * a.sampleRate()), to = Math.min(a.samples().length, (int) (toSeconds * a.sampleRate()));
        double sum = 0;
        for (int i = from; i < to; i++) sum += a.samples()[i] * (double) a.samples()[i];
        return Math.sqrt(sum / Math.max(1, to - from));
    }

    static void assertSounding(Audio a, double from, double to, String what) {
        double r = rms(a, from, to);
        assertTrue(r > 0.01, what + " (" + from + ".." + to + " s) should sound: RMS " + r);
    }

    static void assertSilent(Audio a, double from, double to, String what) {
        double r = rms(a, from, to);
        assertTrue(r < 0.001, what + " (" + from + ".." + to + " s) should be silent: RMS " + r);
    }

    /** Frequency of the largest spectral peak of a Hann-windowed stretch, refined by parabolic interpolation. */
    static double dominantHz(Audio a, double fromSeconds, int n) {
        double[] x = new double[n];
        int start = (int) (fromSeconds * a.sampleRate());
        for (int i = 0; i < n; i++) x[i] = a.samples()[start + i] * (0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1)));
        new DoubleFFT_1D(n).realForward(x);
        double[] mag = new double[n / 2];
        for (int k = 1; k < n / 2; k++) mag[k] = Math.hypot(x[2 * k], x[2 * k + 1]);
        int best = 1;
        for (int k = 2; k < n / 2 - 1; k++) if (mag[k] > mag[best]) best = k;
        double l = Math.log(mag[best - 1] + 1e-12), c = Math.log(mag[best] + 1e-12), r = Math.log(mag[best + 1] + 1e-12);
        double shift = 0.5 * (l - r) / (l - 2 * c + r);
        return (best + shift) * a.sampleRate() / (double) n;
    }
}
