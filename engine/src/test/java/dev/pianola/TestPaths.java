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

    /**
     * Where the corpus is: the shared one beside the clone (CI), else what scripts/fetch-corpus
     * fetched into the clone's .corpus; the shared one's path when neither is there.
     */
    public static Path corpusRoot() {
        Path shared = root().resolve("../shared/corpus").normalize(), fetched = root().resolve(".corpus");
        return !Files.isDirectory(shared) && Files.isDirectory(fetched) ? fetched : shared;
    }

    /**
     * A file of the shared corpus. A fresh clone may have none beside it: the test that needs it is
     * then skipped, and says what is missing (CI has the corpus and runs them all).
     */
    public static Path corpus(String relative) {
        Path p = corpusRoot().resolve(relative).normalize();
        assumeTrue(Files.exists(p), "test corpus missing: " + p + " (scripts/fetch-corpus fetches it where the network allows)");
        return p;
    }

    public static void assumeFile(Path p) {
        assumeTrue(Files.exists(p), "missing " + p);
    }
}
