package dev.pianola;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Where tests find the repository and the shared corpus (surefire sets pianola.root). */
public final class TestPaths {
    private TestPaths() {}

    public static Path root() {
        return Path.of(System.getProperty("pianola.root", "..")).toAbsolutePath().normalize();
    }

    public static Path fixtures(String topic) {
        return root().resolve("tests/fixtures").resolve(topic);
    }

    /** The shared corpus; a test that needs it fails loudly (not skipped) when it is missing. */
    public static Path corpus(String relative) {
        Path p = root().resolve("../shared/corpus").resolve(relative).normalize();
        if (!Files.exists(p)) throw new IllegalStateException("test corpus missing: " + p + " (see ../shared/corpus/SOURCES.md)");
        return p;
    }

    public static void assumeFile(Path p) {
        assumeTrue(Files.exists(p), "missing " + p);
    }
}
