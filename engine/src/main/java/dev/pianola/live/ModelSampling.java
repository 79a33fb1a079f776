package dev.pianola.live;

import dev.pianola.runtime.SamplingConfig;

/** The live temperature laid over a model package's own sampling defaults. */
final class ModelSampling {
    private ModelSampling() {}

    /** 0 is greedy; otherwise the package's top-k and top-p (HF's top-k 50 when it decodes greedily) at this temperature. */
    static SamplingConfig at(SamplingConfig defaults, double temperature) {
        if (temperature == 0) return SamplingConfig.greedy().withSuppressed(defaults.suppressedTokens());
        int topK = defaults.doSample() ? defaults.topK() : SamplingConfig.HF_DEFAULT_TOP_K;
        double topP = defaults.doSample() ? defaults.topP() : 1.0;
        return new SamplingConfig(true, temperature, topK, topP, defaults.repetitionPenalty(), defaults.suppressedTokens());
    }
}
