package dev.pianola.cli;

import dev.pianola.BadInputException;
import dev.pianola.UsageException;
import dev.pianola.io.AtomicFiles;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** Output files: their kinds, the checks made before any work, and default names beside the input. */
final class Outputs {
    private Outputs() {}

    /** What a command writes to a file, and the names that say so. */
    enum Kind {
        MIDI("a standard MIDI file", ".mid", Set.of("mid", "midi", "smf")),
        AUDIO("WAV audio", ".wav", Set.of("wav", "wave")),
        PICTURE("a PNG or JPEG picture", ".png", Set.of("png", "jpg", "jpeg"));

        final String what, suggested;
        final Set<String> extensions;

        Kind(String what, String suggested, Set<String> extensions) {
            this.what = what;
            this.suggested = suggested;
            this.extensions = extensions;
        }
    }

    /** Names of formats Pianola does not write: a file named so would hold something else. */
    private static final Set<String> OTHER_FORMATS = Set.of("mp3", "flac", "ogg", "oga", "opus", "aif", "aiff", "m4a", "aac", "wma",
            "gif", "bmp", "tif", "tiff", "webp", "svg", "pdf", "json", "txt", "xml", "musicxml", "mxl");

    /** One output of a command: where, and what is written there (null path: not asked for). */
    record Output(Path path, Kind kind) {}

    static Output midi(Path p) {
        return new Output(p, Kind.MIDI);
    }

    static Output audio(Path p) {
        return new Output(p, Kind.AUDIO);
    }

    static Output picture(Path p) {
        return new Output(p, Kind.PICTURE);
    }

    /**
     * Refuses, before any work, in this order: an output that is the input (null: none), two outputs that are the
     * same file, an output named for another format than the one written there, and an output that
     * exists (unless {@code force}).
     */
    static void check(Path input, boolean force, Output... outputs) {
        java.util.Set<Path> seen = new java.util.HashSet<>();
        Path in = input == null ? null : input.toAbsolutePath().normalize();
        for (Output o : outputs) {
            Path out = o.path();
            if (out == null) continue;
            Path abs = out.toAbsolutePath().normalize();
            if (abs.equals(in)) throw new UsageException(out + ": is the input file; choose another output name");
            if (!seen.add(abs)) throw new UsageException(out + ": given for two outputs; each output needs its own file");
        }
        for (Output o : outputs) if (o.path() != null) requireKind(o);
        for (Output o : outputs) if (o.path() != null) AtomicFiles.checkWritable(o.path(), force);
    }

    /** A file named .mp3 (or .png for a MIDI file...) would hold another format than its name says: refused. */
    static void requireKind(Output o) {
        String name = o.path().getFileName() == null ? "" : o.path().getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
        if (ext.isEmpty() || o.kind().extensions.contains(ext)) return;
        boolean another = OTHER_FORMATS.contains(ext);
        for (Kind k : Kind.values()) another |= k.extensions.contains(ext);
        if (another) {
            throw new BadInputException(o.path(), "Pianola writes " + o.kind().what + " here, not ." + ext + "; name it " + o.kind().suggested
                    + (o.kind() == Kind.AUDIO ? " (any audio tool converts WAV to ." + ext + ")" : ""));
        }
    }

    static Path besideInput(Path input, String suffix) {
        String name = input.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        Path dir = input.toAbsolutePath().getParent();
        return Path.of("").toAbsolutePath().equals(dir) ? Path.of(stem + suffix) : input.resolveSibling(stem + suffix);
    }
}
