package dev.pianola.time;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Tempo over musical time. Beats are quarter notes (1.0 = one quarter); every conversion between
 * beats, seconds and frames goes through here, so tempo changes are honoured everywhere.
 * Immutable. Tempo is constant between changes (no ramps: SMF cannot express them either).
 */
public final class TempoMap {
    /** A tempo that holds from {@code beats} until the next change. */
    public record Change(double beats, double bpm) {
        public Change {
            if (!(bpm > 0) || !Double.isFinite(bpm)) throw new IllegalArgumentException("tempo must be > 0 BPM, got " + bpm);
            if (!(beats >= 0)) throw new IllegalArgumentException("tempo change before beat 0: " + beats);
        }
    }

    public static final double DEFAULT_BPM = 120.0;

    private final List<Change> changes;
    /** seconds at the start of each change, cumulative; same index as {@link #changes}. */
    private final double[] startSeconds;

    public TempoMap(List<Change> changes) {
        List<Change> sorted = new ArrayList<>(changes);
        sorted.sort(Comparator.comparingDouble(Change::beats));
        // a change at the same beat as an earlier one replaces it (last one wins, as in SMF)
        List<Change> merged = new ArrayList<>();
        for (Change c : sorted) {
            if (!merged.isEmpty() && merged.get(merged.size() - 1).beats() == c.beats()) merged.remove(merged.size() - 1);
            merged.add(c);
        }
        if (merged.isEmpty() || merged.get(0).beats() > 0) merged.add(0, new Change(0, DEFAULT_BPM));
        // a change to the tempo already in force changes nothing: a DAW would show it as a tempo event all the same
        for (int i = merged.size() - 1; i > 0; i--) if (merged.get(i).bpm() == merged.get(i - 1).bpm()) merged.remove(i);
        this.changes = List.copyOf(merged);
        this.startSeconds = new double[merged.size()];
        for (int i = 1; i < merged.size(); i++) {
            Change prev = merged.get(i - 1);
            startSeconds[i] = startSeconds[i - 1] + (merged.get(i).beats() - prev.beats()) * 60.0 / prev.bpm();
        }
    }

    public static TempoMap constant(double bpm) {
        return new TempoMap(List.of(new Change(0, bpm)));
    }

    /**
     * A tempo map whose integer beats fall on the given beat times (seconds, increasing) exactly, a
     * change per beat where the spacing changes: for beat times that must be kept as they are
     * (a model's own grid). See {@link #fromBeatTimes(double[], double)}.
     */
    public static TempoMap fromBeatTimes(double[] beatSeconds) {
        return fromBeatTimes(beatSeconds, EXACT_SECONDS);
    }

    /** Residual below which beat times count as fitted exactly (floating-point noise of a regular grid). */
    private static final double EXACT_SECONDS = 1e-9;

    /**
     * A tempo map whose integer beats fall within about {@code toleranceSeconds} of the given beat
     * times (seconds, increasing), e.g. a beat tracker's, with as few tempo changes as that allows.
     * A tracker's beats jitter by a frame or two; following each beat's spacing wrote a tempo change
     * per beat, which a DAW shows as a wobbling grid. Here the beat times are cut into steady
     * stretches (each the longest run that one straight line of beats fits within the tolerance),
     * and the stretches are fitted together as one continuous line of knots (least squares), so a
     * new tempo starts only where the music's tempo really changes.
     *
     * <p>Beat 0 is always at 0 s, so the stretch before the first beat becomes whole beats: the
     * first stretch's tempo reaches back to 0 s when 0 s lies within the tolerance of its grid;
     * else a pickup tempo of its own (as many beats as fit at about the first tempo, or, when the
     * first beat comes less than half a beat in, the first beat reaches back to 0 s). After the
     * last beat time the last tempo holds.
     */
    public static TempoMap fromBeatTimes(double[] beatSeconds, double toleranceSeconds) {
        if (beatSeconds.length < 2) throw new IllegalArgumentException("need at least two beat times, got " + beatSeconds.length);
        for (int i = 0; i + 1 < beatSeconds.length; i++) {
            if (!(beatSeconds[i + 1] > beatSeconds[i])) {
                throw new IllegalArgumentException("beat times must increase: " + beatSeconds[i] + " then " + beatSeconds[i + 1]);
            }
        }
        if (!(beatSeconds[0] >= 0)) throw new IllegalArgumentException("beat times must not be negative: " + beatSeconds[0]);
        if (!(toleranceSeconds >= EXACT_SECONDS)) throw new IllegalArgumentException("tolerance must be positive: " + toleranceSeconds);
        int[] knots = SteadyStretches.knots(beatSeconds, toleranceSeconds);
        double[] knotSeconds = SteadyStretches.fit(beatSeconds, knots);
        for (int k = 0; k + 1 < knotSeconds.length; k++) {
            // beats too uneven for one continuous line (the fit put a knot at or before the one
            // before it): no smoothing to be had, each beat time is kept as it is
            // (exactly fitted beats never are: every beat is a knot)
            if (!(knotSeconds[k + 1] > knotSeconds[k]) && toleranceSeconds > EXACT_SECONDS) return fromBeatTimes(beatSeconds);
        }
        // the fitted first beat and beat length decide the pickup
        double first = Math.max(0, knotSeconds[0]), period = (knotSeconds[1] - knotSeconds[0]) / (knots[1] - knots[0]);
        long pickupBeats = Math.round(first / period + 1e-9); // half a beat in rounds up, whatever the float noise
        // points (beats, seconds) the map runs through, straight from one to the next
        List<double[]> points = new ArrayList<>();
        points.add(new double[]{0, 0});
        long offset = pickupBeats; // beat time i lands on beat i + offset
        if (Math.abs(first - pickupBeats * period) > toleranceSeconds) {
            if (pickupBeats >= 1) {
                points.add(new double[]{pickupBeats, first});
            } else {
                // a short pickup joins the first beat: beat 1 lands where the first stretch puts its second beat
                points.add(new double[]{1, first + period});
                offset = 0;
            }
        } // else 0 s is (nearly) on the first stretch's grid: it reaches back there
        for (int k = 1; k < knots.length; k++) {
            double beats = knots[k] + offset;
            if (beats > points.get(points.size() - 1)[0]) points.add(new double[]{beats, knotSeconds[k]});
        }
        List<Change> changes = new ArrayList<>();
        for (int k = 0; k + 1 < points.size(); k++) {
            double[] a = points.get(k), b = points.get(k + 1);
            changes.add(new Change(a[0], 60.0 * (b[0] - a[0]) / (b[1] - a[1])));
        }
        return new TempoMap(changes);
    }

