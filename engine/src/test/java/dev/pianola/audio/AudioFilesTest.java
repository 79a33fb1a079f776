package dev.pianola.audio;

import dev.pianola.TestPaths;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pianola.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class AudioFilesTest {
    private static final Path FIXTURES = TestPaths.root().resolve("tests/fixtures").resolve("audio");
    /** Inputs the fuzz targets found (engine/src/test/java/dev/pianola/fuzz), replayed there too. */
    private static final Path FOUND = TestPaths.root().resolve("engine/src/test/resources/dev/pianola/fuzz/AudioFuzzTestInputs");

    @TempDir
    Path dir;

    // ------------------------------------------------------------ WAV written here, every encoding

    /** A WAV encoding: WAVE format code and bits per sample. */
    record Encoding(int code, int bits) {
        static final Encoding U8 = new Encoding(1, 8), S16 = new Encoding(1, 16), S24 = new Encoding(1, 24),
                S32 = new Encoding(1, 32), F32 = new Encoding(3, 32), F64 = new Encoding(3, 64);
    }

    /** Deterministic per-channel test signal in [-0.9, 0.9] (different in every channel). */
    static double signal(int channel, int frame) {
        return 0.9 * Math.sin(0.01 * (frame + 1) * (channel + 1) + channel);
    }

    /** The value a sample takes once quantised to {@code e}, as the decoder must return it. */
    static double quantised(Encoding e, double v) {
        return switch (e.bits()) {
            case 8 -> e.code() == 1 ? (Math.round(v * 127) + 128 - 128) / 128.0 : v;
            case 16 -> Math.round(v * 32767) / 32768.0;
            case 24 -> Math.round(v * 8388607) / 8388608.0;
            case 32 -> e.code() == 3 ? (float) v : Math.round(v * 2147483647.0) / 2147483648.0;
            default -> v;
        };
    }

    static byte[] wav(Encoding e, int channels, int rate, int frames, boolean extensible) {
        int bytes = e.bits() / 8;
        ByteBuffer data = ByteBuffer.allocate(frames * channels * bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int f = 0; f < frames; f++) {
            for (int c = 0; c < channels; c++) {
                double v = signal(c, f);
                switch (e.code() * 100 + e.bits()) {
                    case 108 -> data.put((byte) (Math.round(v * 127) + 128));
                    case 116 -> data.putShort((short) Math.round(v * 32767));
                    case 124 -> {
                        int s = (int) Math.round(v * 8388607);
                        data.put((byte) s).put((byte) (s >> 8)).put((byte) (s >> 16));
                    }
                    case 132 -> data.putInt((int) Math.round(v * 2147483647.0));
                    case 332 -> data.putFloat((float) v);
                    case 364 -> data.putDouble(v);
                    default -> throw new IllegalArgumentException(e.toString());
                }
            }
        }
        return riff(fmt(e.code(), channels, rate, e.bits(), extensible), data.array());
    }

    static byte[] fmt(int code, int channels, int rate, int bits, boolean extensible) {
        ByteBuffer b = ByteBuffer.allocate(extensible ? 40 : 16).order(ByteOrder.LITTLE_ENDIAN);
        int blockAlign = channels * bits / 8;
        b.putShort((short) (extensible ? 0xFFFE : code)).putShort((short) channels).putInt(rate)
                .putInt(rate * blockAlign).putShort((short) blockAlign).putShort((short) bits);
        if (extensible) {
            b.putShort((short) 22).putShort((short) bits).putInt(0);
            // sub-format GUID xxxxxxxx-0000-0010-8000-00aa00389b71, format code in the first two bytes
            b.putShort((short) code).putShort((short) 0).putShort((short) 0).putShort((short) 0x10)
                    .put(new byte[] {(byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71});
        }
        return b.array();
    }

    /** RIFF/WAVE with an odd-sized LIST chunk before fmt and an odd-sized unknown chunk before data. */
    static byte[] riff(byte[] fmt, byte[] data) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("WAVE".getBytes(StandardCharsets.US_ASCII));
        chunk(body, "LIST", "INFOISFT\7\0\0\0pianola".getBytes(StandardCharsets.ISO_8859_1)); // 19 bytes: padded
        chunk(body, "fmt ", fmt);
        chunk(body, "junk", new byte[] {1, 2, 3});
        chunk(body, "data", data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("RIFF".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(le32(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    static void chunk(ByteArrayOutputStream out, String id, byte[] body) {
        out.writeBytes(id.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(le32(body.length));
        out.writeBytes(body);
        if (body.length % 2 == 1) out.write(0);
    }

    static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    @Test
    void everyWavEncodingDecodesToTheChannelAverage() throws IOException {
        Encoding[] encodings = {Encoding.U8, Encoding.S16, Encoding.S24, Encoding.S32, Encoding.F32, Encoding.F64};
        int frames = 1001;
        for (Encoding e : encodings) {
            for (int channels : new int[] {1, 2, 3, 6}) {
                for (boolean extensible : new boolean[] {false, true}) {
                    int rate = channels == 3 ? 96000 : 11025;
                    Path file = dir.resolve("t" + e.code() + "_" + e.bits() + "_" + channels + extensible + ".wav");
                    Files.write(file, wav(e, channels, rate, frames, extensible));
                    String what = e + " x" + channels + (extensible ? " extensible" : "");

                    AudioFiles.Info info = AudioFiles.info(file);
                    assertEquals(new AudioFiles.Info("WAV", info.encoding(), channels, rate, frames), info, what);
                    assertTrue(info.encoding().contains(e.bits() + "-bit"), what + ": " + info.encoding());

                    Audio audio = AudioFiles.read(file);
                    assertEquals(rate, audio.sampleRate(), what);
                    assertEquals(frames, audio.samples().length, what);
                    for (int f = 0; f < frames; f++) {
                        double expected = 0;
                        for (int c = 0; c < channels; c++) expected += quantised(e, signal(c, f));
                        expected /= channels;
                        assertEquals(expected, audio.samples()[f], 1e-6, what + " frame " + f);
                    }
                }
            }
        }
    }

    @Test
    void everyWavEncodingReadsChannelByChannel() throws IOException {
        Encoding[] encodings = {Encoding.U8, Encoding.S16, Encoding.S24, Encoding.S32, Encoding.F32, Encoding.F64};
        int frames = 1001;
        for (Encoding e : encodings) {
            for (int channels : new int[] {1, 2, 3}) {
                Path file = dir.resolve("c" + e.code() + "_" + e.bits() + "_" + channels + ".wav");
                Files.write(file, wav(e, channels, 11025, frames, channels == 3));
                Audio[] read = AudioFiles.readChannels(file);
                assertEquals(channels, read.length, e + " x" + channels);
                for (int c = 0; c < channels; c++) {
                    assertEquals(11025, read[c].sampleRate());
                    assertEquals(frames, read[c].samples().length);
                    for (int f = 0; f < frames; f++) {
                        assertEquals(quantised(e, signal(c, f)), read[c].samples()[f], 1e-6, e + " x" + channels + " channel " + c + " frame " + f);
                    }
                }
            }
        }
    }

    @Test
    void aiffFlacAndMp3ReadChannelByChannel() {
        Audio[] s16 = AudioFiles.readChannels(FIXTURES.resolve("tone.s16.wav"));
        assertEquals(2, s16.length);
        for (String name : new String[] {"tone.aiff", "tone.flac", "tone.mp3"}) {
            Audio[] channels = AudioFiles.readChannels(FIXTURES.resolve(name));
            assertEquals(2, channels.length, name);
            float[] mix = AudioFiles.read(FIXTURES.resolve(name)).samples();
            for (int i = 0; i < mix.length; i++) {
                assertEquals(mix[i], (channels[0].samples()[i] + channels[1].samples()[i]) / 2, 1e-6, name + " sample " + i);
            }
            if (!name.endsWith(".mp3")) {
                for (int c = 0; c < 2; c++) assertClose(s16[c].samples(), channels[c].samples(), 0, name + " channel " + c);
            }
        }
        // the tones differ between the channels
        assertTrue(maxAbsDiff(s16[0].samples(), s16[1].samples()) > 0.1);
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        return worst;
    }

    @Test
    void wavWithDataPaddingAndTrailingChunksIsRead() throws IOException {
        // 8-bit mono with an odd number of frames: the data chunk is padded, another chunk follows
        byte[] wav = wav(Encoding.U8, 1, 8000, 7, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(wav);
        out.write(0); // pad byte of the 7-byte data chunk
        chunk(out, "cue ", new byte[] {9, 9, 9, 9});
        Path file = dir.resolve("trailing.wav");
        Files.write(file, out.toByteArray());
        float[] s = AudioFiles.read(file).samples();
        assertEquals(7, s.length);
        assertEquals(quantised(Encoding.U8, signal(0, 6)), s[6], 1e-7);
    }

    // ------------------------------------------------------------ files from independent encoders

    @Test
    void soxWavEncodingsAgreeWithTheFloatReference() {
        float[] reference = AudioFiles.read(FIXTURES.resolve("tone.f32.wav")).samples();
        assertEquals(5512, reference.length);
        // stereo 440 + 660 Hz at half scale each: the mono mix peaks near 0.5
        assertTrue(max(reference) > 0.45 && max(reference) < 0.5001, "peak " + max(reference));
        Object[][] cases = {{"tone.f64.wav", 1e-7}, {"tone.s24.wav", 2.0 / 8388608}, {"tone.s16.wav", 2.0 / 32768},
                {"tone.u8.wav", 2.0 / 128}};
        for (Object[] c : cases) {
            Audio a = AudioFiles.read(FIXTURES.resolve((String) c[0]));
            assertEquals(22050, a.sampleRate());
            assertClose(reference, a.samples(), (Double) c[1], (String) c[0]);
        }
        assertTrue(AudioFiles.info(FIXTURES.resolve("tone.s24.wav")).encoding().contains("24-bit"));
    }

    @Test
    void aiffAndFlacAreLossless() {
        float[] s16 = AudioFiles.read(FIXTURES.resolve("tone.s16.wav")).samples();
        float[] s24 = AudioFiles.read(FIXTURES.resolve("tone.s24.wav")).samples();
        assertClose(s16, AudioFiles.read(FIXTURES.resolve("tone.aiff")).samples(), 0, "AIFF");
        assertClose(s16, AudioFiles.read(FIXTURES.resolve("tone.flac")).samples(), 0, "FLAC 16-bit");
        assertClose(s24, AudioFiles.read(FIXTURES.resolve("tone24.flac")).samples(), 0, "FLAC 24-bit");

        assertEquals(new AudioFiles.Info("FLAC", "signed 16-bit", 2, 22050, 5512), AudioFiles.info(FIXTURES.resolve("tone.flac")));
        AudioFiles.Info aiff = AudioFiles.info(FIXTURES.resolve("tone.aiff"));
        assertEquals("AIFF", aiff.format());
        assertEquals(5512, aiff.frames());
        assertEquals(2, aiff.channels());
    }

    @Test
    void mp3DecodesToTheSameTonesWithoutEncoderDelay() {
        Audio mp3 = AudioFiles.read(FIXTURES.resolve("tone.mp3"));
        float[] wav = AudioFiles.read(FIXTURES.resolve("tone.s16.wav")).samples();
        assertEquals(22050, mp3.sampleRate());
        // the LAME tag says: 576 samples of encoder delay, 824 of padding; both removed
        assertEquals(wav.length, mp3.samples().length);
        // the mono mix is 0.25 sin(440) + 0.25 sin(660): measure both in the steady middle
        int from = 1000, to = 4500;
        double a440 = ResamplerTest.fittedAmplitude(mp3.samples(), 22050, 440, from, to);
        double a660 = ResamplerTest.fittedAmplitude(mp3.samples(), 22050, 660, from, to);
        // aligned to the sample: the waveform is closest to the original at lag 0
        int bestLag = 0;
        double bestError = Double.MAX_VALUE;
        for (int lag = -40; lag <= 40; lag++) {
            double e = 0;
            for (int i = from; i < to; i++) e += Math.pow(mp3.samples()[i] - wav[i + lag], 2);
            if (e < bestError) {
                bestError = e;
                bestLag = lag;
            }
        }
        double rms = Math.sqrt(bestError / (to - from));
        System.out.printf("MP3: 440 Hz amplitude %.4f, 660 Hz %.4f (WAV: 0.25), best lag %d, rms error %.4f%n",
                a440, a660, bestLag, rms);
        assertEquals(0, bestLag);
        // lame at 128 kbit/s returns these tones 0.47 dB quieter (libsndfile/mpg123 decodes the same)
        assertEquals(0.2366, a440, 0.005);
        assertEquals(0.2366, a660, 0.005);
        AudioFiles.Info info = AudioFiles.info(FIXTURES.resolve("tone.mp3"));
        assertEquals("MP3", info.format());
        assertEquals(22050, info.sampleRate());
        assertEquals(2, info.channels());
    }

    @Test
    void corpusWavReads() {
        Path vocadito = TestPaths.corpus("").resolve("audio/vocadito_10.wav");
        Audio a = AudioFiles.read(vocadito);
        assertEquals(44100, a.sampleRate());
        assertEquals(401214, a.samples().length);
        assertTrue(max(a.samples()) > 0.01);
    }

    @Test
    void threeMinuteStereoWavReadsQuickly() throws IOException {
        int rate = 44100, frames = 180 * rate;
        ByteBuffer data = ByteBuffer.allocate(frames * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int f = 0; f < frames; f++) data.putShort((short) (f % 20000)).putShort((short) -(f % 30000));
        Path file = dir.resolve("long.wav");
        Files.write(file, riff(fmt(1, 2, rate, 16, false), data.array()));
        long best = Long.MAX_VALUE;
        Audio a = null;
        for (int run = 0; run < 3; run++) {
            long t0 = System.nanoTime();
            a = AudioFiles.read(file);
            best = Math.min(best, System.nanoTime() - t0);
        }
        System.out.printf("read 3-minute 44.1 kHz stereo 16-bit WAV (%d MB): %.1f ms (best of 3)%n",
                Files.size(file) >> 20, best / 1e6);
        assertEquals(frames, a.samples().length);
        int f = 123457;
        assertEquals(((f % 20000) - (f % 30000)) / 2.0 / 32768, a.samples()[f], 1e-7);
    }

    // ------------------------------------------------------------ bad input

    private BadInputException bad(Path file, String expectedPart) {
        BadInputException e = assertThrows(BadInputException.class, () -> AudioFiles.read(file));
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), "names the file: " + m);
        assertTrue(m.contains(expectedPart), "'" + expectedPart + "' in: " + m);
        assertFalse(m.contains("\n"), "one line: " + m);
        assertEquals(3, e.exitCode());
        return e;
    }

    @Test
    void missingEmptyAndForeignFilesAreRefused() throws IOException {
        bad(dir.resolve("nothing-here.wav"), "file not found");
        bad(Files.write(dir.resolve("empty.wav"), new byte[0]), "empty file");
        bad(Files.writeString(dir.resolve("notes.wav"), "these are my song notes, not audio\n"), "not a WAV file");
        bad(Files.writeString(dir.resolve("notes.flac"), "plain text"), "not a FLAC file");
        bad(Files.writeString(dir.resolve("notes.txt"), "plain text"), "unrecognised audio format");
        bad(Files.createDirectory(dir.resolve("folder.wav")), "directory");
        bad(Files.write(dir.resolve("riff-only.wav"), "RIFF\0\0\0\0WAVE".getBytes(StandardCharsets.US_ASCII)), "no fmt chunk");
    }

    @Test
    void truncatedWavSaysHowMuchIsMissing() throws IOException {
        byte[] whole = wav(Encoding.S16, 2, 44100, 1000, false);
        Path file = Files.write(dir.resolve("cut.wav"), Arrays.copyOf(whole, whole.length - 1234));
        bad(file, "1234 bytes missing");
        bad(file, "truncated");
        assertThrows(BadInputException.class, () -> AudioFiles.info(file));
    }

    @Test
    void unsupportedAndAbsurdHeadersAreRefused() throws IOException {
        bad(Files.write(dir.resolve("adpcm.wav"), riff(fmt(2, 1, 44100, 4, false), new byte[100])), "unsupported WAV encoding: Microsoft ADPCM");
        bad(Files.write(dir.resolve("f16.wav"), riff(fmt(3, 1, 44100, 16, false), new byte[100])), "unsupported WAV encoding");
        bad(Files.write(dir.resolve("s12.wav"), riff(fmt(1, 1, 44100, 12, false), new byte[100])), "unsupported WAV encoding");
        bad(Files.write(dir.resolve("zero.wav"), riff(fmt(1, 0, 44100, 16, false), new byte[100])), "zero channels");
        bad(Files.write(dir.resolve("slow.wav"), riff(fmt(1, 1, 3, 16, false), new byte[100])), "absurd sample rate");
        bad(Files.write(dir.resolve("fast.wav"), riff(fmt(1, 1, 50_000_000, 16, false), new byte[100])), "absurd sample rate");
    }

    @Test
    void truncatedAndBrokenFlacAreRefused() throws IOException {
        bad(FIXTURES.resolve("truncated.flac"), "truncated FLAC");
        byte[] whole = Files.readAllBytes(FIXTURES.resolve("tone.flac"));
        bad(Files.write(dir.resolve("head.flac"), Arrays.copyOf(whole, 100)), "truncated FLAC");
        byte[] flac = Files.readAllBytes(FIXTURES.resolve("tone.flac"));
        for (int i = 200; i < flac.length; i += 97) flac[i] ^= 0x5A; // corrupt the frames
        Path corrupt = Files.write(dir.resolve("corrupt.flac"), flac);
        assertThrows(BadInputException.class, () -> AudioFiles.read(corrupt));
    }

    /** Float WAV (mono, stereo) with {@code bad} written into frame {@code at}, the rest a tone. */
    static byte[] floatWavWith(int bits, int channels, int frames, int at, int channel, double bad) {
        int bytes = bits / 8;
        ByteBuffer data = ByteBuffer.allocate(frames * channels * bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int f = 0; f < frames; f++) {
            for (int c = 0; c < channels; c++) {
                double v = f == at && c == channel ? bad : signal(c, f);
                if (bits == 32) data.putFloat((float) v);
                else data.putDouble(v);
            }
        }
        return riff(fmt(3, channels, 8000, bits, false), data.array());
    }

    @Test
    void nonFiniteSamplesAreRefusedWithTheirTime() throws IOException {
        // frame 4000 of 8000 Hz audio: 0.5 s
        bad(Files.write(dir.resolve("nan.wav"), floatWavWith(32, 1, 8000, 4000, 0, Double.NaN)),
                "NaN/infinite samples at 0.500 s");
        bad(Files.write(dir.resolve("inf.wav"), floatWavWith(32, 2, 8000, 4000, 1, Double.POSITIVE_INFINITY)),
                "NaN/infinite samples at 0.500 s");
        bad(Files.write(dir.resolve("ninf.wav"), floatWavWith(64, 1, 8000, 4000, 0, Double.NEGATIVE_INFINITY)),
                "NaN/infinite samples at 0.500 s");
        // finite as a double, but beyond float range once decoded
        bad(Files.write(dir.resolve("huge.wav"), floatWavWith(64, 1, 8000, 12, 0, 1e300)),
                "NaN/infinite samples at 0.002 s (frame 12");
        // the same files with finite values read (the refusal is about the values, not the encoding)
        assertEquals(8000, AudioFiles.read(Files.write(dir.resolve("ok.wav"), floatWavWith(64, 2, 8000, 4000, 0, 2.5)))
                .samples().length);
    }

    @Test
    void flacLongerThanAJavaArrayIsRefusedNotCalledTruncated() throws IOException {
        byte[] flac = Files.readAllBytes(FIXTURES.resolve("tone.flac"));
        // STREAMINFO's 36-bit total sample count: low nibble of byte 21, then bytes 22..25 (5512 here)
        assertEquals(5512, ByteBuffer.wrap(flac, 22, 4).getInt());
        assertEquals(0, flac[21] & 0x0F);
        flac[21] |= 1; // 2^32 + 5512 samples
        Path file = Files.write(dir.resolve("long.flac"), flac);
        assertEquals(4294972808L, AudioFiles.info(file).frames());
        BadInputException e = bad(file, "longer than Java arrays allow: 4294972808 samples");
        assertFalse(e.getMessage().contains("truncated"), e.getMessage());
    }

    /** STREAMINFO of a FLAC file read into {@code flac}: its 36-bit total sample count (bytes 21..25). */
    private static void setFlacTotal(byte[] flac, long samples) {
        flac[21] = (byte) ((flac[21] & 0xF0) | (samples >>> 32 & 0x0F));
        ByteBuffer.wrap(flac, 22, 4).putInt((int) samples);
    }

    /** Found by the FLAC fuzz target: the last frame's header is bad, and jflac retried it forever at 100% CPU. */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang guard, not a measurement
    void aFlacThatJflacRetriesForeverIsRefused() {
        bad(FOUND.resolve("flac/spins-jflac.flac"), "broken FLAC");
        // and one whose retry read nothing at all (jflac's sync search stops once the promised samples are decoded)
        bad(FOUND.resolve("flac/retries-without-reading.flac"), "broken FLAC: the frame after sample 4096 fails its checks");
    }

    /** A FLAC header is not trusted with memory: 2^30 samples took the heap and ended in a stack trace. */
    @Test
    void aFlacHeaderClaimingMoreThanTheFileHoldsReservesNoMemoryForIt() throws IOException {
        byte[] flac = Files.readAllBytes(FIXTURES.resolve("tone.flac"));
        setFlacTotal(flac, 1L << 30);
        bad(Files.write(dir.resolve("claims-hours.flac"), flac), "13.5 hours of audio (1073741824 samples at 22050 Hz)");
        // as many samples as a Java array holds (8 GB of floats, more than this heap), at 768 kHz: 47 minutes,
        // so only the file's real size decides what is allocated, and the file is found short
        ByteBuffer.wrap(flac, 18, 3).put(new byte[] {(byte) 0xBB, (byte) 0x80, (byte) (flac[20] & 0x0F)}); // 768000 Hz
        setFlacTotal(flac, Integer.MAX_VALUE - 8);
        bad(Files.write(dir.resolve("claims-minutes.flac"), flac), "truncated FLAC: stream info promises 2147483639 samples, file has 5512");
    }

    /**
     * Found by the FLAC fuzz target: jflac allocated what a tag's lengths said (a comment count of
     * hundreds of millions took 16 s and gigabytes). Tags are skipped now, never parsed.
     */
    @Test
    void aFlacTagIsSkippedNotTrustedWithMemory() throws IOException {
        byte[] flac = Files.readAllBytes(FIXTURES.resolve("tone.flac"));
        // tone.flac's VORBIS_COMMENT block starts at byte 64; its vendor string's length (little-endian) at 68
        assertEquals(4, flac[64] & 0x7F);
        ByteBuffer.wrap(flac, 68, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(Integer.MAX_VALUE - 15);
        Path file = Files.write(dir.resolve("tag.flac"), flac);
        assertArrayEquals(AudioFiles.read(FIXTURES.resolve("tone.flac")).samples(), AudioFiles.read(file).samples());
        bad(FOUND.resolve("flac/tag-count-too-big.flac"), "truncated FLAC: the file ends inside its metadata");
    }

    /** A FIFO (or a device) given as audio blocked forever in open. */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang guard, not a measurement
    void aFifoIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = dir.resolve("song.wav");
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo");
        bad(fifo, "not a regular file");
        BadInputException e = assertThrows(BadInputException.class, () -> AudioFiles.info(fifo));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    /** Found by the MP3 fuzz target: the MP3 library threw ArrayIndexOutOfBoundsException and ArithmeticException (exit 1). */
    @Test
    void anMp3ThatBreaksItsDecoderIsRefused() {
        bad(FOUND.resolve("mp3/decoder-index-error.mp3"), "broken MP3 file");
        bad(FOUND.resolve("mp3/decoder-division-by-zero.mp3"), "broken MP3 file"); // "/ by zero"
        // a Xing tag cut short inside the first frame, which our gapless trimming read past: decoded as it is
        assertTrue(AudioFiles.read(FOUND.resolve("mp3/xing-tag-cut-short.mp3")).samples().length > 0);
    }

    @Test
    void garbageMp3IsRefused() throws IOException {
        byte[] junk = new byte[4000];
        new java.util.Random(7).nextBytes(junk);
        junk[0] = 'I'; junk[1] = 'D'; junk[2] = '3'; junk[3] = 3; junk[4] = 0; junk[5] = 0;
        junk[6] = 0; junk[7] = 0; junk[8] = 0; junk[9] = 10; // a 10-byte ID3 tag, then noise
        Path file = Files.write(dir.resolve("noise.mp3"), junk);
        assertThrows(BadInputException.class, () -> AudioFiles.read(file));
    }

    // ------------------------------------------------------------ helpers

    static float max(float[] x) {
        float m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        return m;
    }

    static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        assertTrue(worst <= tolerance, what + ": max |diff| " + worst + " > " + tolerance);
    }
}
