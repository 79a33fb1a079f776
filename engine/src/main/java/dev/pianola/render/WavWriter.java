package dev.pianola.render;

import dev.pianola.audio.Audio;
import dev.pianola.io.AtomicFiles;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;

/** Writes float audio as a PCM WAV file (16- or 24-bit, little-endian), atomically and with the --force rule. */
public final class WavWriter {
    public enum Depth {
        PCM16(16), PCM24(24);

        public final int bits;

        Depth(int bits) {
            this.bits = bits;
        }

        public static Depth ofBits(int bits) {
            for (Depth d : values()) if (d.bits == bits) return d;
            throw new dev.pianola.BadInputException("WAV bit depth must be 16 or 24, got " + bits);
        }
    }

    private WavWriter() {}

    public static void write(Audio mono, Path file, Depth depth, boolean force) {
        write(new RenderedAudio(new float[][]{mono.samples()}, mono.sampleRate()), file, depth, force);
    }

    /** Samples beyond [-1, 1] are clamped (the renderer normalises before this, so none should be). */
    public static void write(RenderedAudio audio, Path file, Depth depth, boolean force) {
        byte[] pcm = interleavedPcm(audio, depth);
        int bytesPerFrame = depth.bits / 8 * audio.channelCount();
        AudioFormat format = new AudioFormat(audio.sampleRate(), depth.bits, audio.channelCount(), true, false);
        AtomicFiles.write(file, force, out -> AudioSystem.write(
                new AudioInputStream(new ByteArrayInputStream(pcm), format, pcm.length / bytesPerFrame),
                AudioFileFormat.Type.WAVE, out));
    }

    static byte[] interleavedPcm(RenderedAudio audio, Depth depth) {
        int channels = audio.channelCount(), frames = audio.frames(), bytes = depth.bits / 8;
        double full = (1 << (depth.bits - 1)) - 1; // 32767 or 8388607: symmetric, so +1.0 and -1.0 both fit
        byte[] out = new byte[frames * channels * bytes];
        int pos = 0;
        for (int i = 0; i < frames; i++) {
            for (float[] c : audio.channels()) {
                double v = Math.max(-1.0, Math.min(1.0, c[i]));
                int s = (int) Math.round(v * full);
                for (int b = 0; b < bytes; b++) out[pos++] = (byte) (s >> (8 * b));
            }
        }
        return out;
    }
}
