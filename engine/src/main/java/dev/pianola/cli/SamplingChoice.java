package dev.pianola.cli;

import dev.pianola.runtime.SamplingConfig;

/** The sampling flags a user gave (null: not given), laid over a model's own defaults. */
record SamplingChoice(boolean greedy, Double temperature, Integer topK, Double topP) {
    SamplingConfig over(SamplingConfig defaults) {
        if (greedy || (temperature != null && temperature == 0)) return SamplingConfig.greedy().withSuppressed(defaults.suppressedTokens());
        boolean sampled = defaults.doSample();
        if (!sampled && temperature == null && topK == null && topP == null) return defaults; // the package decodes greedily
        double t = temperature != null ? temperature : sampled ? defaults.temperature() : 1.0;
        int k = topK != null ? topK : sampled ? defaults.topK() : SamplingConfig.HF_DEFAULT_TOP_K;
        double p = topP != null ? topP : sampled ? defaults.topP() : 1.0;
        return new SamplingConfig(true, t, k, p, defaults.repetitionPenalty(), defaults.suppressedTokens());
    }
}
