package dev.pianola;

/**
 * Every failure a user can act on. The message is written for a musician, one line, and names
 * the file and the problem; the exit code tells scripts which kind of failure it was.
 */
public class PianolaException extends RuntimeException {
    /** Exit codes of the CLI: 0 ok, 1 anything else, 2 usage, 3 bad input, 4 model problem, 5 device (JACK, CUDA) problem. */
    public static final int EXIT_OTHER = 1, EXIT_USAGE = 2, EXIT_BAD_INPUT = 3, EXIT_MODEL = 4, EXIT_DEVICE = 5;

    private final int exitCode;

    public PianolaException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public PianolaException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    public int exitCode() {
        return exitCode;
    }
}
