package dev.pianola.models.pop2piano;

/**
 * The features of one audio, as Hugging Face's {@code Pop2PianoFeatureExtractor} returns them for a
 * single input without attention mask.
 *
 * @param inputFeatures        log-mel features {@code [segments][frames][512]}; each segment is 8
 *                             half-beat steps (4 beats), zero-padded to the longest segment
 * @param beatsteps            the half-beat grid in seconds, {@code 2N+1} points for N beats (float32
 *                             on output, as the reference casts it)
 * @param extrapolatedBeatstep {@code beatsteps - beatsteps[0]} extended by 13 extrapolated steps,
 *                             {@code 2N+14} points in seconds; the tokenizer reads note times from it
 */
public record Pop2PianoFeatures(float[][][] inputFeatures, float[] beatsteps, float[] extrapolatedBeatstep) {
    public int segments() {
        return inputFeatures.length;
    }

    public int frames() {
        return inputFeatures.length == 0 ? 0 : inputFeatures[0].length;
    }

    /**
     * A batch as the reference lays it out with {@code return_attention_mask=True}: each audio's
     * segments padded along frames to the batch's longest, then one all-zero separator row after
     * each audio ({@code attentionMask} row all zero there); beatsteps and extrapolated beatsteps
     * right-padded with 0 to the longest, with masks (1 = real value).
     */
    public record Batch(float[][][] inputFeatures, int[][] attentionMask,
                        float[][] beatsteps, int[][] attentionMaskBeatsteps,
                        float[][] extrapolatedBeatstep, int[][] attentionMaskExtrapolatedBeatstep) {}
}
