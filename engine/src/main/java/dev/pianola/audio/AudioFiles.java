package dev.pianola.audio;

import dev.pianola.BadInputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import org.jflac.ChannelData;
import org.jflac.FLACDecoder;
import org.jflac.frame.Frame;
import org.jflac.metadata.StreamInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads audio files into mono {@link Audio} at their own sample rate (channels averaged).
 * The format is recognised from the file's first bytes, not its name: WAV (parsed here, every
 * PCM and float encoding, WAVE_FORMAT_EXTENSIBLE), AIFF (javax.sound.sampled), FLAC (jflac) and
 * MP3 (mp3spi; the encoder's delay and padding removed when a LAME tag gives them).
 */
public final class AudioFiles {
    private static final Logger LOG = LoggerFactory.getLogger(AudioFiles.class);
    private static final int MIN_RATE = 1000, MAX_RATE = 768_000, MAX_CHANNELS = 256;
    /** The longest float[] every JVM allocates (a few header words below Integer.MAX_VALUE). */
    static final long MAX_SAMPLES = Integer.MAX_VALUE - 8;
    /**
     * The longest audio read: longer than any song or concert Pianola covers, and a bound on what
     * a small compressed file can make us decode and hold (FLAC and MP3 frames of silence take a
     * few bytes each, so a header or a file of a few kilobytes can stand for days).
     */
    public static final long MAX_SECONDS = 3 * 3600;

    private AudioFiles() {}

    /** What a file holds; {@code frames} is -1 when the format does not say (MP3). */
    public record Info(String format, String encoding, int channels, int sampleRate, long frames) {
        public double seconds() {
            return frames < 0 ? Double.NaN : frames / (double) sampleRate;
        }
    }

    /**
     * The file's audio, mono. Refuses (BadInputException) files it cannot decode and float files
     * holding NaN or infinite samples: no later stage has a meaningful answer for them.
     */
    public static Audio read(Path file) {
        return read(file, MIX);
    }

    /**
     * The file's audio, one {@link Audio} per channel (the file's order: left, right for stereo),
     * with {@link #read}'s checks; each channel is decoded on its own pass over the file.
     */
    public static Audio[] readChannels(Path file) {
        int channels = info(file).channels();
        Audio[] out = new Audio[channels];
        for (int c = 0; c < channels; c++) out[c] = read(file, c);
        return out;
    }

    /** {@code channel} of the file's audio, or with {@link #MIX} the average of all. */
    private static Audio read(Path file, int channel) {
        Audio audio = switch (sniff(file)) {
            case WAV -> Wav.parse(file).read(file, channel);
            case AIFF -> readSampled(file, "AIFF", channel);
            case FLAC -> readFlac(file, channel);
            case MP3 -> readMp3(file, channel);
        };
        checkFinite(file, audio);
        return audio;
    }

    /** Reads the average of every channel (the decoders' other choice is one channel's index). */
    private static final int MIX = -1;

    private static void checkChannel(Path file, int channel, int channels) {
        if (channel >= channels) throw new BadInputException(file, "has " + channels + " channels, not " + (channel + 1));
    }

    /** Channel {@code channel}'s samples of interleaved frames ({@code sampleBytes} each). */
    private static byte[] oneChannel(byte[] interleaved, int frames, int channels, int sampleBytes, int channel) {
        byte[] out = new byte[frames * sampleBytes];
        for (int f = 0; f < frames; f++) {
            System.arraycopy(interleaved, (f * channels + channel) * sampleBytes, out, f * sampleBytes, sampleBytes);
        }
        return out;
    }

    /**
     * Float encodings can hold NaN and infinities (and 64-bit values beyond float range become
     * infinite here); they would poison every sum downstream (resampler, spectra, beat tracker),
     * so they are refused with the time of the first one.
     */
    private static void checkFinite(Path file, Audio audio) {
        float[] s = audio.samples();
        int first = -1;
        long count = 0;
        for (int i = 0; i < s.length; i++) {
            if (!Float.isFinite(s[i])) {
                if (first < 0) first = i;
                count++;
            }
        }
        if (first >= 0)
            throw new BadInputException(file, String.format(Locale.ROOT,
                    "NaN/infinite samples at %.3f s (frame %d; %d such frames in all)",
                    first / (double) audio.sampleRate(), first, count));
    }

    private static BadInputException tooLong(Path file, long samples) {
        return new BadInputException(file, "longer than Java arrays allow: " + samples + " samples (at most "
                + MAX_SAMPLES + ")");
    }

    /** Refuses {@code frames} (as the header says, or as decoded so far) past Java arrays or {@link #MAX_SECONDS}. */
    private static void checkLength(Path file, long frames, int sampleRate) {
        if (frames > MAX_SAMPLES) throw tooLong(file, frames);
        if (frames > MAX_SECONDS * sampleRate)
            throw new BadInputException(file, String.format(Locale.ROOT, "%.1f hours of audio (%d samples at %d Hz);"
                    + " Pianola reads at most %d hours", frames / (3600.0 * sampleRate), frames, sampleRate, MAX_SECONDS / 3600));
    }

    /**
     * A float[] of {@code length} for the samples of {@code file}. Lengths are checked against the
     * file beforehand, so running out of memory here means the audio is real but too long for this
     * heap: that is the user's to fix, and it is told so rather than shown a stack trace.
     */
    private static float[] samplesArray(Path file, long length, float[] keep) {
        try {
            return keep == null ? new float[(int) length] : java.util.Arrays.copyOf(keep, (int) length);
        } catch (OutOfMemoryError e) {
            throw new BadInputException(file, String.format(Locale.ROOT, "%d samples (%d MB as floats) do not fit in this"
                    + " Java heap of %d MB; give Java more memory (PIANOLA_JAVA_OPTS=-Xmx8g) or cut the file",
                    length, length * 4 >> 20, Runtime.getRuntime().maxMemory() >> 20));
        }
    }

    public static Info info(Path file) {
        return switch (sniff(file)) {
            case WAV -> Wav.parse(file).info();
            case AIFF -> infoSampled(file, "AIFF");
            case FLAC -> infoFlac(file);
            case MP3 -> infoSampled(file, "MP3");
        };
    }

    private enum Kind { WAV, AIFF, FLAC, MP3 }

    private static Kind sniff(Path file) {
        if (!Files.exists(file)) throw new BadInputException(file, "file not found");
        if (Files.isDirectory(file)) throw new BadInputException(file, "is a directory, not an audio file");
        // a FIFO or a device would block the reader (forever, for a FIFO no one writes to)
        if (!Files.isRegularFile(file)) throw new BadInputException(file, "not a regular file (a pipe, device or socket); give an audio file");
        byte[] head = new byte[12];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read: " + e.getMessage(), e);
        }
        if (n == 0) throw new BadInputException(file, "empty file (0 bytes)");
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String magic = ascii(head, 0, 4);
        if (n >= 12 && (magic.equals("RIFF") || magic.equals("RIFX")) && ascii(head, 8, 4).equals("WAVE")) {
            if (magic.equals("RIFX")) throw new BadInputException(file, "unsupported WAV: big-endian RIFX");
            return Kind.WAV;
        }
        if (n >= 12 && magic.equals("FORM") && ascii(head, 8, 4).startsWith("AIF")) return Kind.AIFF;
        if (magic.equals("fLaC")) return Kind.FLAC;
        if (magic.startsWith("ID3") || (n >= 2 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xE0) == 0xE0)) return Kind.MP3;
        if (name.endsWith(".wav") || name.endsWith(".wave"))
            throw new BadInputException(file, "not a WAV file: no RIFF/WAVE header");
        if (name.endsWith(".flac")) throw new BadInputException(file, "not a FLAC file: no fLaC header");
        if (name.endsWith(".aif") || name.endsWith(".aiff") || name.endsWith(".aifc"))
            throw new BadInputException(file, "not an AIFF file: no FORM/AIFF header");
        if (name.endsWith(".mp3")) throw new BadInputException(file, "not an MP3 file: no ID3 tag or MPEG frame header");
        throw new BadInputException(file, "unrecognised audio format (expected WAV, AIFF, FLAC or MP3)");
    }

    private static String ascii(byte[] b, int from, int length) {
        return new String(b, from, length, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static void checkShape(Path file, int channels, double sampleRate) {
        if (channels <= 0) throw new BadInputException(file, "zero channels");
        if (channels > MAX_CHANNELS) throw new BadInputException(file, "absurd channel count: " + channels);
        if (!(sampleRate >= MIN_RATE && sampleRate <= MAX_RATE) || sampleRate != Math.rint(sampleRate))
            throw new BadInputException(file, "absurd sample rate: " + sampleRate + " Hz (expected "
                    + MIN_RATE + " to " + MAX_RATE + ")");
    }

    // ---------------------------------------------------------------- WAV

    /** The parsed header of a WAV file: where the samples are and how they are encoded. */
    private record Wav(int formatCode, String encoding, int channels, int sampleRate, int bytesPerSample,
                       long dataOffset, long frames) {
        static final int PCM = 1, FLOAT = 3, EXTENSIBLE = 0xFFFE;

        static Wav parse(Path file) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = ch.size();
                long pos = 12;
                ByteBuffer fmt = null;
                while (pos + 8 <= size) {
                    ByteBuffer header = readAt(ch, pos, 8);
                    String id = new String(new byte[] {header.get(0), header.get(1), header.get(2), header.get(3)},
                            java.nio.charset.StandardCharsets.ISO_8859_1);
                    long chunkSize = header.getInt(4) & 0xFFFFFFFFL;
                    long body = pos + 8;
                    if (id.equals("fmt ")) {
                        if (chunkSize < 16 || body + chunkSize > size)
                            throw new BadInputException(file, "broken WAV: fmt chunk of " + chunkSize + " bytes");
                        fmt = readAt(ch, body, (int) Math.min(chunkSize, 64));
                    } else if (id.equals("data")) {
                        if (fmt == null) throw new BadInputException(file, "broken WAV: data chunk before fmt chunk");
                        long available = size - body;
                        // 0xFFFFFFFF is what streaming writers put when they cannot seek back
                        if (chunkSize == 0xFFFFFFFFL) chunkSize = available;
                        if (chunkSize > available)
                            throw new BadInputException(file, String.format(Locale.ROOT,
                                    "truncated WAV: header promises %d bytes of audio, file has %d (%d bytes missing)",
                                    chunkSize, available, chunkSize - available));
                        return fromFmt(file, fmt, body, chunkSize);
                    }
                    pos = body + chunkSize + (chunkSize & 1); // chunks are padded to even sizes
                }
                throw new BadInputException(file, fmt == null ? "broken WAV: no fmt chunk" : "broken WAV: no data chunk");
            } catch (IOException e) {
                throw new BadInputException(file, "cannot read: " + e.getMessage(), e);
            }
        }

        private static Wav fromFmt(Path file, ByteBuffer fmt, long dataOffset, long dataBytes) {
            int tag = fmt.getShort(0) & 0xFFFF;
            int channels = fmt.getShort(2) & 0xFFFF;
            long rate = fmt.getInt(4) & 0xFFFFFFFFL;
            int blockAlign = fmt.getShort(12) & 0xFFFF;
            int bits = fmt.getShort(14) & 0xFFFF;
            int code = tag;
            if (tag == EXTENSIBLE) {
                if (fmt.limit() < 40) throw new BadInputException(file, "broken WAV: short WAVE_FORMAT_EXTENSIBLE header");
                code = fmt.getShort(24) & 0xFFFF; // first two bytes of the sub-format GUID
            }
            checkShape(file, channels, rate);
            int bytes = bits / 8;
            boolean supported = (code == PCM && bits % 8 == 0 && bytes >= 1 && bytes <= 4)
                    || (code == FLOAT && (bits == 32 || bits == 64));
            if (!supported)
                throw new BadInputException(file, "unsupported WAV encoding: " + describe(code) + ", " + bits + " bits");
            if (blockAlign != channels * bytes)
                throw new BadInputException(file, "broken WAV: block align " + blockAlign + " for " + channels
                        + " channels of " + bits + " bits");
            long frames = dataBytes / blockAlign;
            if (dataBytes % blockAlign != 0)
                LOG.warn("{}: data chunk ends with a partial frame ({} bytes), ignored", file, dataBytes % blockAlign);
            String encoding = (code == FLOAT ? "float " : bits == 8 ? "unsigned " : "signed ") + bits + "-bit"
                    + (tag == EXTENSIBLE ? " (extensible)" : "");
            return new Wav(code, encoding, channels, (int) rate, bytes, dataOffset, frames);
        }

        private static String describe(int code) {
            return switch (code) {
                case 2 -> "Microsoft ADPCM";
                case 6 -> "A-law";
                case 7 -> "mu-law";
                case 0x11 -> "IMA ADPCM";
                case 0x55 -> "MPEG layer 3";
                default -> String.format("format 0x%04X", code);
            };
        }

        Info info() {
            return new Info("WAV", encoding, channels, sampleRate, frames);
        }

        Audio read(Path file, int channel) {
            checkChannel(file, channel, channels);
            // one channel: its samples alone, decoded as a mono file of the same encoding
            Wav one = channel == MIX ? this : new Wav(formatCode, encoding, 1, sampleRate, bytesPerSample, dataOffset, frames);
            checkLength(file, frames, sampleRate);
            float[] out = samplesArray(file, frames, null);
            int blockFrames = 1 << 16;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer buf = ByteBuffer.allocate(blockFrames * channels * bytesPerSample).order(ByteOrder.LITTLE_ENDIAN);
                for (int done = 0; done < frames; ) {
                    int count = (int) Math.min(blockFrames, frames - done);
                    buf.clear().limit(count * channels * bytesPerSample);
                    long at = dataOffset + (long) done * channels * bytesPerSample;
                    while (buf.hasRemaining()) {
                        int r = ch.read(buf, at + buf.position());
                        if (r < 0) throw new BadInputException(file, "file shrank while reading");
                    }
                    buf.flip();
                    if (channel == MIX) mix(buf, out, done, count);
                    else one.mix(ByteBuffer.wrap(oneChannel(buf.array(), count, channels, bytesPerSample, channel))
                            .order(ByteOrder.LITTLE_ENDIAN), out, done, count);
                    done += count;
                }
            } catch (IOException e) {
                throw new BadInputException(file, "cannot read: " + e.getMessage(), e);
            }
            return new Audio(out, sampleRate);
        }

        /** Decodes {@code count} interleaved frames from {@code buf} into mono {@code out[at..]}. */
        private void mix(ByteBuffer buf, float[] out, int at, int count) {
            int n = count * channels;
            float gain = 1f / channels;
            byte[] raw = buf.array();
            if (formatCode == FLOAT && bytesPerSample == 4) {
                float[] s = new float[n];
                buf.asFloatBuffer().get(s);
                mixFloats(s, out, at, count, channels, 1f);
            } else if (formatCode == FLOAT) {
                double[] s = new double[n];
                buf.asDoubleBuffer().get(s);
                for (int f = 0, i = 0; f < count; f++) {
                    double sum = 0;
                    for (int c = 0; c < channels; c++) sum += s[i++];
                    out[at + f] = (float) (sum / channels);
                }
            } else if (bytesPerSample == 1) {
                for (int f = 0, i = 0; f < count; f++) {
                    int sum = 0;
                    for (int c = 0; c < channels; c++) sum += (raw[i++] & 0xFF) - 128;
                    out[at + f] = sum * gain / 128f;
                }
            } else if (bytesPerSample == 2) {
                short[] s = new short[n];
                buf.asShortBuffer().get(s);
                for (int f = 0, i = 0; f < count; f++) {
                    int sum = 0;
                    for (int c = 0; c < channels; c++) sum += s[i++];
                    out[at + f] = sum * gain / 32768f;
                }
            } else if (bytesPerSample == 3) {
                for (int f = 0, i = 0; f < count; f++) {
                    long sum = 0; // 256 channels of 24 bits would overflow an int
                    for (int c = 0; c < channels; c++, i += 3)
                        sum += (raw[i] & 0xFF) | (raw[i + 1] & 0xFF) << 8 | raw[i + 2] << 16;
                    out[at + f] = (float) (sum / (channels * 8388608.0));
                }
            } else {
                int[] s = new int[n];
                buf.asIntBuffer().get(s);
                for (int f = 0, i = 0; f < count; f++) {
                    long sum = 0;
                    for (int c = 0; c < channels; c++) sum += s[i++];
                    out[at + f] = (float) (sum / (channels * 2147483648.0));
                }
            }
        }

        private static ByteBuffer readAt(FileChannel ch, long pos, int length) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b, pos + b.position()) > 0) { }
            b.flip();
            return b;
        }
    }

    private static void mixFloats(float[] s, float[] out, int at, int count, int channels, float scale) {
        float gain = scale / channels;
        if (channels == 1) {
            for (int f = 0; f < count; f++) out[at + f] = s[f] * scale;
            return;
        }
        for (int f = 0, i = 0; f < count; f++) {
            float sum = 0;
            for (int c = 0; c < channels; c++) sum += s[i++];
            out[at + f] = sum * gain;
        }
    }

    // ---------------------------------------------------------------- AIFF and MP3 (javax.sound.sampled)

    private static Audio readSampled(Path file, String format, int channel) {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(file.toFile())) {
            AudioFormat f = in.getFormat();
            checkShape(file, f.getChannels(), f.getSampleRate());
            int rate = Math.round(f.getSampleRate());
            if (in.getFrameLength() > 0) checkLength(file, in.getFrameLength(), rate);
            return decodePcm(file, f, readBounded(file, in, f.getFrameSize(), rate), channel);
        } catch (UnsupportedAudioFileException e) {
            throw new BadInputException(file, "unsupported or broken " + format + " file", e);
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read " + format + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw decoderFailed(file, format, e);
        }
    }

    private static Info infoSampled(Path file, String format) {
        try {
            AudioFileFormat ff = AudioSystem.getAudioFileFormat(file.toFile());
            AudioFormat f = ff.getFormat();
            checkShape(file, f.getChannels(), f.getSampleRate());
            long frames = ff.getFrameLength();
            if (format.equals("MP3")) frames = -1; // MPEG "frames" are not sample frames
            return new Info(format, f.getEncoding() + (f.getSampleSizeInBits() > 0 ? " " + f.getSampleSizeInBits() + "-bit" : ""),
                    f.getChannels(), (int) f.getSampleRate(), frames < 0 ? -1 : frames);
        } catch (UnsupportedAudioFileException e) {
            throw new BadInputException(file, "unsupported or broken " + format + " file", e);
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read " + format + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw decoderFailed(file, format, e);
        }
    }

    /**
     * The decoders of javax.sound.sampled's providers (AIFF, mp3spi's jlayer) and jflac fail on
     * damaged data with index, arithmetic and null-pointer errors; each is a broken file to the user.
     */
    private static BadInputException decoderFailed(Path file, String format, RuntimeException e) {
        if (e instanceof BadInputException b) return b;
        // what failed inside the library says nothing to a musician; it stays in the cause (--verbose)
        return new BadInputException(file, "broken " + format + " file: its decoder fails on damaged data", e);
    }

    /**
     * The decoded bytes of a stream, refused once they pass {@link #MAX_SECONDS} (or what a Java
     * array holds): a decoder's output is not bounded by the file's size.
     */
    private static byte[] readBounded(Path file, AudioInputStream in, int frameBytes, int sampleRate) throws IOException {
        long maxFrames = Math.min(MAX_SAMPLES, MAX_SECONDS * sampleRate);
        int limit = (int) Math.min(Integer.MAX_VALUE - 8, maxFrames * Math.max(1, frameBytes));
        byte[] bytes;
        try {
            bytes = in.readNBytes(limit);
        } catch (OutOfMemoryError e) {
            throw new BadInputException(file, String.format(Locale.ROOT, "its decoded audio does not fit in this Java heap of %d MB;"
                    + " give Java more memory (PIANOLA_JAVA_OPTS=-Xmx8g) or cut the file", Runtime.getRuntime().maxMemory() >> 20));
        }
        if (bytes.length == limit && in.read() >= 0) {
            checkLength(file, limit / Math.max(1, frameBytes) + 1L, sampleRate); // says so when it is past MAX_SECONDS
            throw new BadInputException(file, "its decoded audio is longer than Java arrays allow (more than " + limit + " bytes)");
        }
        return bytes;
    }

    private static Audio readMp3(Path file, int channel) {
        Audio decoded;
        try (AudioInputStream mp3 = AudioSystem.getAudioInputStream(
                new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            AudioFormat source = mp3.getFormat();
            checkShape(file, source.getChannels(), source.getSampleRate());
            AudioFormat pcm = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, source.getSampleRate(), 16,
                    source.getChannels(), source.getChannels() * 2, source.getSampleRate(), false);
            try (AudioInputStream stream = AudioSystem.getAudioInputStream(pcm, mp3)) {
                byte[] bytes = readBounded(file, stream, pcm.getFrameSize(), Math.round(pcm.getSampleRate()));
                if (bytes.length == 0) throw new BadInputException(file, "MP3 holds no audio frames");
                decoded = decodePcm(file, pcm, bytes, channel);
            }
        } catch (UnsupportedAudioFileException e) {
            throw new BadInputException(file, "unsupported or broken MP3 file", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInputException(file, "cannot decode MP3: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw decoderFailed(file, "MP3", e);
        }
        return Mp3Gapless.trim(file, decoded);
    }

    /**
     * Encoders put silence before and after the music (encoder delay and padding) and say how
     * much in the LAME tag of the first frame (a "Xing"/"Info" frame that decodes to silence).
     * Without that tag the decoder's output is returned as it is.
     */
    private static final class Mp3Gapless {
        /** Samples every MPEG layer III decoder delays its output by (the filterbanks' overlap). */
        private static final int DECODER_DELAY = 529;

        static Audio trim(Path file, Audio decoded) {
            byte[] head;
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(1 << 16);
            } catch (IOException e) {
                throw new BadInputException(file, "cannot read: " + e.getMessage(), e);
            }
            ByteBuffer b = ByteBuffer.wrap(head); // big-endian, as MPEG headers are
            int pos = 0;
            if (head.length >= 10 && ascii(head, 0, 3).equals("ID3")) {
                int size = (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F);
                pos = 10 + size + ((head[5] & 0x10) != 0 ? 10 : 0);
            }
            if (pos + 4 > head.length || (head[pos] & 0xFF) != 0xFF || (head[pos + 1] & 0xE0) != 0xE0) return decoded;
            int version = (head[pos + 1] >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
            boolean crc = (head[pos + 1] & 1) == 0, mono = ((head[pos + 3] >> 6) & 3) == 3;
            int sideInfo = version == 3 ? (mono ? 17 : 32) : (mono ? 9 : 17);
            int samplesPerFrame = version == 3 ? 1152 : 576;
            int xing = pos + 4 + (crc ? 2 : 0) + sideInfo;
            if (xing + 8 > head.length) return decoded;
            String tag = ascii(head, xing, 4);
            if (!tag.equals("Xing") && !tag.equals("Info")) return decoded;
            int flags = b.getInt(xing + 4);
            int at = xing + 8;
            long frames = -1;
            if ((flags & 1) != 0 && at + 4 <= head.length) frames = b.getInt(at) & 0xFFFFFFFFL;
            at += ((flags & 1) != 0 ? 4 : 0) + ((flags & 2) != 0 ? 4 : 0) + ((flags & 4) != 0 ? 100 : 0) + ((flags & 8) != 0 ? 4 : 0);
            if (at + 24 > head.length || frames < 0) return decoded;
            String encoder = ascii(head, at, 4);
            if (!encoder.equals("LAME") && !encoder.equals("Lavc") && !encoder.equals("Lavf")) return decoded;
            int delay = (head[at + 21] & 0xFF) << 4 | (head[at + 22] & 0xF0) >> 4;
            int padding = (head[at + 22] & 0x0F) << 8 | (head[at + 23] & 0xFF);
            long start = samplesPerFrame + delay + DECODER_DELAY; // the tag frame, then the encoder's silence
            long length = frames * samplesPerFrame - delay - padding;
            float[] s = decoded.samples();
            if (length <= 0 || start >= s.length) return decoded;
            int end = (int) Math.min(s.length, start + length);
            LOG.debug("{}: gapless MP3, encoder delay {}, padding {}", file, delay, padding);
            return new Audio(java.util.Arrays.copyOfRange(s, (int) start, end), decoded.sampleRate());
        }
    }

    /** Interleaved integer or float PCM of any byte order into mono (or into {@code channel} alone). */
    private static Audio decodePcm(Path file, AudioFormat f, byte[] bytes, int channel) {
        int channels = f.getChannels();
        int bytesPerSample = f.getSampleSizeInBits() / 8;
        AudioFormat.Encoding enc = f.getEncoding();
        boolean signed = enc.equals(AudioFormat.Encoding.PCM_SIGNED);
        boolean isFloat = enc.equals(AudioFormat.Encoding.PCM_FLOAT);
        if (!(signed || isFloat || enc.equals(AudioFormat.Encoding.PCM_UNSIGNED))
                || bytesPerSample < 1 || bytesPerSample > 4 || f.getSampleSizeInBits() % 8 != 0
                || (isFloat && bytesPerSample != 4))
            throw new BadInputException(file, "unsupported encoding: " + enc + " " + f.getSampleSizeInBits() + "-bit");
        checkChannel(file, channel, channels);
        if (channel != MIX && channels > 1) {
            // one channel: its samples alone, decoded as a mono stream of the same encoding
            bytes = oneChannel(bytes, bytes.length / (channels * bytesPerSample), channels, bytesPerSample, channel);
            channels = 1;
            f = new AudioFormat(enc, f.getSampleRate(), f.getSampleSizeInBits(), 1, bytesPerSample, f.getFrameRate(), f.isBigEndian());
        }
        int frameBytes = channels * bytesPerSample;
        int frames = bytes.length / frameBytes;
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(f.isBigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[frames];
        if (isFloat) {
            float[] s = new float[frames * channels];
            buf.asFloatBuffer().get(s);
            mixFloats(s, out, 0, frames, channels, 1f);
        } else if (bytesPerSample == 2 && signed) {
            short[] s = new short[frames * channels];
            buf.asShortBuffer().get(s);
            float[] asFloat = new float[s.length];
            for (int i = 0; i < s.length; i++) asFloat[i] = s[i];
            mixFloats(asFloat, out, 0, frames, channels, 1f / 32768f);
        } else {
            boolean big = f.isBigEndian();
            double full = Math.pow(2, 8 * bytesPerSample - 1);
            for (int fr = 0, i = 0; fr < frames; fr++) {
                double sum = 0;
                for (int c = 0; c < channels; c++, i += bytesPerSample) {
                    int v = 0;
                    for (int b = 0; b < bytesPerSample; b++) {
                        int idx = big ? i + b : i + bytesPerSample - 1 - b;
                        v = (v << 8) | (bytes[idx] & 0xFF);
                    }
                    int shift = 32 - 8 * bytesPerSample;
                    v = signed ? (v << shift) >> shift : v - (1 << (8 * bytesPerSample - 1));
                    sum += v;
                }
                out[fr] = (float) (sum / (channels * full));
            }
        }
        return new Audio(out, Math.round(f.getSampleRate()));
    }

    // ---------------------------------------------------------------- FLAC

    private static Audio readFlac(Path file, int channel) {
        try (InputStream in = flacForJflac(file, 1 << 16)) {
            FLACDecoder decoder = new FLACDecoder(in);
            decoder.addFrameListener(new FrameErrors());
            StreamInfo info = flacInfo(file, decoder);
            int channels = info.getChannels(), rate = info.getSampleRate(), bits = info.getBitsPerSample();
            checkChannel(file, channel, channels);
            long total = info.getTotalSamples();
            // refused up front: clipping the array would later be misreported as "truncated"
            checkLength(file, total, rate);
            // The header's length is not trusted with memory: the array starts at what a file of this
            // size holds as music (lossless compression of music stays far below 4 samples a byte)
            // and grows only as frames really decode.
            long plausible = (1 << 16) + 4 * Files.size(file);
            long limit = total > 0 ? total : Math.min(MAX_SAMPLES, MAX_SECONDS * rate);
            float[] out = samplesArray(file, Math.min(limit, plausible), null);
            double scale = 1.0 / ((channel == MIX ? channels : 1) * Math.pow(2, bits - 1));
            int at = 0;
            Frame frame;
            while ((frame = nextFlacFrame(file, decoder, at)) != null) {
                int block = frame.header.blockSize;
                if (frame.header.channels != channels || frame.header.bitsPerSample != bits)
                    throw new BadInputException(file, "broken FLAC: a frame at sample " + at + " has " + frame.header.channels
                            + " channels of " + frame.header.bitsPerSample + " bits, the stream info " + channels + " of " + bits);
                if ((long) at + block > out.length) {
                    if (total > 0 && (long) at + block > total) break; // more than promised: keep what stream info declared
                    // no length in stream info: the decoded length so far is what is checked
                    if (total <= 0) checkLength(file, (long) at + block, rate);
                    out = samplesArray(file, Math.min(limit, Math.max(2L * out.length, (long) at + block)), out);
                }
                ChannelData[] data = decoder.getChannelData();
                for (int c = 0; c < channels; c++) {
                    if (channel != MIX && c != channel) continue;
                    int[] s = data[c].getOutput();
                    for (int i = 0; i < block; i++) out[at + i] += (float) (s[i] * scale);
                }
                at += block;
            }
            if (decoder.getBadFrames() > 0)
                throw new BadInputException(file, "broken FLAC: " + decoder.getBadFrames() + " frames fail their checks");
            if (total > 0 && at < total)
                throw new BadInputException(file, String.format(Locale.ROOT,
                        "truncated FLAC: stream info promises %d samples, file has %d (%d missing)", total, at, total - at));
            if (at < out.length) out = java.util.Arrays.copyOf(out, at);
            return new Audio(out, rate);
        } catch (IOException e) {
            throw new BadInputException(file, "cannot decode FLAC: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw decoderFailed(file, "FLAC", e);
        }
    }

    /** The next frame, or null at the end, including the end of a file cut inside a frame. */
    private static Frame nextFlacFrame(Path file, FLACDecoder decoder, int atSample) throws IOException {
        try {
            return decoder.readNextFrame();
        } catch (java.io.EOFException | EndGuard.ReadPastEnd e) {
            return null; // after a ReadPastEnd the decoder has counted the bad frames it retried
        } catch (FrameErrors.BadFrame e) {
            throw new BadInputException(file, "broken FLAC: the frame after sample " + atSample + " fails its checks", e);
        }
    }

    /**
     * Ends decoding at the first bad frame. jflac's readNextFrame retries after a bad frame until one
     * decodes, and a retry that reads nothing (its sync search stops once the samples the stream
     * info promises are decoded) never ends; a frame that fails its CRC is zeroed and passed on as
     * if it were music. Either makes the file broken, so the first error a frame reports ends
     * decoding. Lost sync is not an error of a frame: junk between frames, or a tag after the
     * last one, is skipped as before. (The messages tested are jflac 1.5.2's, the version pinned.)
     */
    private static final class FrameErrors implements org.jflac.FrameListener {
        static final class BadFrame extends RuntimeException {
            BadFrame(String jflacMessage) {
                super(jflacMessage, null, false, false);
            }
        }

        @Override
        public void processMetadata(org.jflac.metadata.Metadata metadata) {}

        @Override
        public void processFrame(Frame frame) {}

        @Override
        public void processError(String message) {
            // a file cut inside a frame reports its EOFException here first; it ends the stream as truncated
            if (!message.startsWith("FindSync") && !message.contains("EOFException")) throw new BadFrame(message);
        }
    }

    /**
     * Ends jflac's endless retry. readNextFrame retries after each bad frame until one decodes, and
     * its sync search takes the end of the file for a quiet end of stream; so a bad frame header at
     * the end of a file was retried forever, each time reading at the end again. A decoder reads
     * past the end once or twice at most when all is well: many times means that loop, and this
     * stream ends it with an IOException jflac does not catch.
     */
    private static final class EndGuard extends java.io.FilterInputStream {
        private static final int MAX_READS_PAST_END = 64;

        static final class ReadPastEnd extends IOException {
            ReadPastEnd() {
                super("the decoder kept reading past the end of the file");
            }
        }

        private int readsPastEnd;

        EndGuard(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) pastEnd();
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0 || (n == 0 && len > 0)) pastEnd();
            return n;
        }

        private void pastEnd() throws IOException {
            if (++readsPastEnd > MAX_READS_PAST_END) throw new ReadPastEnd();
        }
    }

    private static Info infoFlac(Path file) {
        try (InputStream in = flacForJflac(file, 8192)) {
            StreamInfo info = flacInfo(file, new FLACDecoder(in));
            return new Info("FLAC", "signed " + info.getBitsPerSample() + "-bit", info.getChannels(),
                    info.getSampleRate(), info.getTotalSamples() > 0 ? info.getTotalSamples() : -1);
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read FLAC: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw decoderFailed(file, "FLAC", e);
        }
    }

    /**
     * The FLAC file as jflac is given it: "fLaC", the STREAMINFO block marked as the last metadata
     * block, then the frames. jflac trusted the lengths inside the other blocks (a tag's comment
     * count, a picture's size) with its allocations, so a few bytes of a damaged tag could ask for
     * gigabytes; those blocks (tags, pictures, seek tables) are skipped here by their own length
     * once each is known to fit in the file, and never parsed: decoding needs none of them.
     */
    private static InputStream flacForJflac(Path file, int bufferBytes) throws IOException {
        byte[] streamInfo = null;
        long pos = 4; // after "fLaC"
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            for (boolean last = false; !last; ) {
                ByteBuffer header = ByteBuffer.allocate(4);
                while (header.hasRemaining() && ch.read(header, pos + header.position()) > 0) { }
                int length = (header.get(1) & 0xFF) << 16 | (header.get(2) & 0xFF) << 8 | (header.get(3) & 0xFF);
                if (header.hasRemaining() || pos + 4 + length > size)
                    throw new BadInputException(file, "truncated FLAC: the file ends inside its metadata");
                last = (header.get(0) & 0x80) != 0;
                if ((header.get(0) & 0x7F) == 0 && streamInfo == null) {
                    if (length != 34) throw new BadInputException(file, "broken FLAC: a STREAMINFO block of " + length + " bytes (34 expected)");
                    ByteBuffer block = ByteBuffer.allocate(4 + length);
                    while (block.hasRemaining() && ch.read(block, pos + block.position()) > 0) { }
                    streamInfo = block.array();
                    streamInfo[0] = (byte) 0x80; // STREAMINFO, the last block jflac reads
                }
                pos += 4 + length;
            }
        }
        if (streamInfo == null) throw new BadInputException(file, "broken FLAC: no STREAMINFO block");
        byte[] head = new byte[4 + streamInfo.length];
        System.arraycopy("fLaC".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, head, 0, 4);
        System.arraycopy(streamInfo, 0, head, 4, streamInfo.length);
        InputStream frames = Files.newInputStream(file);
        try {
            frames.skipNBytes(pos);
        } catch (IOException | RuntimeException e) {
            frames.close();
            throw e;
        }
        return new EndGuard(new BufferedInputStream(new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head), frames), bufferBytes));
    }

    private static StreamInfo flacInfo(Path file, FLACDecoder decoder) throws IOException {
        try {
            decoder.readMetadata();
        } catch (java.io.EOFException e) {
            throw new BadInputException(file, "truncated FLAC: the file ends inside its metadata", e);
        }
        StreamInfo info = decoder.getStreamInfo();
        if (info == null) throw new BadInputException(file, "broken FLAC: no STREAMINFO block");
        checkShape(file, info.getChannels(), info.getSampleRate());
        return info;
    }
}
