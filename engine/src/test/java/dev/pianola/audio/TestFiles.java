package dev.pianola.audio;

import java.nio.file.Path;

/** Where the committed fixtures and the shared corpus are (surefire passes pianola.root). */
final class TestFiles {
    private TestFiles() {}

    static Path root() {
        return Path.of(System.getProperty("pianola.root", "..")).toAbsolutePath().normalize();
    }

    static Path fixtures() {
        return root().resolve("tests/fixtures");
    }

    static Path corpus() {
        return root().resolveSibling("shared").resolve("corpus");
    }
}
