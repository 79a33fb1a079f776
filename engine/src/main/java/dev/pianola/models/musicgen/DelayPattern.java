package dev.pianola.models.musicgen;

import dev.pianola.runtime.MultiCodebookLoop;

/**
 * MusicGen's delay pattern, as transformers' {@code build_delay_pattern_mask},
 * {@code apply_delay_pattern_mask} and the pad filter at the end of {@code generate}. Mono: codebook
 * k of a frame is predicted k steps after codebook 0, so in the decoder's sequence codebook k's
 * stream is shifted right by k; the first k + 1 positions of row k and its last
 * {@code codebooks - 1 - k} positions are padding, which is never generated. Rows are ordered
 * {@code sequence * codebooks + k}. Stereo (2 channels): the channels' codebooks are interleaved
 * (row 2c is the left channel's codebook c, row 2c + 1 the right's) and both share delay c, so the
 * pattern is the mono one over {@code codebooks / 2} codebooks with every row doubled.
 */
public final class DelayPattern {
    private DelayPattern() {
    }

    /**
     * The forced ids of every row over {@code maxLength} positions: the pad where the pattern pads,
     * the (shifted) prompt where a prompt is, {@link MultiCodebookLoop#FREE} where the decoder
     * generates.
     *
     * @param prompt [rows][n] each row's ids as the decoder's sequence starts, the start id first
     *               (then an audio prompt's codes, when there is one)
     */
    public static long[][] forced(long[][] prompt, int codebooks, long pad, int maxLength) {
        return forced(prompt, codebooks, 1, pad, maxLength);
    }

    /**
     * {@link #forced(long[][], int, long, int)} for {@code channels} interleaved channels
     * ({@code codebooks} counts all of them: 8 for a stereo musicgen).
     */
    public static long[][] forced(long[][] prompt, int codebooks, int channels, long pad, int maxLength) {
        if (channels < 1 || codebooks % channels != 0) throw new IllegalArgumentException(codebooks + " codebooks over " + channels + " channels");
        int perChannel = codebooks / channels;
        if (maxLength < 2 * perChannel - 1) {
            // transformers returns the ids unpatterned then; no MusicGen generation is that short
            throw new IllegalArgumentException("a delay pattern of " + perChannel + " codebooks needs at least "
                    + (2 * perChannel - 1) + " positions, got " + maxLength);
        }
        int rows = prompt.length;
        long[][] mask = new long[rows][maxLength];
        for (int r = 0; r < rows; r++) {
            int k = r % codebooks / channels;
            java.util.Arrays.fill(mask[r], MultiCodebookLoop.FREE);
            for (int j = 0; j < prompt[r].length && j + k < maxLength; j++) mask[r][j + k] = prompt[r][j];
            for (int j = 0; j <= k; j++) mask[r][j] = pad;
            for (int j = maxLength - perChannel + 1 + k; j < maxLength; j++) mask[r][j] = pad;
        }
        return mask;
    }

    /**
     * The first position the decoder generates (the first free position of codebook 0): the
     * prefill runs every position before it.
     */
    public static int firstFree(long[][] forced) {
        for (int j = 0; j < forced[0].length; j++) {
            if (forced[0][j] == MultiCodebookLoop.FREE) return j;
        }
        return forced[0].length;
    }

    /** The ids the prefill feeds: every row's forced ids before {@link #firstFree}. */
    public static long[][] prefill(long[][] forced) {
        int n = firstFree(forced);
        long[][] out = new long[forced.length][];
        for (int r = 0; r < forced.length; r++) {
            out[r] = java.util.Arrays.copyOf(forced[r], n);
            for (long id : out[r]) {
                if (id == MultiCodebookLoop.FREE) throw new IllegalStateException("row " + r + " has a free position before " + n);
            }
        }
        return out;
    }

    /**
     * Undoes the pattern: drops every pad id and returns the codes as EnCodec takes them,
     * [sequences][codebooks][frames] (frames = length - codebooks / channels for a start-only prompt;
     * stereo codebooks stay interleaved).
     */
    public static long[][][] codes(long[][] sequences, int codebooks, long pad) {
        int batch = sequences.length / codebooks;
        long[][][] out = new long[batch][codebooks][];
        int frames = -1;
        for (int r = 0; r < sequences.length; r++) {
            long[] kept = java.util.Arrays.stream(sequences[r]).filter(id -> id != pad).toArray();
            if (frames >= 0 && kept.length != frames) {
                throw new IllegalStateException("row " + r + " holds " + kept.length + " codes, row 0 holds " + frames);
            }
            frames = kept.length;
            out[r / codebooks][r % codebooks] = kept;
        }
        return out;
    }
}
