package dev.pianola.models.remi;

import dev.pianola.runtime.GenerationRequest;

/**
 * REMI written in time order: within a bar, no Position before the one the text is at. MidiTok
 * writes every bar's positions in order, and a trained model nearly always does; a sampled one
 * (the paper's temperature 2.5) sometimes goes back to an earlier onset. Offline that is only a
 * note out of order, but a live answer plays its onsets as they are written, and a note placed
 * at an onset already played comes too late and is left out. So the live engine rules such ids
 * out before sampling (with BPE, an id is judged by the Position it opens with). One per
 * generation of one row: it follows the row's text as it grows.
 */
public final class RemiTimeOrder implements GenerationRequest.TokenRule {
    /** An id that holds neither Bar nor Position leaves the text's position as it was. */
    static final int UNCHANGED = -2;

    private final int[] opens, leaves;
    /** The Position the text is at in its current bar (-1: a Bar and no Position yet). */
    private int positionNow = -1;
    /** Tokens of the row's text already followed. */
    private int followed;

    public RemiTimeOrder(RemiTokenizer tokenizer) {
        int[][] time = tokenizer.timeOfIds();
        this.opens = time[0];
        this.leaves = time[1];
    }

    @Override
    public void apply(int row, int[] history, int length, float[] logits) {
        for (; followed < length; followed++) {
            int id = history[followed];
            if (id >= 0 && id < leaves.length && leaves[id] != UNCHANGED) positionNow = leaves[id];
        }
        if (positionNow <= 0) return;
        int n = Math.min(logits.length, opens.length);
        for (int id = 0; id < n; id++) {
            if (opens[id] >= 0 && opens[id] < positionNow) logits[id] = Float.NEGATIVE_INFINITY;
        }
    }
}
