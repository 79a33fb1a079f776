package dev.pianola.models.pop2piano;

import dev.pianola.BadInputException;
import dev.pianola.audio.Audio;

import java.util.List;

import static dev.pianola.models.pop2piano.Pop2PianoConstants.*;

/**
 * Pop2Piano's feature extraction, the same arithmetic as Hugging Face's
 * {@code Pop2PianoFeatureExtractor} (transformers 4.57.6) after its beat tracker: beat times to the
 * half-beat {@code beatsteps} grid (scipy's linear interpolation with extrapolation, formula kept
 * verbatim), resampling to 22050 Hz as librosa's {@code kaiser_best} (resampy), the crop and cut
 * into 8-step segments, and the log-mel spectrogram (spec pop2piano_musicgen.md 1.3-1.7).
 *
 * <p>Beat times are given (from a beat tracker, a tempo, or the user); the reference's essentia
 * tracker is not part of this class.
 */
public final class Pop2PianoFeatureExtractor {
    private Pop2PianoFeatureExtractor() {}

    /** Features of one audio given its beat times in seconds (strictly increasing, >= 0). */
    public static Pop2PianoFeatures extract(Audio audio, double[] beatTimesSeconds) {
        validate(audio, beatTimesSeconds);
        // essentia returns float32 beat times; the reference interpolates from those.
        float[] beats = new float[beatTimesSeconds.length];
        for (int i = 0; i < beats.length; i++) beats[i] = (float) beatTimesSeconds[i];
        double[] beatsteps = beatsteps(beats);

        float[] x = toModelRate(audio);
        int start = (int) (beatsteps[0] * SAMPLE_RATE_HZ);
        int end = (int) (beatsteps[beatsteps.length - 1] * SAMPLE_RATE_HZ);
        float[] cut = slice(x, start, end);

        double[] shifted = new double[beatsteps.length];
        for (int i = 0; i < shifted.length; i++) shifted[i] = beatsteps[i] - beatsteps[0];
        double[] ext = extrapolatedBeatstep(shifted);
        float[][] segments = segments(cut, ext, shifted.length);

        float[][][] features = new float[segments.length][][];
        // segments are independent: computed on the common pool, each exactly as alone
        java.util.stream.IntStream.range(0, segments.length).parallel().forEach(s -> features[s] = LogMel.logMel(segments[s]));
        return new Pop2PianoFeatures(features, toFloat(beatsteps), toFloat(ext));
    }

    /** A batch laid out as the reference's {@code return_attention_mask=True} call (see {@link Pop2PianoFeatures.Batch}). */
    public static Pop2PianoFeatures.Batch extractBatch(List<Audio> audios, List<double[]> beatTimesSeconds) {
        if (audios.isEmpty() || audios.size() != beatTimesSeconds.size())
            throw new BadInputException("need one beat list per audio, and at least one audio: "
                    + audios.size() + " audios, " + beatTimesSeconds.size() + " beat lists");
        Pop2PianoFeatures[] each = new Pop2PianoFeatures[audios.size()];
        for (int i = 0; i < each.length; i++) each[i] = extract(audios.get(i), beatTimesSeconds.get(i));
        return pad(each);
    }

    /** The reference's {@code _pad}: frames padded to the longest, a zero row after each audio. */
    static Pop2PianoFeatures.Batch pad(Pop2PianoFeatures[] each) {
        int maxFrames = 0, rows = 0, maxSteps = 0, maxExt = 0;
        for (Pop2PianoFeatures f : each) {
            maxFrames = Math.max(maxFrames, f.frames());
            rows += f.segments() + 1;
            maxSteps = Math.max(maxSteps, f.beatsteps().length);
            maxExt = Math.max(maxExt, f.extrapolatedBeatstep().length);
        }
        float[][][] features = new float[rows][maxFrames][N_MELS];
        int[][] mask = new int[rows][maxFrames];
        float[][] steps = new float[each.length][maxSteps];
        int[][] stepsMask = new int[each.length][maxSteps];
        float[][] ext = new float[each.length][maxExt];
        int[][] extMask = new int[each.length][maxExt];
        int row = 0;
        for (int i = 0; i < each.length; i++) {
            Pop2PianoFeatures f = each[i];
            for (int s = 0; s < f.segments(); s++, row++) {
                for (int t = 0; t < f.frames(); t++) {
                    System.arraycopy(f.inputFeatures()[s][t], 0, features[row][t], 0, N_MELS);
                    mask[row][t] = 1;
                }
            }
            row++; // the separator row stays all zero, mask included
            System.arraycopy(f.beatsteps(), 0, steps[i], 0, f.beatsteps().length);
            java.util.Arrays.fill(stepsMask[i], 0, f.beatsteps().length, 1);
            System.arraycopy(f.extrapolatedBeatstep(), 0, ext[i], 0, f.extrapolatedBeatstep().length);
            java.util.Arrays.fill(extMask[i], 0, f.extrapolatedBeatstep().length, 1);
        }
        return new Pop2PianoFeatures.Batch(features, mask, steps, stepsMask, ext, extMask);
    }

