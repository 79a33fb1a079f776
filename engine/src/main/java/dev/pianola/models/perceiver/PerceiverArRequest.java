package dev.pianola.models.perceiver;

import dev.pianola.BadInputException;
import dev.pianola.runtime.SamplingConfig;

/**
 * One Perceiver AR generation.
 *
 * @param maxNewTokens how many tokens to generate at most (the model has no EOS, so without a time
 *                     limit exactly this many)
 * @param maxSeconds   stop early once the generated time shifts add up to this many seconds of
 *                     music; {@link Double#POSITIVE_INFINITY} for no limit
 * @param numLatents   latent positions assigned to the end of the prompt (the card uses 1); in
 *                     1..max_latents, and prompt length minus it must not exceed max_prefix_len
 * @param sampling     greedy or sampled, HF semantics ({@link dev.pianola.runtime.Sampler})
 * @param seed         seeds the sampler: one seed, one prompt and one model give the same tokens
 */
public record PerceiverArRequest(int maxNewTokens, double maxSeconds, int numLatents, SamplingConfig sampling, long seed) {
    public PerceiverArRequest {
        if (maxNewTokens < 1) throw new BadInputException("the number of new tokens must be at least 1, it is " + maxNewTokens);
        if (!(maxSeconds > 0)) throw new BadInputException("the length to generate must be > 0 seconds, it is " + maxSeconds);
        if (numLatents < 1) throw new BadInputException("num_latents must be at least 1, it is " + numLatents);
        if (sampling == null) throw new BadInputException("a sampling configuration is needed");
    }

    /** {@code maxNewTokens} tokens, no time limit. */
    public static PerceiverArRequest tokens(int maxNewTokens, int numLatents, SamplingConfig sampling, long seed) {
        return new PerceiverArRequest(maxNewTokens, Double.POSITIVE_INFINITY, numLatents, sampling, seed);
    }
}
