package dev.pianola.arrange;

import dev.pianola.midi.Note;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Independent checks of an arrangement, written from the rules rather than from the arranger's code:
 * a note sounds at time t when start <= t < end (with a tolerance of {@link #EPS} beats).
 */
final class Playability {
    static final double EPS = 1e-9;

    private Playability() {}

    /** Every time where something starts or ends. */
    static double[] eventTimes(List<Note> notes) {
        TreeSet<Double> times = new TreeSet<>();
        for (Note n : notes) {
            times.add(n.startBeats());
            times.add(n.endBeats());
        }
        return times.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Most notes sounding at once, checked at every onset and every end. */
    static int maxSounding(List<Note> notes) {
        double[] starts = notes.stream().mapToDouble(Note::startBeats).sorted().toArray();
        double[] ends = notes.stream().mapToDouble(Note::endBeats).sorted().toArray();
        int max = 0;
        for (double t : eventTimes(notes)) {
            // a note with end <= t + EPS also has start < t + EPS, so this difference counts start <= t < end
            max = Math.max(max, countAtMost(starts, t + EPS) - countAtMost(ends, t + EPS));
        }
        return max;
    }

    private static int countAtMost(double[] sorted, double x) {
        int i = Arrays.binarySearch(sorted, x);
        if (i < 0) return -i - 1;
        while (i + 1 < sorted.length && sorted[i + 1] == x) i++;
        return i + 1;
    }

    /** Notes sounding at t. */
    static List<Note> soundingAt(List<Note> notes, double t) {
        List<Note> out = new ArrayList<>();
        for (Note n : notes) if (n.startBeats() <= t + EPS && n.endBeats() > t + EPS) out.add(n);
        return out;
    }

    /** Widest interval (semitones) a hand holds at any onset; the span can only grow at onsets. */
    static int maxSpan(List<Note> hand) {
        List<Note> byStart = new ArrayList<>(hand);
        byStart.sort(Comparator.comparingDouble(Note::startBeats));
        List<Note> active = new ArrayList<>();
        int widest = 0, next = 0;
        for (double t : eventTimes(hand)) {
            while (next < byStart.size() && byStart.get(next).startBeats() <= t + EPS) active.add(byStart.get(next++));
            active.removeIf(n -> n.endBeats() <= t + EPS);
            if (active.isEmpty()) continue;
            int lo = 127, hi = 0;
            for (Note n : active) {
                lo = Math.min(lo, n.pitch());
                hi = Math.max(hi, n.pitch());
            }
            widest = Math.max(widest, hi - lo);
        }
        return widest;
    }

    static List<Note> hand(List<Note> notes, int channel) {
        return notes.stream().filter(n -> n.channel() == channel).toList();
    }

    /** True when x lies on the grid k * step (within EPS beats). */
    static boolean onGrid(double x, double step) {
        return Math.abs(x - Math.round(x / step) * step) <= EPS;
    }

    /** All the rules a playable arrangement must satisfy under the given options. */
    static void assertPlayable(Arrangement a, ArrangeOptions o, String what) {
        List<Note> notes = a.notes().notes();
        for (Note n : notes) {
            if (n.pitch() < o.lowestPitch() || n.pitch() > o.highestPitch()) fail(what + ": note out of range: " + n);
            if (n.channel() != 0 && n.channel() != 1) fail(what + ": note on channel other than the two hands: " + n);
            if (!(n.durationBeats() > 0)) fail(what + ": zero-length note: " + n);
            if (o.velocityMode() == ArrangeOptions.VelocityMode.SHAPE && (n.velocity() < o.minVelocity() || n.velocity() > o.maxVelocity())) {
                fail(what + ": velocity outside " + o.minVelocity() + ".." + o.maxVelocity() + ": " + n);
            }
            double step = o.quantizeGrid().stepBeats();
            if (step > 0 && o.quantizeStrength() == 1) {
                if (!onGrid(n.startBeats(), step)) fail(what + ": onset off the grid: " + n);
                // an end can be cut short by a later onset, which is on the grid too
                if (o.quantizeEnds() && !onGrid(n.endBeats(), step)) fail(what + ": end off the grid: " + n);
            }
        }
        List<Note> right = hand(notes, 0), left = hand(notes, 1);
        assertTrue(maxSounding(notes) <= o.maxPolyphony(), what + ": " + maxSounding(notes) + " notes at once, cap " + o.maxPolyphony());
        assertTrue(maxSounding(right) <= o.maxNotesRightHand(), what + ": right hand holds " + maxSounding(right));
        assertTrue(maxSounding(left) <= o.maxNotesLeftHand(), what + ": left hand holds " + maxSounding(left));
        assertTrue(maxSpan(right) <= o.rightHandSpanSemitones(), what + ": right hand spans " + maxSpan(right));
        assertTrue(maxSpan(left) <= o.leftHandSpanSemitones(), what + ": left hand spans " + maxSpan(left));
        // one key never sounds twice at once
        for (int p = 0; p < 128; p++) {
            final int pitch = p;
            assertTrue(maxSounding(notes.stream().filter(n -> n.pitch() == pitch).toList()) <= 1, what + ": pitch " + p + " sounds twice at once");
        }
        ArrangeReport r = a.report();
        assertEquals(notes.size(), r.notesOut(), what + ": report notesOut");
        assertEquals(r.notesIn() + r.writtenByTexture(), r.notesOut() + r.droppedTotal(), what + ": every input note is kept or counted by one rule");
        assertEquals(right.size(), r.rightHandNotes(), what + ": report right hand");
        assertEquals(left.size(), r.leftHandNotes(), what + ": report left hand");
    }
}
