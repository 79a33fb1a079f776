package dev.pianola.cli;

import dev.pianola.UsageException;
import dev.pianola.io.AtomicFiles;

import java.nio.file.Path;

/** Default output names: beside the input, with the input's name and a new suffix. */
final class Outputs {
    private Outputs() {}

    /**
     * Refuses, before any work: an output that exists (unless {@code force}), an output that is the
     * input, and two outputs that are the same file.
     */
    static void check(Path input, boolean force, Path... outputs) {
        java.util.Set<Path> seen = new java.util.HashSet<>();
        Path in = input.toAbsolutePath().normalize();
        for (Path out : outputs) {
            if (out == null) continue;
            Path abs = out.toAbsolutePath().normalize();
            if (abs.equals(in)) throw new UsageException(out + ": is the input file; choose another output name");
            if (!seen.add(abs)) throw new UsageException(out + ": given for two outputs; each output needs its own file");
            AtomicFiles.checkWritable(out, force);
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