    /** Steady stretches of beat times and the continuous line of knots through them. */
    private static final class SteadyStretches {
        private SteadyStretches() {}

        /**
         * Indices of the beat times where one stretch ends and the next begins, from the first beat
         * time to the last. Top down: a run of beat times that one straight line (least squares)
         * does not fit within the tolerance is cut where two lines fit it best, and so on; so a
         * steady run is never cut for a few jittered beats, and a tempo change is cut where it is.
         * Two beat times always fit.
         */
        static int[] knots(double[] t, double tolerance) {
            java.util.TreeSet<Integer> knots = new java.util.TreeSet<>(List.of(0, t.length - 1));
            Sums sums = new Sums(t);
            java.util.ArrayDeque<int[]> runs = new java.util.ArrayDeque<>();
            runs.push(new int[]{0, t.length - 1});
            while (!runs.isEmpty()) {
                int[] run = runs.pop();
                int a = run[0], b = run[1];
                if (lineFits(t, a, b, tolerance)) continue;
                int cut = a + 1;
                double best = Double.POSITIVE_INFINITY;
                for (int k = a + 1; k < b; k++) {
                    double sse = sums.squaredError(a, k) + sums.squaredError(k, b);
                    if (sse < best) {
                        best = sse;
                        cut = k;
                    }
                }
                knots.add(cut);
                runs.push(new int[]{a, cut});
                runs.push(new int[]{cut, b});
            }
            // a cut made for the run above may not be needed once its neighbours are cut too
            List<Integer> list = new ArrayList<>(knots);
            for (boolean merged = true; merged; ) {
                merged = false;
                for (int k = 1; k + 1 < list.size(); k++) {
                    if (lineFits(t, list.get(k - 1), list.get(k + 1), tolerance)) {
                        list.remove(k);
                        merged = true;
                    }
                }
            }
            return list.stream().mapToInt(Integer::intValue).toArray();
        }

        /** Prefix sums of beat times, for the squared error of a straight line over any run in constant time. */
        private static final class Sums {
            private final double[] x, xx, y, yy, xy;

            Sums(double[] t) {
                int n = t.length;
                x = new double[n + 1];
                xx = new double[n + 1];
                y = new double[n + 1];
                yy = new double[n + 1];
                xy = new double[n + 1];
                double t0 = t[0];
                for (int i = 0; i < n; i++) {
                    double ti = t[i] - t0; // from the first beat time: smaller sums, less cancellation
                    x[i + 1] = x[i] + i;
                    xx[i + 1] = xx[i] + (double) i * i;
                    y[i + 1] = y[i] + ti;
                    yy[i + 1] = yy[i] + ti * ti;
                    xy[i + 1] = xy[i] + i * ti;
                }
            }

            /** Squared error of the least-squares line through beat times [from, to]. */
            double squaredError(int from, int to) {
                int n = to - from + 1;
                double sx = x[to + 1] - x[from], sy = y[to + 1] - y[from];
                double sxx = xx[to + 1] - xx[from] - sx * sx / n, syy = yy[to + 1] - yy[from] - sy * sy / n;
                double sxy = xy[to + 1] - xy[from] - sx * sy / n;
                return sxx > 0 ? Math.max(0, syy - sxy * sxy / sxx) : 0;
            }
        }

