package dev.pianola.cli;

import java.nio.file.Path;

/** Default output names: beside the input, with the input's name and a new suffix. */
final class Outputs {
    private Outputs() {}

    static Path besideInput(Path input, String suffix) {
        String name = input.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        Path dir = input.toAbsolutePath().getParent();
        return Path.of("").toAbsolutePath().equals(dir) ? Path.of(stem + suffix) : input.resolveSibling(stem + suffix);
    }
}
