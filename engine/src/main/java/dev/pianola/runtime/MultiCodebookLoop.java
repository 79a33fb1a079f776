package dev.pianola.runtime;

import ai.onnxruntime.OnnxTensorLike;

import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The step loop of transformers' {@code generate} for a decoder that predicts several parallel
 * token streams (codebooks) per sequence, as MusicGen's: each sequence has one row of ids per
 * codebook, rows ordered {@code sequence * codebooks + k}, and the decoder returns one row of
 * logits per input row. Positions may be forced: where {@code forced[row][j] != FREE} the decoder
 * is fed the forced id instead of the one generated there (MusicGen's delay pattern and audio
 * prompts), re-applied over the whole sequence before every step as transformers does; the
 * returned sequences have the forced ids in place.
 *
 * <p>Classifier-free guidance (scale &gt; 1): every row is run twice in one batch, first as given
 * (conditional, with the caller's conditioning inputs in the first half of the cache batch) and then
 * as the unconditional copy (second half); each row's scores are
 * {@link LogitsWarpers#classifierFreeGuidance} of its two rows of logits, before the sampler's
 * warpers (transformers' order: the guidance processor comes before temperature and top-k).
 * Generation runs to the length limit (no EOS) or until {@code cancelled} answers true.
 */
public final class MultiCodebookLoop {
    /** Marks a position of {@code forced} that the decoder generates. */
    public static final long FREE = -1;

    private MultiCodebookLoop() {
    }

    /**
     * What a generation produced: every row's full sequence, prompt included, forced ids in place
     * ({@code [rows][length]}, length = prompt + steps), why it ended and how long it took.
     */
    public record Result(long[][] sequences, GenerationResult.Stop stop, int steps, long prefillNanos, long decodeNanos) {
        /** Decoder steps per second after the first (the prefill). */
        public double stepsPerSecond() {
            return steps <= 1 || decodeNanos == 0 ? 0 : (steps - 1) / (decodeNanos / 1e9);
        }
    }

    /**
     * Generates until every row holds {@code forced[0].length} ids.
     *
     * @param decoder       the decoder graph; reset here to {@code rows} (x2 with guidance) rows of
     *                      ids over {@code sequences} (x2) cache rows
     * @param prompt        [rows][n] the ids every row starts with (n &gt;= 1); run at once as the prefill
     * @param forced        [rows][maxLength] forced ids, {@link #FREE} where the decoder chooses
     * @param sequences     how many sequences the rows belong to (rows = sequences * codebooks)
     * @param guidanceScale classifier-free guidance when &gt; 1 (the conditioning inputs then hold
     *                      2 * sequences rows, the unconditional ones second); 1 turns it off
     * @param sampling      greedy or sampled choice of each row's next id, warpers as transformers'
     * @param seed          seeds the sampler (one draw per row per step, rows in order)
     * @param inputs        the decoder's further inputs, the same every step (e.g. the encoder mask
     *                      and cross-attention keys and values)
     */
    public static Result generate(KvDecoder decoder, long[][] prompt, long[][] forced, int sequences, double guidanceScale,
                                  SamplingConfig sampling, long seed, Map<String, OnnxTensorLike> inputs,
                                  BooleanSupplier cancelled, Progress progress) {
        int rows = prompt.length;
        if (rows == 0 || rows % sequences != 0 || forced.length != rows) {
            throw new IllegalArgumentException(rows + " prompt rows, " + forced.length + " forced rows, " + sequences + " sequences");
        }
        int length = prompt[0].length;
        int maxLength = forced[0].length;
        if (length < 1 || length > maxLength) throw new IllegalArgumentException("prompt of " + length + " ids, limit " + maxLength);
        boolean guided = guidanceScale > 1;
        int copies = guided ? 2 : 1;
        long[][] seq = new long[rows][maxLength];
        for (int r = 0; r < rows; r++) System.arraycopy(prompt[r], 0, seq[r], 0, length);
        decoder.reset(rows * copies, sequences * copies);
        Sampler sampler = new Sampler(sampling, seed);
        int[] history = new int[maxLength];
        int fed = 0;
        int steps = 0;
        int total = maxLength - length;
        long start = System.nanoTime();
        long prefillNanos = 0;
        GenerationResult.Stop stop = GenerationResult.Stop.LENGTH;
        while (length < maxLength) {
            if (cancelled.getAsBoolean()) {
                stop = GenerationResult.Stop.CANCELLED;
                break;
            }
            long[][] in = new long[rows * copies][length - fed];
            for (int r = 0; r < rows; r++) {
                for (int j = fed; j < length; j++) in[r][j - fed] = forced[r][j] == FREE ? seq[r][j] : forced[r][j];
                if (guided) in[rows + r] = in[r];
            }
            float[][] logits = decoder.run(in, null, null, inputs);
            if (steps == 0) prefillNanos = System.nanoTime() - start;
            for (int r = 0; r < rows; r++) {
                float[] scores = guided ? LogitsWarpers.classifierFreeGuidance(logits[r], logits[rows + r], guidanceScale) : logits[r];
                for (int j = 0; j < length; j++) history[j] = (int) seq[r][j];
                seq[r][length] = sampler.next(scores, history, length);
            }
            fed = length;
            length++;
            steps++;
            progress.update(steps, total, "steps");
        }
        long decodeNanos = steps == 0 ? 0 : System.nanoTime() - start - prefillNanos;
        long[][] out = new long[rows][length];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < length; j++) out[r][j] = forced[r][j] == FREE ? seq[r][j] : forced[r][j];
        }
        return new Result(out, stop, steps, prefillNanos, decodeNanos);
    }
}
