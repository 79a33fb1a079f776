package dev.pianola;

import java.nio.file.Path;

/** A model is missing, corrupt, of the wrong shape, or failed to run: exit code 4. */
public final class ModelException extends PianolaException {
    public ModelException(Path file, String problem, Throwable cause) {
        super(EXIT_MODEL, file + ": " + problem, cause);
    }

    public ModelException(Path file, String problem) {
        this(file, problem, null);
    }
}
