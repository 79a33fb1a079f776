package dev.pianola.render;

import dev.pianola.BadInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Soundbank;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds and loads the SoundFont the renderer plays through. Search order: {@code $PIANOLA_SOUNDFONT},
 * then the usual Linux places for a General MIDI bank (see {@link #SYSTEM_CANDIDATES}).
 * Java's synthesizer reads SF2 and DLS; SF3 (Ogg-compressed samples) it cannot decode, so an SF3
 * found by the search is skipped with a warning and an SF3 named explicitly is refused.
 */
public final class SoundFonts {
    public static final String ENV = "PIANOLA_SOUNDFONT";

    public static final List<Path> SYSTEM_CANDIDATES = List.of(
            Path.of("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
            Path.of("/usr/share/sounds/sf2/default-GM.sf2"),
            Path.of("/usr/share/sounds/sf3/default-GM.sf3"),
            Path.of("/usr/share/soundfonts/FluidR3_GM.sf2"),
            Path.of("/usr/share/soundfonts/default.sf2"),
            Path.of("/usr/share/sounds/sf2/TimGM6mb.sf2"),
            Path.of("/usr/local/share/soundfonts/default.sf2"),
            Path.of("/opt/homebrew/share/soundfonts/default.sf2"));

    private static final Logger LOG = LoggerFactory.getLogger(SoundFonts.class);

    private SoundFonts() {}

    /** Where the search looks, in order: the environment variable (when set), then the system places. */
    public static List<Path> searchPath() {
        List<Path> paths = new ArrayList<>();
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) paths.add(Path.of(env));
        paths.addAll(SYSTEM_CANDIDATES);
        return paths;
    }

    /** The first usable SoundFont on the search path, or empty when there is none. */
    public static Optional<Path> find() {
        for (Path p : searchPath()) {
            if (!Files.isRegularFile(p)) continue;
            if (isSf3(p)) {
                LOG.warn("{}: skipped, SF3 (compressed) SoundFonts cannot be played by Java's synthesizer", p);
                continue;
            }
            return Optional.of(p);
        }
        return Optional.empty();
    }

    /**
     * Loads a SoundFont (SF2 or DLS) and checks all of it that can fail later: the file's length
     * against its RIFF header, the preset and instrument tables (parsed here), and that every SF2
     * sample header points inside the sample data. Sample data itself is read lazily while
     * rendering, which is why those checks matter: a broken file would otherwise only fail, or play
     * silence, in the middle of a render. Quick (about half a second for the 148 MB Fluid R3 GM),
     * so a command can load its SoundFont before hours of other work and keep it.
     * Every problem is a one-line {@link BadInputException} naming the file.
     */
    public static Soundbank load(Path file) {
        if (!Files.isRegularFile(file)) throw new BadInputException(file, Files.exists(file) ? "not a regular file" : "no such SoundFont");
        if (isSf3(file)) throw new BadInputException(file, "SF3 (compressed) SoundFonts are not supported by Java's synthesizer; use an SF2 file");
        try {
            checkRiffLength(file);
            checkSampleHeaders(file);
            Soundbank bank = MidiSystem.getSoundbank(file.toFile());
            if (bank.getInstruments().length == 0) throw new BadInputException(file, "corrupt SoundFont: it holds no instruments");
            if (bank.getVersion() != null && bank.getVersion().startsWith("3.")) {
                throw new BadInputException(file, "SF3 (compressed) SoundFonts are not supported by Java's synthesizer; use an SF2 file");
            }
            return bank;
        } catch (InvalidMidiDataException | IOException e) {
            throw new BadInputException(file, "not a usable SoundFont (" + describe(e) + ")", e);
        } catch (RuntimeException e) {
            if (e instanceof BadInputException) throw e;
            // the RIFF parser fails on truncated chunks with index and size errors
            throw new BadInputException(file, "corrupt SoundFont (" + describe(e) + ")", e);
        }
    }

    /** The synthesizer reads sample data lazily, so a truncated file would only fail mid-render: check the RIFF size first. */
    private static void checkRiffLength(Path file) throws IOException {
        byte[] head = new byte[8];
        long size = Files.size(file);
        try (var in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 8) < 8) throw new BadInputException(file, "not a SoundFont (file is only " + size + " bytes)");
        }
        if (head[0] != 'R' || head[1] != 'I' || head[2] != 'F' || head[3] != 'F') return; // not RIFF: leave it to the readers
        long declared = (head[4] & 0xffL) | (head[5] & 0xffL) << 8 | (head[6] & 0xffL) << 16 | (head[7] & 0xffL) << 24;
        if (declared + 8 > size) {
            throw new BadInputException(file, "truncated SoundFont (its header announces " + (declared + 8) + " bytes, the file has " + size + ")");
        }
    }

    /** The Java parsers throw some exceptions without a message: name the kind of problem then. */
    private static String describe(Exception e) {
        if (e instanceof java.io.EOFException) return "a table ends before its declared size";
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    /**
     * SF2 only: every sample header ({@code pdta/shdr}) must lie inside the sample data
     * ({@code sdta/smpl}). Java's parser accepts headers that point past it and the synthesizer then
     * plays silence. Reads only chunk headers and the sample-header table, never the samples.
     */
    private static void checkSampleHeaders(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = read(ch, 0, 12);
            if (head.getInt(0) != fourCc("RIFF") || head.getInt(8) != fourCc("sfbk")) return; // DLS and others: the readers check them
            long end = Math.min(ch.size(), 8 + (head.getInt(4) & 0xffffffffL));
            long smplBytes = -1, shdrAt = -1, shdrBytes = 0;
            for (long pos = 12; pos + 12 <= end; ) {
                ByteBuffer chunk = read(ch, pos, 12);
                long size = chunk.getInt(4) & 0xffffffffL;
                if (chunk.getInt(0) == fourCc("LIST")) {
                    for (long sub = pos + 12; sub + 8 <= Math.min(end, pos + 8 + size); ) {
                        ByteBuffer h = read(ch, sub, 8);
                        long subSize = h.getInt(4) & 0xffffffffL;
                        if (h.getInt(0) == fourCc("smpl")) smplBytes = subSize;
                        if (h.getInt(0) == fourCc("shdr")) {
                            shdrAt = sub + 8;
                            shdrBytes = subSize;
                        }
                        sub += 8 + subSize + (subSize & 1);
                    }
                }
                pos += 8 + size + (size & 1);
            }
            if (smplBytes < 0 || shdrAt < 0) return; // missing chunks: the parser reports them
            if (shdrAt + shdrBytes > ch.size()) throw new BadInputException(file, "truncated SoundFont (its sample headers run past the end of the file)");
            ByteBuffer shdr = read(ch, shdrAt, (int) Math.min(shdrBytes, 1 << 24));
            long smplSamples = smplBytes / 2;
            for (int at = 0; at + 2 * SAMPLE_HEADER_BYTES <= shdr.limit(); at += SAMPLE_HEADER_BYTES) { // the last one is the EOS terminator
                long start = shdr.getInt(at + 20) & 0xffffffffL, stop = shdr.getInt(at + 24) & 0xffffffffL;
                int type = shdr.getShort(at + 44) & 0xffff;
                if ((type & 0x8000) != 0) continue; // ROM sample: not in this file
                if (start > stop || stop > smplSamples) {
                    String name = new String(shdr.array(), at, 20, java.nio.charset.StandardCharsets.ISO_8859_1).replaceAll("(?s)[\\x00-\\x1f].*", "").strip();
                    throw new BadInputException(file, "corrupt SoundFont: sample \"" + name + "\" (samples " + start + ".." + stop
                            + ") lies outside the sample data (" + smplSamples + " samples)");
                }
            }
        }
    }

    private static final int SAMPLE_HEADER_BYTES = 46;

    private static ByteBuffer read(FileChannel ch, long pos, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) break;
        }
        if (b.hasRemaining()) b.put(new byte[b.remaining()]); // past the end: zeros, which end every walk
        return b.flip();
    }

    private static int fourCc(String s) {
        return (s.charAt(0) & 0xff) | (s.charAt(1) & 0xff) << 8 | (s.charAt(2) & 0xff) << 16 | (s.charAt(3) & 0xff) << 24;
    }

    /** By the real file's name: Debian's default-GM.sf3 may well be a link to an SF2. */
    private static boolean isSf3(Path p) {
        Path real = p;
        try {
            real = p.toRealPath();
        } catch (IOException e) {
            // keep the given name
        }
        Path name = real.getFileName();
        return name != null && name.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".sf3");
    }
}
