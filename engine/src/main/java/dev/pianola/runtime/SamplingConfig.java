package dev.pianola.runtime;

import dev.pianola.BadInputException;

import java.util.List;

/**
 * How the next token is chosen from the logits, with Hugging Face {@code generate}'s semantics
 * (see {@link LogitsWarpers}): the repetition penalty and the suppressed tokens apply to greedy and
 * sampled decoding alike; temperature, top-k and top-p only when sampling, in that order.
 *
 * @param doSample          false: greedy (argmax); true: draw from the warped distribution
 * @param temperature       divides the logits; 1 leaves them alone
 * @param topK              keep the k most likely tokens (ties at the k-th survive); 0 turns it off
 * @param topP              keep the smallest set whose probability reaches p; 1 turns it off
 * @param repetitionPenalty HF's CTRL penalty on every token already in the sequence; 1 turns it off
 * @param suppressedTokens  ids that are never chosen (e.g. PAD)
 */
public record SamplingConfig(boolean doSample, double temperature, int topK, double topP,
                             double repetitionPenalty, List<Integer> suppressedTokens) {
    /** What transformers' GenerationConfig uses for top_k when sampling and none is given. */
    public static final int HF_DEFAULT_TOP_K = 50;

    public SamplingConfig {
        if (!(temperature > 0) || Double.isInfinite(temperature)) throw new BadInputException("temperature must be > 0, it is " + temperature);
        if (topK < 0) throw new BadInputException("top-k must be >= 0 (0 = off), it is " + topK);
        if (!(topP > 0 && topP <= 1)) throw new BadInputException("top-p must be in (0, 1], it is " + topP);
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw new BadInputException("repetition penalty must be > 0 (1 = off), it is " + repetitionPenalty);
        }
        suppressedTokens = suppressedTokens == null ? List.of() : List.copyOf(suppressedTokens);
    }

    /**
     * A package's generation defaults (HF's top-k 50 when it samples and names none); greedy when
     * the package gives none or does not sample. Nothing suppressed: each family adds its own.
     */
    public static SamplingConfig of(ModelManifest.Generation g) {
        if (g == null || !Boolean.TRUE.equals(g.doSample())) return greedy();
        return new SamplingConfig(true, g.temperature() == null ? 1 : g.temperature(),
                g.topK() == null ? HF_DEFAULT_TOP_K : g.topK(), g.topP() == null ? 1 : g.topP(),
                g.repetitionPenalty() == null ? 1 : g.repetitionPenalty(), List.of());
    }

    /** Greedy decoding, nothing suppressed. */
    public static SamplingConfig greedy() {
        return new SamplingConfig(false, 1, 0, 1, 1, List.of());
    }

    /** Sampling with temperature, top-k and top-p, no repetition penalty. */
    public static SamplingConfig sampling(double temperature, int topK, double topP) {
        return new SamplingConfig(true, temperature, topK, topP, 1, List.of());
    }

    public SamplingConfig withSuppressed(List<Integer> tokens) {
        return new SamplingConfig(doSample, temperature, topK, topP, repetitionPenalty, tokens);
    }

    public SamplingConfig withRepetitionPenalty(double penalty) {
        return new SamplingConfig(doSample, temperature, topK, topP, penalty, suppressedTokens);
    }
}
