package dev.pianola.models.musicgen;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.pianola.BadInputException;
import dev.pianola.ModelException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * MusicGen's T5 text tokenizer: the package's {@code tokenizer.json} run by Hugging Face's own
 * tokenizers library (through DJL, whose jar carries the native library), so the ids are those of
 * transformers' {@code T5TokenizerFast}: SentencePiece unigram pieces, then {@code </s>}. A batch
 * is right-padded with the pad id and masked, as the tokenizer's {@code padding=True}. No
 * truncation: T5's relative positions have no length limit.
 */
public final class MusicgenTokenizer implements AutoCloseable {
    /** Ids and attention mask of a batch of prompts, [batch][longest]. */
    public record Batch(long[][] inputIds, long[][] attentionMask) {}

    private final HuggingFaceTokenizer tokenizer;
    private final long padId;

    public MusicgenTokenizer(Path tokenizerJson, long padId) {
        try {
            // padding and truncation are ours (see the class comment); special tokens as transformers adds them
            tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson,
                    Map.of("addSpecialTokens", "true", "padding", "false", "truncation", "false"));
        } catch (IOException | RuntimeException e) {
            throw new ModelException(tokenizerJson, "cannot load the tokenizer: " + e.getMessage(), e);
        }
        this.padId = padId;
    }

    /** One prompt's ids, {@code </s>} last. */
    public long[] encode(String text) {
        Encoding e = tokenizer.encode(text);
        return e.getIds();
    }

    /** Every prompt, right-padded to the longest. */
    public Batch encode(List<String> prompts) {
        if (prompts.isEmpty()) throw new BadInputException("no text prompt");
        long[][] ids = new long[prompts.size()][];
        int longest = 0;
        for (int b = 0; b < ids.length; b++) {
            ids[b] = encode(prompts.get(b));
            longest = Math.max(longest, ids[b].length);
        }
        long[][] padded = new long[ids.length][longest];
        long[][] mask = new long[ids.length][longest];
        for (int b = 0; b < ids.length; b++) {
            java.util.Arrays.fill(padded[b], padId);
            System.arraycopy(ids[b], 0, padded[b], 0, ids[b].length);
            java.util.Arrays.fill(mask[b], 0, ids[b].length, 1);
        }
        return new Batch(padded, mask);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