        /** Whether one straight line fits beat times [from, to] (least squares) within the tolerance. */
        private static boolean lineFits(double[] t, int from, int to, double tolerance) {
            int n = to - from + 1;
            double mx = (from + to) / 2.0, my = 0;
            for (int i = from; i <= to; i++) my += t[i];
            my /= n;
            double sxy = 0, sxx = 0;
            for (int i = from; i <= to; i++) {
                sxy += (i - mx) * (t[i] - my);
                sxx += (i - mx) * (i - mx);
            }
            double slope = sxy / sxx;
            for (int i = from; i <= to; i++) if (Math.abs(my + (i - mx) * slope - t[i]) > tolerance) return false;
            return true;
        }

        /**
         * The times at the knots of the continuous piecewise-straight line through the beat times
         * that is nearest them (least squares): a tridiagonal system, one unknown per knot.
         */
        static double[] fit(double[] t, int[] knots) {
            int m = knots.length;
            double[] diag = new double[m], off = new double[m - 1], rhs = new double[m];
            for (int k = 0; k + 1 < m; k++) {
                int a = knots[k], b = knots[k + 1];
                boolean last = k + 2 == m;
                for (int i = a; i < b || (last && i == b); i++) {
                    double w = (i - a) / (double) (b - a);
                    diag[k] += (1 - w) * (1 - w);
                    off[k] += (1 - w) * w;
                    diag[k + 1] += w * w;
                    rhs[k] += (1 - w) * t[i];
                    rhs[k + 1] += w * t[i];
                }
            }
            // Thomas algorithm: the system is symmetric and diagonally dominant enough (every knot is a beat time)
            double[] c = new double[m], d = new double[m];
            c[0] = m > 1 ? off[0] / diag[0] : 0;
            d[0] = rhs[0] / diag[0];
            for (int k = 1; k < m; k++) {
                double denom = diag[k] - off[k - 1] * c[k - 1];
                c[k] = k + 1 < m ? off[k] / denom : 0;
                d[k] = (rhs[k] - off[k - 1] * d[k - 1]) / denom;
            }
            double[] x = new double[m];
            x[m - 1] = d[m - 1];
            for (int k = m - 2; k >= 0; k--) x[k] = d[k] - c[k] * x[k + 1];
            return x;
        }
    }

    public List<Change> changes() {
        return changes;
    }

    /**
     * The tempo to quote for the music up to {@code endBeats}: the median of the tempos over time
     * (the tempo in force for the most seconds when there are two; the last one counts for at
     * least a bar, so a short pickup is never quoted). Robust against a beat-per-beat map's jitter.
     * Every report of a piece's tempo (console, JSON, piano roll) quotes this figure.
     */
    public double mainBpm(double endBeats) {
        int n = changes.size();
        double[][] spans = new double[n][]; // {bpm, seconds}
        double total = 0;
        for (int i = 0; i < n; i++) {
            Change c = changes.get(i);
            double end = i + 1 < n ? changes.get(i + 1).beats() : Math.max(endBeats, c.beats() + BAR_BEATS);
            spans[i] = new double[]{c.bpm(), (end - c.beats()) * 60.0 / c.bpm()};
            total += spans[i][1];
        }
        Arrays.sort(spans, Comparator.comparingDouble(s -> s[0]));
        double seconds = 0;
        for (double[] s : spans) {
            seconds += s[1];
            if (seconds >= total / 2) return s[0];
        }
        return spans[n - 1][0];
    }

    private static final double BAR_BEATS = 4;

    /** A tempo as every report quotes it: to 0.1 BPM, a whole number without ".0" ("108", "107.7"). */
    public static String bpmText(double bpm) {
        double tenths = bpmRounded(bpm);
        return tenths == Math.rint(tenths) ? Long.toString((long) tenths) : Double.toString(tenths);
    }

    /** {@link #bpmText} as a number, for JSON. */
    public static double bpmRounded(double bpm) {
        return Math.round(bpm * 10) / 10.0;
    }

    /** Tempo in force at a beat. */
    public double bpmAt(double beats) {
        return changes.get(indexAtBeats(beats)).bpm();
    }

    public double secondsAt(double beats) {
        int i = indexAtBeats(beats);
        Change c = changes.get(i);
        return startSeconds[i] + (beats - c.beats()) * 60.0 / c.bpm();
    }

    public double beatsAt(double seconds) {
        int i = indexAtSeconds(seconds);
        Change c = changes.get(i);
        return c.beats() + (seconds - startSeconds[i]) * c.bpm() / 60.0;
    }

    public double framesAt(double beats, double sampleRate) {
        return secondsAt(beats) * sampleRate;
    }

    public double beatsAtFrame(double frames, double sampleRate) {
        return beatsAt(frames / sampleRate);
    }

    private int indexAtBeats(double beats) {
        int lo = 0, hi = changes.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (changes.get(mid).beats() <= beats) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    private int indexAtSeconds(double seconds) {
        int lo = 0, hi = startSeconds.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (startSeconds[mid] <= seconds) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    @Override
    public String toString() {
        return "TempoMap" + changes;
    }
}
