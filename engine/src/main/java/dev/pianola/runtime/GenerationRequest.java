package dev.pianola.runtime;

import dev.pianola.BadInputException;

/**
 * One generation: how many new tokens at most, how to choose them, the seed of the sampler, and
 * the special ids. Generation of a row ends at {@code eosTokenId} (negative: never); rows that end
 * early are padded with {@code padTokenId} while the others go on, as in transformers.
 */
public record GenerationRequest(int maxNewTokens, SamplingConfig sampling, long seed, int eosTokenId, int padTokenId, StopRule stop) {
    /**
     * A row's generation may also end after a token the caller has seen enough at (transformers'
     * stopping criteria): e.g. REMI once the bar after the answer's window has begun, since nothing
     * after it is played. Called once per new token of each row still running; the token is kept.
     */
    @FunctionalInterface
    public interface StopRule {
        boolean endsAfter(int row, int token);

        StopRule NEVER = (row, token) -> false;
    }

    public GenerationRequest {
        if (maxNewTokens < 1) throw new BadInputException("the number of new tokens must be >= 1, it is " + maxNewTokens);
        if (sampling == null) throw new IllegalArgumentException("sampling is required");
        if (stop == null) throw new IllegalArgumentException("a stop rule is required (StopRule.NEVER for none)");
    }

    public GenerationRequest(int maxNewTokens, SamplingConfig sampling, long seed, int eosTokenId, int padTokenId) {
        this(maxNewTokens, sampling, seed, eosTokenId, padTokenId, StopRule.NEVER);
    }

    /** The same request with another end-of-sequence id (negative: generate to the length limit). */
    public GenerationRequest withEos(int eos) {
        return new GenerationRequest(maxNewTokens, sampling, seed, eos, padTokenId, stop);
    }

    /** The same request with a stop rule. */
    public GenerationRequest withStop(StopRule rule) {
        return new GenerationRequest(maxNewTokens, sampling, seed, eosTokenId, padTokenId, rule);
    }
}
