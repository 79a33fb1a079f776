package dev.pianola.runtime;

import java.util.SplittableRandom;

/**
 * Chooses next tokens by a {@link SamplingConfig}, drawing from its own seeded generator, so that
 * one seed, one prompt and one model always give the same tokens. Not thread-safe: one per
 * generation.
 */
public final class Sampler {
    private final SamplingConfig config;
    private final SplittableRandom random;

    public Sampler(SamplingConfig config, long seed) {
        this.config = config;
        this.random = new SplittableRandom(seed);
    }

    public SamplingConfig config() {
        return config;
    }

    /**
     * Applies the processors and (when sampling) the warpers in transformers' order: repetition
     * penalty, suppressed tokens, then temperature, top-k, top-p.
     */
    public static void warp(SamplingConfig c, float[] logits, int[] history, int historyLength) {
        LogitsWarpers.repetitionPenalty(logits, history, historyLength, c.repetitionPenalty());
        LogitsWarpers.suppress(logits, c.suppressedTokens());
        if (!c.doSample()) return;
        LogitsWarpers.temperature(logits, c.temperature());
        LogitsWarpers.topK(logits, c.topK());
        LogitsWarpers.topP(logits, c.topP());
    }

    /** The next token after {@code history[0, historyLength)}; {@code logits} are overwritten. */
    public int next(float[] logits, int[] history, int historyLength) {
        warp(config, logits, history, historyLength);
        if (!config.doSample()) return LogitsWarpers.argmax(logits);
        float[] probs = LogitsWarpers.softmax(logits);
        double total = 0;
        for (float p : probs) total += p;
        double u = random.nextDouble() * total;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] <= 0) continue;
            last = i;
            cumulative += probs[i];
            if (u < cumulative) return i;
        }
        // u fell past the sum through rounding: the last token with any probability
        return last >= 0 ? last : LogitsWarpers.argmax(logits);
    }
}
