package dev.pianola;

import java.nio.file.Path;

/** The user's input (audio, MIDI, a parameter value) cannot be used: exit code 3. */
public final class BadInputException extends PianolaException {
    public BadInputException(Path file, String problem, Throwable cause) {
        super(EXIT_BAD_INPUT, file + ": " + problem, cause);
    }

    public BadInputException(Path file, String problem) {
        this(file, problem, null);
    }

    /** For a problem that is not tied to a file, such as an absurd parameter value. */
    public BadInputException(String problem) {
        super(EXIT_BAD_INPUT, problem, null);
    }
}
