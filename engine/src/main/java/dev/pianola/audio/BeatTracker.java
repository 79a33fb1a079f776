package dev.pianola.audio;

import java.util.Arrays;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Beat tracking for audio without a tempo, after Ellis (2007) "Beat tracking by dynamic
 * programming", with librosa 0.10's choices of parameters so that the two can be compared:
 *
 * <ol>
 *   <li>onset strength: log-mel spectral flux (22050 Hz, 2048-point FFT, hop 512, 128 Slaney
 *       mels, 80 dB range), the positive frame-to-frame rise, median over the mel bands;
 *   <li>tempo: autocorrelation of the onset strength in 8 s Hann windows, averaged over the clip,
 *       weighted by a log-normal prior around 120 BPM (one octave standard deviation), at most
 *       320 BPM;
 *   <li>beats: dynamic programming that rewards onset strength (smoothed by a Gaussian a beat
 *       wide) and penalises deviations from the tempo (tightness 100), then drops weak leading
 *       and trailing beats.
 * </ol>
 *
 * {@link #track} then keeps the tempo within {@value #PREFERRED_MIN_BPM} to
 * {@value #PREFERRED_MAX_BPM} BPM (by octaves) and moves every beat {@value #LATENCY_FRAMES} frame
 * (23 ms) earlier; {@link #trackLikeLibrosa} does neither. The beats come at one tempo (the DP's);
 * {@link Beats#tempoMap()} smooths them into the grid a cover is written on. librosa's onset envelope puts the flux between centred frames j and
 * j+1 on frame j+3, and its beats come out late: measured against known beats
 * (tests/fixtures/beats/essentia.json, tools/reference/beat_quality.py) they sit a median 24 to
 * 35 ms after the true grid on the synthetic clips and 35 to 55 ms after essentia's
 * RhythmExtractor2013 (the Pop2Piano reference's tracker) on rendered songs. With a 70 ms
 * tolerance that left one song at F 0.50 (I Gotta Feeling, its beats 60 to 84 ms late); one frame
 * earlier it scores 0.99, like essentia. Two frames earlier scored the same on those clips; one
 * frame is the smaller correction and lands closest to essentia on the synthetic clips.
 *
 * <p>Spectra and autocorrelations are computed in parallel chunks on the common fork-join pool,
 * with every sum in the same order as one pass (results do not depend on the thread count).
 * Audio at other rates is resampled to 22050 Hz first. Silence, or a clip too short to hold a
 * spectral frame to compare with, gives {@link Beats#NONE}.
 */
public final class BeatTracker {
    static final int SAMPLE_RATE = 22050, FFT_SIZE = 2048, HOP = 512, MELS = 128;
    static final double FRAME_RATE = (double) SAMPLE_RATE / HOP;
    private static final double TOP_DB = 80, AMIN = 1e-10;
    private static final double START_BPM = 120, MAX_BPM = 320, AUTOCORRELATION_SECONDS = 8, TIGHTNESS = 100;

    private BeatTracker() {}

    /** Frames by which {@link #track} moves librosa's beats earlier (see the class comment). */
    static final int LATENCY_FRAMES = 1;

    /**
     * Beats of the audio: librosa's beat_track, its tempo moved by octaves into
     * {@value #PREFERRED_MIN_BPM} to {@value #PREFERRED_MAX_BPM} BPM, its beats
     * {@value #LATENCY_FRAMES} frame earlier.
     */
    public static Beats track(Audio audio) {
        return track(audio, LATENCY_FRAMES, true);
    }

    /** The port of librosa 0.10.2's beat_track as it is: the same tempo and beat times (to float noise). */
    public static Beats trackLikeLibrosa(Audio audio) {
        return track(audio, 0, false);
    }

    /**
     * The tempi {@link #track} keeps to. librosa's prior only leans towards 120 BPM: a chord every
     * 2 s at 120 BPM, with nothing between, autocorrelates at 2 s and came out as a 30 BPM grid,
     * four bars to a DAW's one. A tempo outside is doubled or halved into the range; where two
     * octaves fit (90 and 180), the onsets choose, with librosa's own score.
     */
    static final double PREFERRED_MIN_BPM = 70, PREFERRED_MAX_BPM = 180;

    private static Beats track(Audio audio, int earlierFrames, boolean preferredOctave) {
        float[] samples = audio.sampleRate() == SAMPLE_RATE ? audio.samples()
                : Resampler.toRate(audio, SAMPLE_RATE).samples();
        double[] onset = onsetStrength(samples);
        boolean any = false;
        for (double v : onset) any |= v != 0;
        if (!any || onset.length < 2) return Beats.NONE;
        double[] tempogram = meanTempogram(onset);
        double bpm = bestBpm(tempogram);
        if (Double.isNaN(bpm)) return Beats.NONE;
        if (preferredOctave) bpm = inPreferredOctave(bpm, tempogram);
        double[] periods = preferredOctave ? localPeriods(onset, bpm) : null;
        // a beat on the very first frame would move before 0 s: it is dropped
        int[] frames = Arrays.stream(placeBeats(onset, bpm, periods)).map(f -> f - earlierFrames).filter(f -> f >= 0).toArray();
        double[] seconds = new double[frames.length];
        for (int i = 0; i < frames.length; i++) seconds[i] = frames[i] * HOP / (double) SAMPLE_RATE;
        return new Beats(seconds, bpm);
    }

    /** Onset strength per hop of 512 samples of 22050 Hz audio (librosa.onset.onset_strength, median). */
    static double[] onsetStrength(float[] samples) {
        int frames = 1 + samples.length / HOP;
        double[][] db = logMel(samples, frames);
        double[] onset = new double[frames];
        // The flux between frames j and j+1 lands on frame j+3: one for the difference, two
        // because centred frames look half an FFT (1024 samples = 2 hops) ahead.
        int shift = 1 + FFT_SIZE / (2 * HOP);
        int end = Math.min(frames - 1, frames - shift); // j runs below this
        inChunks(Math.max(0, end), (from, to) -> {
            double[] rise = new double[MELS];
            for (int j = from; j < to; j++) {
                for (int m = 0; m < MELS; m++) rise[m] = Math.max(0, db[j + 1][m] - db[j][m]);
                onset[j + shift] = median(rise);
            }
        });
        return onset;
    }

    /** Power mel spectrogram in dB, clipped 80 dB below its maximum; frames centred on hop multiples. */
    private static double[][] logMel(float[] samples, int frames) {
        MelFilterbank mel = MelFilterbank.slaney(SAMPLE_RATE, FFT_SIZE, MELS, 0, SAMPLE_RATE / 2.0);
        double[] window = periodicHann(FFT_SIZE);
        double[][] db = new double[frames][MELS];
        // frames are independent: chunks run in parallel, each with its own FFT and buffers
        inChunks(frames, (from, to) -> {
            DoubleFFT_1D fft = new DoubleFFT_1D(FFT_SIZE);
            double[] buf = new double[FFT_SIZE], power = new double[FFT_SIZE / 2 + 1];
            for (int t = from; t < to; t++) {
                int start = t * HOP - FFT_SIZE / 2; // zero padding outside the signal
                for (int i = 0; i < FFT_SIZE; i++) {
                    int s = start + i;
                    buf[i] = s >= 0 && s < samples.length ? samples[s] * window[i] : 0;
                }
                fft.realForward(buf);
                power[0] = buf[0] * buf[0];
                power[FFT_SIZE / 2] = buf[1] * buf[1];
                for (int k = 1; k < FFT_SIZE / 2; k++) power[k] = buf[2 * k] * buf[2 * k] + buf[2 * k + 1] * buf[2 * k + 1];
                double[] row = db[t];
                mel.apply(power, row);
                for (int m = 0; m < MELS; m++) row[m] = 10 * Math.log10(Math.max(AMIN, row[m]));
            }
        });
        // the maximum is exact in any order; taken after the parallel part
        double max = Double.NEGATIVE_INFINITY;
        for (double[] row : db) for (int m = 0; m < MELS; m++) max = Math.max(max, row[m]);
        double floor = max - TOP_DB;
        for (double[] row : db) for (int m = 0; m < MELS; m++) row[m] = Math.max(row[m], floor);
        return db;
    }

    /** Frames per parallel chunk: enough work per task to outweigh its FFT set-up. */
    private static final int CHUNK_FRAMES = 256;

    /**
     * {@code body(from, to)} over [0, count) in chunks on the common fork-join pool. Used only
     * where every frame's result is written by one chunk and depends on nothing another chunk
     * writes, so the results are the same as in one pass.
     */
    private static void inChunks(int count, ChunkBody body) {
        int chunks = (count + CHUNK_FRAMES - 1) / CHUNK_FRAMES;
        if (chunks <= 1) {
            if (count > 0) body.run(0, count);
            return;
        }
        java.util.stream.IntStream.range(0, chunks).parallel()
                .forEach(c -> body.run(c * CHUNK_FRAMES, Math.min(count, (c + 1) * CHUNK_FRAMES)));
    }

    @FunctionalInterface
    private interface ChunkBody {
        void run(int from, int to);
    }

    /**
     * The tempo whose beat period best explains the onset strength's self-similarity; NaN when no
     * lag scores (an envelope of NaN, from NaN or infinite samples, scores NaN at every lag).
     */
    static double estimateBpm(double[] onset) {
        return bestBpm(meanTempogram(onset));
    }

    private static double bestBpm(double[] tempogram) {
        int win = tempogram.length;
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int lag = 1; lag < win; lag++) {
            double bpm = 60 * FRAME_RATE / lag;
            if (!(bpm < MAX_BPM)) continue;
            double score = score(tempogram, lag);
            if (score > bestScore) {
                bestScore = score;
                best = lag;
            }
        }
        // without this, -1 became a negative tempo and placeBeats a NegativeArraySizeException
        if (best < 0) return Double.NaN;
        return 60 * FRAME_RATE / best;
    }

    /** librosa's score of a lag: the tempogram's strength there, weighted by a log-normal prior around 120 BPM. */
    private static double score(double[] tempogram, int lag) {
        double octaves = Math.log(60 * FRAME_RATE / lag / START_BPM) / Math.log(2);
        return Math.log1p(1e6 * tempogram[lag]) - 0.5 * octaves * octaves;
    }

    /** {@code bpm}, or the octave of it in the preferred range that scores best (see {@link #PREFERRED_MIN_BPM}). */
    static double inPreferredOctave(double bpm, double[] tempogram) {
        if (bpm >= PREFERRED_MIN_BPM && bpm <= PREFERRED_MAX_BPM) return bpm;
        double best = bpm, bestScore = Double.NEGATIVE_INFINITY;
        for (double candidate = bpm / 8; candidate <= bpm * 8; candidate *= 2) {
            if (candidate < PREFERRED_MIN_BPM || candidate > PREFERRED_MAX_BPM) continue;
            int lag = (int) Math.rint(60 * FRAME_RATE / candidate);
            double score = lag < tempogram.length ? score(tempogram, lag) : Double.NEGATIVE_INFINITY;
            if (best == bpm || score > bestScore) {
                best = candidate;
                bestScore = score;
            }
        }
        return best;
    }

    /** Autocorrelation of the onset strength in 8 s Hann windows, each peak-normalised, averaged over time. */
    static double[] meanTempogram(double[] onset) {
        int n = onset.length;
        int win = (int) Math.floor(AUTOCORRELATION_SECONDS * FRAME_RATE);
        int half = win / 2;
        // linear ramps from 0 up to the edge values (numpy.pad mode 'linear_ramp')
        double[] padded = new double[n + 2 * half];
        for (int i = 0; i < half; i++) {
            padded[i] = onset[0] * i / half;
            padded[half + n + i] = onset[n - 1] * (half - 1 - i) / half;
        }
        System.arraycopy(onset, 0, padded, half, n);
        double[] window = periodicHann(win);
        int size = Integer.highestOneBit(2 * win - 1) << 1;
        double[] mean = new double[win];
        // Each window's autocorrelation is computed in parallel, a block of windows at a time;
        // the block is then normalised and added to the mean in time order, so the sums are the
        // same as adding one window after the other.
        int blockWindows = 16 * CHUNK_FRAMES;
        double[][] rows = new double[Math.min(n, blockWindows)][];
        for (int b0 = 0; b0 < n; b0 += blockWindows) {
            int first = b0, count = Math.min(blockWindows, n - b0);
            inChunks(count, (from, to) -> {
                DoubleFFT_1D fft = new DoubleFFT_1D(size);
                for (int r = from; r < to; r++) {
                    int t = first + r;
                    double[] buf = rows[r] != null ? rows[r] : new double[size];
                    Arrays.fill(buf, 0);
                    for (int i = 0; i < win; i++) buf[i] = padded[t + i] * window[i];
                    autocorrelate(buf, fft);
                    rows[r] = buf;
                }
            });
            for (int r = 0; r < count; r++) {
                double[] buf = rows[r];
                double peak = 0;
                for (int lag = 0; lag < win; lag++) peak = Math.max(peak, Math.abs(buf[lag]));
                if (peak < Double.MIN_NORMAL) continue; // a silent window adds zeros
                for (int lag = 0; lag < win; lag++) mean[lag] += buf[lag] / peak;
            }
        }
        for (int lag = 0; lag < win; lag++) mean[lag] /= n;
        return mean;
    }

    /**
     * A tempo that moves by more than this fraction of the song's, for {@link #CHANGE_MEDIAN_SECONDS}
     * or more, is followed (see {@link #localPeriods}); below it the song is steady, and a steady
     * song's beats are placed at its one tempo, exactly as librosa does.
     */
    static final double TEMPO_CHANGE_FRACTION = 0.04;
    /** The local tempo is the median over this many seconds: a fill or a rubato bar is not a new tempo. */
    static final int CHANGE_MEDIAN_SECONDS = 9;
    /** Local periods are sought within this factor of the song's (never another octave, nor a dotted or triplet relation). */
    private static final double LOCAL_PERIOD_RANGE = 1.25;

    /**
     * The beat period (in frames) at every frame where the music's tempo really moves (a new
     * section at another tempo, a ritardando, a band drifting), or null when it holds within
     * {@link #TEMPO_CHANGE_FRACTION} of {@code bpm} throughout. Every second, the autocorrelation of
     * an 8 s Hann window of the onsets gives the strongest period near the song's (to a fraction of
     * a frame, by a parabola through the peak); a running median keeps only changes that last.
     * librosa's beat_track has one tempo for a whole song: at 100 then 130 BPM it placed beats at
     * 129 BPM throughout.
     */
    static double[] localPeriods(double[] onset, double bpm) {
        int n = onset.length, step = (int) Math.rint(FRAME_RATE);
        int win = (int) Math.floor(AUTOCORRELATION_SECONDS * FRAME_RATE), half = win / 2;
        int count = (n + step - 1) / step;
        if (count < CHANGE_MEDIAN_SECONDS) return null;
        double global = FRAME_RATE * 60 / bpm;
        int minLag = Math.max(2, (int) Math.floor(global / LOCAL_PERIOD_RANGE)), maxLag = Math.min(win - 2, (int) Math.ceil(global * LOCAL_PERIOD_RANGE));
        if (minLag >= maxLag) return null;
        double[] window = periodicHann(win);
        int size = Integer.highestOneBit(2 * win - 1) << 1;
        double[] lags = new double[count];
        inChunks(count, (from, to) -> {
            DoubleFFT_1D fft = new DoubleFFT_1D(size);
            double[] buf = new double[size];
            for (int w = from; w < to; w++) {
                Arrays.fill(buf, 0);
                for (int i = 0; i < win; i++) {
                    int t = w * step - half + i;
                    if (t >= 0 && t < n) buf[i] = onset[t] * window[i];
                }
                autocorrelate(buf, fft);
                int best = minLag;
                for (int lag = minLag + 1; lag <= maxLag; lag++) if (buf[lag] > buf[best]) best = lag;
                double left = buf[best - 1], mid = buf[best], right = buf[best + 1];
                double curvature = left - 2 * mid + right;
                // a window without onsets has no period
                lags[w] = mid <= 0 ? Double.NaN : best + (curvature < 0 ? 0.5 * (left - right) / curvature : 0);
            }
        });
        double[] smooth = new double[count];
        boolean moves = false;
        for (int w = 0; w < count; w++) {
            int from = Math.max(0, w - CHANGE_MEDIAN_SECONDS / 2), to = Math.min(count, w + CHANGE_MEDIAN_SECONDS / 2 + 1);
            double[] heard = Arrays.stream(lags, from, to).filter(v -> !Double.isNaN(v)).sorted().toArray();
            smooth[w] = heard.length == 0 ? global : heard[(heard.length - 1) / 2];
            if (Math.abs(smooth[w] / global - 1) > TEMPO_CHANGE_FRACTION) moves = true;
        }
        if (!moves) return null;
        double[] periods = new double[n];
        for (int i = 0; i < n; i++) {
            double x = (double) i / step;
            int w = Math.min(count - 1, (int) x);
            periods[i] = w + 1 < count ? smooth[w] + (x - w) * (smooth[w + 1] - smooth[w]) : smooth[w];
        }
        return periods;
    }

    /**
     * The autocorrelation of a zero-padded signal, in place: |FFT|^2 transformed back (the buffer
     * twice the signal's length at least, so lags do not wrap).
     */
    private static void autocorrelate(double[] buf, DoubleFFT_1D fft) {
        fft.realForward(buf);
        buf[0] *= buf[0];
        buf[1] *= buf[1];
        for (int k = 1; k < buf.length / 2; k++) {
            double re = buf[2 * k], im = buf[2 * k + 1];
            buf[2 * k] = re * re + im * im;
            buf[2 * k + 1] = 0;
        }
        fft.realInverse(buf, true);
    }

    /**
     * Frames of the beats, by dynamic programming at the song's tempo, or at the period of each
     * frame where {@code periods} (from {@link #localPeriods}) is given.
     */
    static int[] placeBeats(double[] onset, double bpm, double[] periods) {
        int n = onset.length;
        int period = (int) Math.rint(FRAME_RATE * 60.0 / bpm);
        double[] local = localScore(normalise(onset), period);

        double threshold = 0.01 * Arrays.stream(local).max().orElse(0);
        int[] backlink = new int[n];
        double[] cumulative = new double[n];
        boolean firstBeat = true;
        for (int i = 0; i < n; i++) {
            int p = periods == null ? period : (int) Math.rint(periods[i]);
            int nearest = (int) Math.rint(p / 2.0);
            double logPeriod = periods == null ? Math.log(period) : Math.log(periods[i]);
            double bestScore = Double.NEGATIVE_INFINITY;
            int bestLoc = -1;
            // the previous beat lies between half a period and two periods back
            for (int loc = i - nearest; loc > i - 2 * p - 1 && loc >= 0; loc--) {
                double d = Math.log(i - loc) - logPeriod;
                double score = cumulative[loc] - TIGHTNESS * d * d;
                if (score > bestScore) {
                    bestScore = score;
                    bestLoc = loc;
                }
            }
            cumulative[i] = bestLoc >= 0 ? local[i] + bestScore : local[i];
            // before the music starts, no beat links back
            if (firstBeat && local[i] < threshold) {
                backlink[i] = -1;
            } else {
                backlink[i] = bestLoc;
                firstBeat = false;
            }
        }

        boolean[] beat = new boolean[n];
        for (int b = lastBeat(cumulative); b >= 0; b = backlink[b]) beat[b] = true;
        trimWeakEnds(local, beat);
        return java.util.stream.IntStream.range(0, n).filter(i -> beat[i]).toArray();
    }

    /** Onsets divided by their standard deviation (n - 1 in the denominator). */
    private static double[] normalise(double[] onset) {
        double mean = Arrays.stream(onset).average().orElse(0), ss = 0;
        for (double v : onset) ss += (v - mean) * (v - mean);
        double std = Math.sqrt(ss / (onset.length - 1));
        double[] out = new double[onset.length];
        for (int i = 0; i < out.length; i++) out[i] = onset[i] / (std + Double.MIN_NORMAL);
        return out;
    }

    /** Onsets smoothed by a Gaussian of +-period frames (as librosa: frame 0 is left out of the sums). */
    private static double[] localScore(double[] onset, int period) {
        int n = onset.length, k = 2 * period + 1;
        double[] window = new double[k];
        for (int j = 0; j < k; j++) {
            double x = (j - period) * 32.0 / period;
            window[j] = Math.exp(-0.5 * x * x);
        }
        double[] local = new double[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int j = Math.max(0, i + k / 2 - n + 1); j < Math.min(i + k / 2, k); j++) sum += window[j] * onset[i + k / 2 - j];
            local[i] = sum;
        }
        return local;
    }

    /** The last local maximum of the cumulative score that reaches half the median of all of them. */
    private static int lastBeat(double[] cumulative) {
        int n = cumulative.length;
        boolean[] peak = new boolean[n];
        double[] peaks = new double[n];
        int count = 0;
        for (int i = 1; i < n; i++) {
            peak[i] = i + 1 < n ? cumulative[i] > cumulative[i - 1] && cumulative[i] >= cumulative[i + 1]
                    : cumulative[i] > cumulative[i - 1];
            if (peak[i]) peaks[count++] = cumulative[i];
        }
        if (count == 0) return n - 1;
        double threshold = 0.5 * median(Arrays.copyOf(peaks, count));
        for (int i = n - 1; i >= 0; i--) if (peak[i] && cumulative[i] >= threshold) return i;
        return n - 1;
    }

    /** Clears beats in the leading and trailing frames whose local score stays below a threshold. */
    private static void trimWeakEnds(double[] local, boolean[] beat) {
        int n = local.length;
        double[] atBeats = java.util.stream.IntStream.range(0, n).filter(i -> beat[i]).mapToDouble(i -> local[i]).toArray();
        // np.convolve(atBeats, hanning(5))[2 : n + 2]: Hann(5) = 0, .5, 1, .5, 0
        double[] hann = {0, 0.5, 1, 0.5, 0};
        int full = atBeats.length + hann.length - 1;
        int end = Math.min(full, n + 2);
        double ss = 0;
        int count = 0;
        for (int i = 2; i < end; i++) {
            double v = 0;
            for (int j = 0; j < hann.length; j++) {
                int a = i - j;
                if (a >= 0 && a < atBeats.length) v += atBeats[a] * hann[j];
            }
            ss += v * v;
            count++;
        }
        double threshold = count == 0 ? 0 : 0.5 * Math.sqrt(ss / count);
        for (int i = 0; i < n && local[i] <= threshold; i++) beat[i] = false;
        for (int i = n - 1; i >= 0 && local[i] <= threshold; i--) beat[i] = false;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : 0.5 * (v[m - 1] + v[m]);
    }

    private static double[] periodicHann(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);
        return w;
    }
}
