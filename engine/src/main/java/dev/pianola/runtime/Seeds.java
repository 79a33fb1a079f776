package dev.pianola.runtime;

import java.security.SecureRandom;

/**
 * Seeds for runs that did not name one: playing the same call twice should give a new answer, so
 * each run (and each plug-in instance or device session) draws its own, and reports it so a good
 * answer can be had again with {@code --seed}.
 */
public final class Seeds {
    private static final SecureRandom SOURCE = new SecureRandom();

    private Seeds() {}

    /** A fresh seed, 0..2^31-1 (short enough to type back in). */
    public static long fresh() {
        return SOURCE.nextInt(Integer.MAX_VALUE);
    }
}
