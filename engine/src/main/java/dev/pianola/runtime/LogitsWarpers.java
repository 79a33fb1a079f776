package dev.pianola.runtime;

import java.util.Arrays;
import java.util.List;

/**
 * The logits processors and warpers of transformers' {@code generate}, on one row of float logits,
 * in place, with the same float arithmetic so that the results agree to float rounding (checked
 * against transformers itself in tests/fixtures/gpt2/samplers.npz). Removed tokens become -inf,
 * as transformers' {@code filter_value}.
 */
public final class LogitsWarpers {
    private LogitsWarpers() {
    }

    /**
     * RepetitionPenaltyLogitsProcessor: each distinct token of {@code history[0, length)} has its
     * logit divided by {@code penalty} when positive and multiplied when negative, so repeating it
     * becomes less likely either way.
     */
    public static void repetitionPenalty(float[] logits, int[] history, int length, double penalty) {
        if (penalty == 1.0) return;
        float p = (float) penalty;
        boolean[] done = new boolean[logits.length];
        for (int i = 0; i < length; i++) {
            int t = history[i];
            if (t < 0 || t >= logits.length || done[t]) continue;
            done[t] = true;
            float s = logits[t];
            logits[t] = s < 0 ? s * p : s / p;
        }
    }

    /** SuppressTokensLogitsProcessor: these ids are never chosen. */
    public static void suppress(float[] logits, List<Integer> tokens) {
        for (int t : tokens) {
            if (t >= 0 && t < logits.length) logits[t] = Float.NEGATIVE_INFINITY;
        }
    }

    /**
     * ClassifierFreeGuidanceLogitsProcessor on one row: {@code uncond + (cond - uncond) * scale},
     * in float as torch computes it (a float32 tensor times a Python number stays float32), into a
     * new array. The conditional row comes from the prompt, the unconditional one from the same
     * model without it.
     */
    public static float[] classifierFreeGuidance(float[] cond, float[] uncond, double scale) {
        if (cond.length != uncond.length) throw new IllegalArgumentException("rows of " + cond.length + " and " + uncond.length + " logits");
        float s = (float) scale;
        float[] out = new float[cond.length];
        for (int i = 0; i < out.length; i++) out[i] = uncond[i] + (cond[i] - uncond[i]) * s;
        return out;
    }

    /** TemperatureLogitsWarper: logits / T (float division, as torch does); skipped at T = 1 like HF. */
    public static void temperature(float[] logits, double temperature) {
        if (temperature == 1.0) return;
        float t = (float) temperature;
        for (int i = 0; i < logits.length; i++) logits[i] = logits[i] / t;
    }

    /**
     * TopKLogitsWarper: every logit below the k-th largest becomes -inf; logits equal to the k-th
     * largest survive, so ties can keep more than k. k = 0 turns it off.
     */
    public static void topK(float[] logits, int k) {
        if (k <= 0) return;
        int keep = Math.min(Math.max(k, 1), logits.length);
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        float threshold = sorted[sorted.length - keep];
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] < threshold) logits[i] = Float.NEGATIVE_INFINITY;
        }
    }

    /**
     * TopPLogitsWarper: sort ascending, take the cumulative softmax, remove the tokens whose
     * cumulative probability is {@code <= 1 - p}, always keeping the most likely one. The
     * probabilities are rounded to float and summed in double, as torch's CPU softmax and cumsum
     * do, and compared with {@code 1 - p} rounded to float, as torch compares a float tensor with a
     * Python number.
     */
    public static void topP(float[] logits, double p) {
        if (p >= 1.0) return;
        int n = logits.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(logits[a], logits[b]));
        float[] probs = softmax(logits);
        float limit = (float) (1 - p);
        double cumulative = 0;
        boolean[] remove = new boolean[n];
        for (int r = 0; r < n - 1; r++) { // the last (most likely) token always stays
            cumulative += probs[order[r]];
            if ((float) cumulative <= limit) remove[order[r]] = true;
        }
        for (int i = 0; i < n; i++) {
            if (remove[i]) logits[i] = Float.NEGATIVE_INFINITY;
        }
    }

    /** Softmax rounded to float; -inf logits get probability 0. */
    public static float[] softmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double[] e = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            e[i] = logits[i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp((double) logits[i] - max);
            sum += e[i];
        }
        float[] out = new float[logits.length];
        for (int i = 0; i < logits.length; i++) out[i] = (float) (e[i] / sum);
        return out;
    }

    /** Index of the largest logit, the first one on ties (as torch.argmax). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) best = i;
        }
        return best;
    }
}
