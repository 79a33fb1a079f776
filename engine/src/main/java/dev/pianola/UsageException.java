package dev.pianola;

/** The command line asks for something that cannot be done as asked: exit code 2. */
public final class UsageException extends PianolaException {
    public UsageException(String message) {
        super(EXIT_USAGE, message, null);
    }
}
