package dev.pianola.it;

import dev.pianola.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs the real CLI in this JVM and captures what it prints. */
final class Cli {
    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    private Cli() {}

    static Run run(Object... args) {
        String[] argv = new String[args.length];
        for (int i = 0; i < args.length; i++) argv[i] = String.valueOf(args[i]);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out, oldErr = System.err;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8); PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            // commands print their summaries on System.out/err; picocli prints usage and errors on these
            System.setOut(o);
            System.setErr(e);
            int code = Main.run(argv, o, e);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static Path root() {
        return Path.of(System.getProperty("pianola.root", "..")).toAbsolutePath().normalize();
    }

    /** A corpus file, from where the engine's tests find the corpus (TestPaths.corpusRoot); skipped, saying what is missing, when absent. */
    static Path corpus(String relative) {
        return dev.pianola.TestPaths.corpus(relative);
    }

    static Path example() {
        return root().resolve("examples/demo.wav");
    }
}
