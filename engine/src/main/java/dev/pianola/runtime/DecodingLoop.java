package dev.pianola.runtime;

import dev.pianola.BadInputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The step loop of transformers' {@code generate} for decoder-only models with a KV cache: prompts
 * of different lengths are left-padded into one batch with an attention mask, the prompt is run
 * once (prefill), then one token per row per step with the cache; rows that reach EOS get PAD
 * while the others continue; the loop stops when every row has ended, at the length limit, or
 * when {@code cancelled} answers true (checked before every step). Position ids follow
 * transformers' rule for padded batches: the running count of unmasked positions minus one, and
 * 1 at padding.
 */
public final class DecodingLoop {
    private DecodingLoop() {
    }

    public static GenerationResult generate(KvDecoder decoder, List<int[]> prompts, GenerationRequest request,
                                            BooleanSupplier cancelled, Progress progress) {
        int batch = prompts.size();
        if (batch == 0) throw new BadInputException("no prompt to continue");
        int longest = 0;
        for (int[] p : prompts) {
            if (p.length == 0) throw new BadInputException("a prompt is empty; it needs at least one token (e.g. BOS)");
            longest = Math.max(longest, p.length);
        }
        int total = longest + request.maxNewTokens();
        int pad = request.padTokenId();
        // sequences as transformers holds them: left padding, then the generated (or PAD) tokens
        int[][] sequences = new int[batch][total];
        long[][] mask = new long[batch][longest];
        for (int b = 0; b < batch; b++) {
            int[] p = prompts.get(b);
            int offset = longest - p.length;
            Arrays.fill(sequences[b], 0, offset, pad);
            System.arraycopy(p, 0, sequences[b], offset, p.length);
            Arrays.fill(mask[b], offset, longest, 1);
        }
        long[][] positions = new long[batch][longest];
        for (int b = 0; b < batch; b++) {
            long seen = 0;
            for (int i = 0; i < longest; i++) {
                seen += mask[b][i];
                positions[b][i] = mask[b][i] == 0 ? 1 : seen - 1;
            }
        }
        long[][] input = new long[batch][longest];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < longest; i++) input[b][i] = sequences[b][i];
        }
        decoder.reset(batch);
        return loop(decoder, sequences, mask, positions, input, longest, request, cancelled, progress);
    }

    /**
     * Continues one prompt whose first {@code cachedTokens} tokens the decoder already holds in its
     * cache (from an earlier run over the same tokens): only the rest of the prompt is run before
     * the first new token. The tokens are those {@link #generate} gives for the prompt alone, up to
     * floating-point noise in the logits (the same sums in another order), which greedy decoding
     * does not see.
     */
    public static GenerationResult continueCached(KvDecoder decoder, int[] prompt, int cachedTokens, GenerationRequest request,
                                                  BooleanSupplier cancelled, Progress progress) {
        if (cachedTokens < 1 || cachedTokens >= prompt.length) {
            throw new IllegalArgumentException("cached tokens must leave at least one of the prompt's " + prompt.length + " to run, got " + cachedTokens);
        }
        if (decoder.pastLength() != cachedTokens) {
            throw new IllegalStateException("the decoder holds " + decoder.pastLength() + " cached positions, not " + cachedTokens);
        }
        int length = prompt.length;
        int[][] sequences = new int[1][length + request.maxNewTokens()];
        System.arraycopy(prompt, 0, sequences[0], 0, length);
        long[][] mask = new long[1][length];
        Arrays.fill(mask[0], 1);
        long[][] positions = new long[1][length - cachedTokens];
        long[][] input = new long[1][length - cachedTokens];
        for (int i = cachedTokens; i < length; i++) {
            positions[0][i - cachedTokens] = i;
            input[0][i - cachedTokens] = prompt[i];
        }
        return loop(decoder, sequences, mask, positions, input, length, request, cancelled, progress);
    }

    /** The steps, from the first run of the prompt's (remaining) tokens to EOS, the length limit or cancellation. */
    private static GenerationResult loop(KvDecoder decoder, int[][] sequences, long[][] mask, long[][] positions, long[][] input,
                                         int longest, GenerationRequest request, BooleanSupplier cancelled, Progress progress) {
        int batch = sequences.length;
        int pad = request.padTokenId();
        Sampler sampler = new Sampler(request.sampling(), request.seed());
        boolean[] finished = new boolean[batch];
        boolean ruled = false;
        int[] produced = new int[batch];
        int length = longest;
        long start = System.nanoTime();
        long prefillNanos = 0;
        int steps = 0;
        GenerationResult.Stop stop = GenerationResult.Stop.LENGTH;
        while (steps < request.maxNewTokens()) {
            if (cancelled.getAsBoolean()) {
                stop = GenerationResult.Stop.CANCELLED;
                break;
            }
            float[][] logits = decoder.run(input, mask, positions);
            if (steps == 0) prefillNanos = System.nanoTime() - start;
            boolean allDone = true;
            for (int b = 0; b < batch; b++) {
                if (!finished[b]) request.rule().apply(b, sequences[b], length, logits[b]);
                int next = sampler.next(logits[b], sequences[b], length);
                if (finished[b]) {
                    next = pad;
                } else {
                    produced[b]++;
                    request.streamer().put(b, next);
                    if (next == request.eosTokenId()) {
                        finished[b] = true;
                    } else if (request.stop().endsAfter(b, next)) {
                        finished[b] = true;
                        ruled = true;
                    }
                }
                sequences[b][length] = next;
                allDone &= finished[b];
            }
            length++;
            steps++;
            progress.update(steps, request.maxNewTokens(), "tokens");
            if (allDone) {
                stop = ruled ? GenerationResult.Stop.RULE : GenerationResult.Stop.EOS;
                break;
            }
            // the next step feeds the new token; the mask grows by one attended position
            long[][] grown = new long[batch][length];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(mask[b], 0, grown[b], 0, length - 1);
                grown[b][length - 1] = 1;
                input[b] = new long[] {sequences[b][length - 1]};
                long count = 0;
                for (long m : grown[b]) count += m;
                positions[b] = new long[] {count - 1};
            }
            mask = grown;
        }
        long decodeNanos = steps == 0 ? 0 : System.nanoTime() - start - prefillNanos;
        List<int[]> tokens = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] t = new int[produced[b]];
            System.arraycopy(sequences[b], longest, t, 0, produced[b]);
            tokens.add(t);
        }
        return new GenerationResult(tokens, stop, steps, prefillNanos, decodeNanos);
    }
}
