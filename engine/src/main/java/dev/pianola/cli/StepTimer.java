package dev.pianola.cli;

import java.io.PrintStream;

/** With --verbose, one line per finished step of a job and how long it took. */
final class StepTimer {
    private final PrintStream err;
    private final boolean verbose;
    private final long startNanos = System.nanoTime();
    private long lastNanos = startNanos;

    StepTimer(boolean verbose, PrintStream err) {
        this.verbose = verbose;
        this.err = err;
    }

    void done(String step) {
        long now = System.nanoTime();
        if (verbose) err.printf("pianola: %-22s %6.2f s%n", step, (now - lastNanos) / 1e9);
        lastNanos = now;
    }

    double totalSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
