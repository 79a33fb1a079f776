package dev.pianola.runtime;

import dev.pianola.BadInputException;

/**
 * One generation: how many new tokens at most, how to choose them, the seed of the sampler, and
 * the special ids. Generation of a row ends at {@code eosTokenId} (negative: never); rows that end
 * early are padded with {@code padTokenId} while the others go on, as in transformers.
 */
public record GenerationRequest(int maxNewTokens, SamplingConfig sampling, long seed, int eosTokenId, int padTokenId) {
    public GenerationRequest {
        if (maxNewTokens < 1) throw new BadInputException("the number of new tokens must be >= 1, it is " + maxNewTokens);
        if (sampling == null) throw new IllegalArgumentException("sampling is required");
    }

    /** The same request with another end-of-sequence id (negative: generate to the length limit). */
    public GenerationRequest withEos(int eos) {
        return new GenerationRequest(maxNewTokens, sampling, seed, eos, padTokenId);
    }
}
