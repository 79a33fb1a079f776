package dev.pianola.time;

import java.util.ArrayList;
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
     * A tempo map whose integer beats fall on the given beat times (seconds, increasing), e.g. from
     * a beat tracker, so that a MIDI file written with it lines up with the audio in a DAW. Beat 0
     * is always at 0 s, so the stretch before the first beat time becomes whole beats: as many as fit
     * at about the first beat's tempo (0.67x to 2x of it), or, when the first beat
     * comes less than half a beat in, the first beat reaches back to 0 s (its tempo 0.67x to 1x).
     * After the last beat time the last tempo holds.
     */
    public static TempoMap fromBeatTimes(double[] beatSeconds) {
        if (beatSeconds.length < 2) throw new IllegalArgumentException("need at least two beat times, got " + beatSeconds.length);
        for (int i = 0; i + 1 < beatSeconds.length; i++) {
            if (!(beatSeconds[i + 1] > beatSeconds[i])) {
                throw new IllegalArgumentException("beat times must increase: " + beatSeconds[i] + " then " + beatSeconds[i + 1]);
            }
        }
        if (!(beatSeconds[0] >= 0)) throw new IllegalArgumentException("beat times must not be negative: " + beatSeconds[0]);
        double first = beatSeconds[0], interval = beatSeconds[1] - beatSeconds[0];
        long pickupBeats = Math.round(first / interval);
        List<Change> changes = new ArrayList<>();
        int from = 0; // the first beat time that keeps its own integer beat
        if (pickupBeats >= 1) {
            changes.add(new Change(0, 60.0 * pickupBeats / first));
        } else if (first > 0) {
            from = 1; // a short pickup joins the first beat: beat 1 lands on the second beat time
            changes.add(new Change(0, 60.0 / beatSeconds[1]));
            pickupBeats = 1;
        }
        for (int i = from; i + 1 < beatSeconds.length; i++) {
            changes.add(new Change(pickupBeats + i - from, 60.0 / (beatSeconds[i + 1] - beatSeconds[i])));
        }
        return new TempoMap(changes);
    }

    public List<Change> changes() {
        return changes;
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
