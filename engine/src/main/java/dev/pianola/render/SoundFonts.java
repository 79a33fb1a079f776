package dev.pianola.render;

import dev.pianola.BadInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Soundbank;
import java.io.IOException;
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

    /** Loads a SoundFont (SF2 or DLS). Every problem is a one-line {@link BadInputException} naming the file. */
    public static Soundbank load(Path file) {
        if (!Files.isRegularFile(file)) throw new BadInputException(file, Files.exists(file) ? "not a regular file" : "no such SoundFont");
        if (isSf3(file)) throw new BadInputException(file, "SF3 (compressed) SoundFonts are not supported by Java's synthesizer; use an SF2 file");
        try {
            checkRiffLength(file);
            Soundbank bank = MidiSystem.getSoundbank(file.toFile());
            if (bank.getInstruments().length == 0) throw new BadInputException(file, "corrupt SoundFont: it holds no instruments");
            if (bank.getVersion() != null && bank.getVersion().startsWith("3.")) {
                throw new BadInputException(file, "SF3 (compressed) SoundFonts are not supported by Java's synthesizer; use an SF2 file");
            }
            return bank;
        } catch (InvalidMidiDataException | IOException e) {
            throw new BadInputException(file, "not a usable SoundFont (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            if (e instanceof BadInputException) throw e;
            // the RIFF parser fails on truncated chunks with index and size errors
            throw new BadInputException(file, "corrupt SoundFont (" + e + ")", e);
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