    static void validate(Audio audio, double[] beats) {
        if (beats == null || beats.length == 0)
            throw new BadInputException("no beats: Pop2Piano needs the song's beat times");
        for (int i = 0; i < beats.length; i++) {
            if (!Double.isFinite(beats[i]) || beats[i] < 0)
                throw new BadInputException("beat " + i + " is not a time >= 0 s: " + beats[i]);
            // Compared as float32, the precision the reference works in: two beats that round to
            // the same float would make a zero-length step.
            if (i > 0 && !((float) beats[i] > (float) beats[i - 1]))
                throw new BadInputException("beat times must increase: beat " + i + " at " + beats[i]
                        + " s is not after beat " + (i - 1) + " at " + beats[i - 1] + " s");
        }
        int inside = 0;
        for (double b : beats) if (b < audio.seconds()) inside++;
        if (inside < MIN_BEATS_IN_AUDIO)
            throw new BadInputException(String.format(
                    "audio too short for Pop2Piano: %d beats within its %.2f s, at least %d (two 4/4 bars) are needed",
                    inside, audio.seconds(), MIN_BEATS_IN_AUDIO));
    }

    /** {@code interpolate_beat_times(beat_times, 2, 1)}: {@code 2N+1} points at half-beat positions 0, 0.5, ..., N. */
    static double[] beatsteps(float[] beatTimes) {
        int n = beatTimes.length;
        double[] query = linspace(0, n, n * STEPS_PER_BEAT + 1);
        double[] out = new double[query.length];
        for (int q = 0; q < query.length; q++) {
            int hi = hiIndex(query[q], n), lo = hi - 1;
            // y is float32 in the reference, so the difference is a float32 subtraction; x[hi]-x[lo] == 1.
            double slope = (float) (beatTimes[hi] - beatTimes[lo]);
            out[q] = slope * (query[q] - lo) + beatTimes[lo];
        }
        return out;
    }

    /** {@code interpolate_beat_times(shifted, 1, 13)}: M points reproduced, 13 extrapolated. */
    static double[] extrapolatedBeatstep(double[] shifted) {
        int m = shifted.length;
        double[] query = linspace(0, m + EXTRAPOLATED_EXTRA_STEPS - 1, m + EXTRAPOLATED_EXTRA_STEPS);
        double[] out = new double[query.length];
        for (int q = 0; q < query.length; q++) {
            int hi = hiIndex(query[q], m), lo = hi - 1;
            out[q] = (shifted[hi] - shifted[lo]) * (query[q] - lo) + shifted[lo];
        }
        return out;
    }

    /**
     * scipy's {@code _call_linear} on x = 0..n-1: {@code searchsorted(x, xq, 'left')} (the first
     * integer >= xq) clipped to [1, n-1]. So an integer xq = i >= 1 uses the segment below it.
     */
    private static int hiIndex(double xq, int n) {
        int idx = (int) Math.ceil(xq);
        return Math.min(Math.max(idx, 1), n - 1);
    }

    /** numpy's linspace: {@code start + i * step}, the last point exactly {@code stop}. */
    private static double[] linspace(double start, double stop, int num) {
        double[] out = new double[num];
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) out[i] = start + i * step;
        out[num - 1] = stop;
        return out;
    }

    /**
     * The audio at 22050 Hz as {@code librosa.resample(res_type="kaiser_best")}: resampy's
     * {@code int(n * ratio)} samples, then librosa's {@code fix_length} to {@code ceil(n * ratio)}
     * (zeros appended).
     */
    static float[] toModelRate(Audio audio) {
        if (audio.sampleRate() == SAMPLE_RATE_HZ) return audio.samples();
        float[] y = ResampyKaiserBest.resample(audio.samples(), audio.sampleRate(), SAMPLE_RATE_HZ);
        double ratio = (double) SAMPLE_RATE_HZ / audio.sampleRate();
        int n = (int) Math.ceil(audio.samples().length * ratio);
        return y.length == n ? y : java.util.Arrays.copyOf(y, n);
    }

    /** {@code preprocess_mel}: 8-step segments, right-padded with zeros to the longest computed length. */
    static float[][] segments(float[] cut, double[] ext, int m) {
        int count = (m + STEPS_PER_SEGMENT - 1) / STEPS_PER_SEGMENT;
        int[] starts = new int[count], ends = new int[count];
        int longest = 0;
        for (int s = 0; s < count; s++) {
            int i = s * STEPS_PER_SEGMENT;
            starts[s] = (int) (ext[i] * SAMPLE_RATE_HZ);
            ends[s] = (int) (ext[Math.min(i + STEPS_PER_SEGMENT, m)] * SAMPLE_RATE_HZ);
            // The length is the computed one, not the clamped slice's (the last segment runs past the cut).
            longest = Math.max(longest, ends[s] - starts[s]);
        }
        float[][] out = new float[count][longest];
        for (int s = 0; s < count; s++) {
            float[] part = slice(cut, starts[s], ends[s]);
            System.arraycopy(part, 0, out[s], 0, part.length);
        }
        return out;
    }

    /** Python's {@code x[a:b]} for a, b >= 0: clamped to the array, empty when b <= a. */
    private static float[] slice(float[] x, int a, int b) {
        int from = Math.min(Math.max(a, 0), x.length), to = Math.min(Math.max(b, 0), x.length);
        return to <= from ? new float[0] : java.util.Arrays.copyOfRange(x, from, to);
    }

    private static float[] toFloat(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) v[i];
        return out;
    }
}
