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
        super(oneLine(message), cause);
        this.exitCode = exitCode;
    }

    public PianolaException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    /**
     * The message with its control characters escaped (a newline as {@code \n}, others by code): messages quote
     * what a file holds (a name, a value, a path), and the error stays one line whatever it holds.
     */
    static String oneLine(String message) {
        if (message == null || message.chars().noneMatch(c -> c < 0x20 || c == 0x7F || c == 0x2028 || c == 0x2029)) return message;
        StringBuilder s = new StringBuilder(message.length() + 16);
        for (char c : message.toCharArray()) {
            if (c == '\n') s.append("\\n");
            else if (c == '\r') s.append("\\r");
            else if (c == '\t') s.append("\\t");
            else if (c < 0x20 || c == 0x7F || c == 0x2028 || c == 0x2029) s.append(String.format("\\u%04x", (int) c));
            else s.append(c);
        }
        return s.toString();
    }

    public int exitCode() {
        return exitCode;
    }
}
