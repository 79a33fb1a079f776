package dev.pianola.render;

import dev.pianola.BadInputException;
import dev.pianola.audio.Audio;
import dev.pianola.io.AtomicFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes float audio as a PCM WAV file (16- or 24-bit, little-endian), atomically and with the
 * --force rule. The file is written block by block (header first: its sizes are known up front),
 * so writing never needs a second whole copy of the audio. Byte for byte what
 * {@code javax.sound.sampled.AudioSystem.write} makes for the same samples (the canonical 44-byte
 * header), so files from before and after streaming compare equal.
 */
public final class WavWriter {
    public enum Depth {
        PCM16(16), PCM24(24);

        public final int bits;

        Depth(int bits) {
            this.bits = bits;
        }

        public static Depth ofBits(int bits) {
            for (Depth d : values()) if (d.bits == bits) return d;
            throw new BadInputException("WAV bit depth must be 16 or 24, got " + bits);
        }
    }

    static final int HEADER_BYTES = 44;
    /** RIFF sizes are unsigned 32-bit: the RIFF chunk (36 header bytes + data) must stay below 4 GiB. */
    static final long MAX_DATA_BYTES = 0xFFFF_FFFFL - 36;
    private static final int BLOCK_FRAMES = 4096;

    private WavWriter() {}

    public static void write(Audio mono, Path file, Depth depth, boolean force) {
        write(new RenderedAudio(new float[][]{mono.samples()}, mono.sampleRate()), file, depth, force);
    }

    /** Samples beyond [-1, 1] are clamped (the renderer normalises before this, so none should be). */
    public static void write(RenderedAudio audio, Path file, Depth depth, boolean force) {
        checkFits(file, audio.frames(), audio.channelCount(), audio.sampleRate(), depth);
        AtomicFiles.write(file, force, out -> {
            writeHeader(out, audio.sampleRate(), audio.channelCount(), depth, audio.frames());
            byte[] pcm = new byte[BLOCK_FRAMES * audio.channelCount() * depth.bits / 8];
            for (int from = 0; from < audio.frames(); from += BLOCK_FRAMES) {
                out.write(pcm, 0, encode(audio.channels(), from, Math.min(BLOCK_FRAMES, audio.frames() - from), depth, pcm));
            }
        });
    }

    /** Refuses, before any work, audio whose PCM would not fit in one WAV file (4 GiB). */
    static void checkFits(Path file, long frames, int channels, int sampleRate, Depth depth) {
        long bytes = frames * channels * (depth.bits / 8);
        if (bytes > MAX_DATA_BYTES) {
            throw new BadInputException(file, String.format(Locale.ROOT,
                    "%.1f GB of %d-bit %s audio at %d Hz is more than a WAV file can hold (4.3 GB); use --max-seconds, --mono or a lower --sample-rate",
                    bytes / 1e9, depth.bits, channels == 1 ? "mono" : channels == 2 ? "stereo" : channels + "-channel", sampleRate));
        }
    }

    /** The canonical 44-byte header of a PCM WAV file holding {@code frames} frames. */
    static void writeHeader(OutputStream out, int sampleRate, int channels, Depth depth, long frames) throws IOException {
        int blockAlign = channels * depth.bits / 8;
        long dataBytes = frames * blockAlign;
        if (dataBytes > MAX_DATA_BYTES) throw new IOException("audio too long for a WAV file: " + dataBytes + " bytes");
        byte[] h = new byte[HEADER_BYTES];
        ascii(h, 0, "RIFF");
        le(h, 4, 36 + dataBytes, 4);
        ascii(h, 8, "WAVE");
        ascii(h, 12, "fmt ");
        le(h, 16, 16, 4);                           // fmt chunk size: plain PCM
        le(h, 20, 1, 2);                            // WAVE_FORMAT_PCM
        le(h, 22, channels, 2);
        le(h, 24, sampleRate, 4);
        le(h, 28, (long) sampleRate * blockAlign, 4); // bytes per second
        le(h, 32, blockAlign, 2);
        le(h, 34, depth.bits, 2);
        ascii(h, 36, "data");
        le(h, 40, dataBytes, 4);
        out.write(h);
    }

    /**
     * Converts {@code frames} frames from {@code from} on into interleaved little-endian PCM in
     * {@code out}; returns the number of bytes written there. Samples are clamped to [-1, 1].
     */
    static int encode(float[][] channels, int from, int frames, Depth depth, byte[] out) {
        int bytes = depth.bits / 8;
        double full = (1 << (depth.bits - 1)) - 1; // 32767 or 8388607: symmetric, so +1.0 and -1.0 both fit
        int pos = 0;
        for (int i = from; i < from + frames; i++) {
            for (float[] c : channels) {
                double v = Math.max(-1.0, Math.min(1.0, c[i]));
                int s = (int) Math.round(v * full);
                for (int b = 0; b < bytes; b++) out[pos++] = (byte) (s >> (8 * b));
            }
        }
        return pos;
    }

    private static void ascii(byte[] h, int at, String s) {
        for (int i = 0; i < 4; i++) h[at + i] = (byte) s.charAt(i);
    }

    private static void le(byte[] h, int at, long value, int bytes) {
        for (int b = 0; b < bytes; b++) h[at + b] = (byte) (value >> (8 * b));
    }
}
