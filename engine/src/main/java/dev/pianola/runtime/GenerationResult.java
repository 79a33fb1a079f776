package dev.pianola.runtime;

import java.util.List;

/**
 * What a generation produced: for each prompt, its new tokens (up to and including EOS when it
 * came), why it stopped, and how long the prefill and the per-token steps took.
 */
public record GenerationResult(List<int[]> tokens, Stop stop, int steps, long prefillNanos, long decodeNanos) {
    /** Why it ended: every row at EOS, or at its stop rule (RULE, when any row was), the length limit, or cancelled. */
    public enum Stop { EOS, RULE, LENGTH, CANCELLED }

    /** Tokens per second over the steps after the prefill (the prefill's token counts as the first). */
    public double decodeTokensPerSecond() {
        return steps <= 1 || decodeNanos == 0 ? 0 : (steps - 1) / (decodeNanos / 1e9);
    }
}
