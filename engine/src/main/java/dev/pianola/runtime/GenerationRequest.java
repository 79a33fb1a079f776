package dev.pianola.runtime;

import dev.pianola.BadInputException;

/**
 * One generation: how many new tokens at most, how to choose them, the seed of the sampler, and
 * the special ids. Generation of a row ends at {@code eosTokenId} (negative: never); rows that end
 * early are padded with {@code padTokenId} while the others go on, as in transformers.
 */
public record GenerationRequest(int maxNewTokens, SamplingConfig sampling, long seed, int eosTokenId, int padTokenId, StopRule stop,
                                TokenStreamer streamer, TokenRule rule) {
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

    /**
     * Sees each new token of a row as soon as it is chosen (transformers' {@code streamer}), before
     * the stop rule: a live answer is played from its first notes while the rest is still written.
     * Called on the generating thread; it must be quick (a model step is milliseconds).
     */
    @FunctionalInterface
    public interface TokenStreamer {
        void put(int row, int token);

        TokenStreamer NONE = (row, token) -> { };
    }

    /**
     * Rules out next tokens before the sampler chooses (a transformers logits processor that sets
     * scores to -inf): e.g. REMI in time order for a live answer. Sees the row's tokens so far
     * ({@code history[0, length)}, the prompt included) and the row's logits, which it may only
     * lower; called on the generating thread once per step of each row still running.
     */
    @FunctionalInterface
    public interface TokenRule {
        void apply(int row, int[] history, int length, float[] logits);

        TokenRule NONE = (row, history, length, logits) -> { };
    }

    public GenerationRequest {
        if (maxNewTokens < 1) throw new BadInputException("the number of new tokens must be >= 1, it is " + maxNewTokens);
        if (sampling == null) throw new IllegalArgumentException("sampling is required");
        if (stop == null) throw new IllegalArgumentException("a stop rule is required (StopRule.NEVER for none)");
        if (streamer == null) throw new IllegalArgumentException("a streamer is required (TokenStreamer.NONE for none)");
        if (rule == null) throw new IllegalArgumentException("a token rule is required (TokenRule.NONE for none)");
    }

    public GenerationRequest(int maxNewTokens, SamplingConfig sampling, long seed, int eosTokenId, int padTokenId) {
        this(maxNewTokens, sampling, seed, eosTokenId, padTokenId, StopRule.NEVER, TokenStreamer.NONE, TokenRule.NONE);
    }

    /** The same request with another end-of-sequence id (negative: generate to the length limit). */
    public GenerationRequest withEos(int eos) {
        return new GenerationRequest(maxNewTokens, sampling, seed, eos, padTokenId, stop, streamer, rule);
    }

    /** The same request with a stop rule. */
    public GenerationRequest withStop(StopRule rule) {
        return new GenerationRequest(maxNewTokens, sampling, seed, eosTokenId, padTokenId, rule, streamer, this.rule);
    }

    /** The same request with a streamer. */
    public GenerationRequest withStreamer(TokenStreamer s) {
        return new GenerationRequest(maxNewTokens, sampling, seed, eosTokenId, padTokenId, stop, s, rule);
    }

    /** The same request with a token rule. */
    public GenerationRequest withRule(TokenRule r) {
        return new GenerationRequest(maxNewTokens, sampling, seed, eosTokenId, padTokenId, stop, streamer, r);
    }
}
