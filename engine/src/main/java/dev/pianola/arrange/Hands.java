package dev.pianola.arrange;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Gives every note to a hand and keeps what each hand holds playable: within its span, within its
 * finger count, and both hands within the overall cap.
 *
 * <p>The music is walked chord by chord (notes whose onsets lie within the chord window). For each
 * chord the split between the hands is chosen among the gaps of the chord's pitches: the one that
 * needs the fewest notes folded or dropped, and then moves least from where the split was (pulled a
 * little towards its home each chord). That is the hysteresis: the split follows the music only when
 * the music asks for it, so a melody does not flap between the hands.
 *
 * <p>Invariants: when a chord starts, each hand's sounding notes (held ones included) fit its span
 * and finger count and all of them fit the overall cap. Between onsets notes only end, so the limits
 * hold at every moment. To keep them, a new chord may release held notes early (as a pianist lifts a
 * finger to reach the next chord) and drops the least important new notes; the melody (top of the
 * right hand) and the bass (bottom of the left hand) are kept first.
 *
 * <p>When the tune has been found ({@link Melody}), its note is the top of the right hand whatever its
 * register: the split stays below it and notes struck with it above it are folded under it. Notes
 * held from before may ring on above it (a pad over the tune), which keeps the harmony whole.
 */
final class Hands {
    static final int RIGHT = 0, LEFT = 1;

    /** A note that has to be folded or dropped costs as much as moving the split by an octave. */
    private static final double COST_PER_MISFIT = 12;
    /**
     * Within a phrase the split's home is a fifth under the tune (or middle C, when lower): the right
     * hand plays a triad's worth of harmony under the tune, the left hand the bass and the rest. A
     * whole octave gave the right hand so much that the left hand's chords thinned out.
     */
    private static final int HARMONY_UNDER_TUNE_SEMITONES = 7;
    /** Fraction of the way back to its home that the split drifts before each chord. */
    private static final double SPLIT_RETURN = 0.1;

    private Hands() {}

    /** Assigns hands (channel 0 right, 1 left); returns the notes kept, in order. */
    static List<Voice> arrange(List<Voice> voices, ArrangeOptions o, Tally tally) {
        List<Voice> out = new ArrayList<>(voices.size());
        List<Voice> sounding = new ArrayList<>();
        double split = o.splitPitch() - 0.5;
        Voice lastTune = null;
        int i = 0;
        while (i < voices.size()) {
            double t = voices.get(i).startBeats;
            int j = i;
            while (j < voices.size() && voices.get(j).startBeats - t <= o.chordWindowBeats() + Cleanup.SAME_TIME_BEATS) j++;
            List<Voice> chord = new ArrayList<>(voices.subList(i, j));
            i = j;
            sounding.removeIf(v -> v.endBeats <= t + Cleanup.SAME_TIME_BEATS);

            chord.sort(Comparator.comparingInt((Voice v) -> v.pitch).thenComparing(Voice.ORDER));
            Voice tune = tuneOf(chord);
            if (tune != null) {
                underTheTune(chord, tune, o, tally);
                lastTune = tune;
            }
            // within a phrase the right hand takes the harmony close under the tune
            boolean inPhrase = lastTune != null && t - lastTune.endBeats <= Melody.PHRASE_GAP_BEATS;
            double home = (inPhrase ? Math.min(o.splitPitch(), lastTune.pitch - HARMONY_UNDER_TUNE_SEMITONES) : o.splitPitch()) - 0.5;
            int k = chooseSplit(chord, tune == null ? chord.size() : chord.indexOf(tune), split, home, o);
            split = splitFor(chord, k, split + SPLIT_RETURN * (home - split));
            List<Voice> left = new ArrayList<>(chord.subList(0, k)), right = new ArrayList<>(chord.subList(k, chord.size()));
            for (Voice v : left) v.channel = LEFT;
            for (Voice v : right) v.channel = RIGHT;

            fitSpan(right, left, o, tally);

            // a key struck again is first released
            for (Voice v : concat(right, left)) {
                for (Voice h : sounding) {
                    if (h.pitch == v.pitch && h.endBeats > t) release(h, t, tally);
                }
            }
            sounding.removeIf(v -> v.endBeats <= t + Cleanup.SAME_TIME_BEATS);

            List<Voice> heldRight = new ArrayList<>(), heldLeft = new ArrayList<>();
            for (Voice h : sounding) (h.channel == RIGHT ? heldRight : heldLeft).add(h);
            keepHeldWithinSpan(heldRight, right, o.rightHandSpanSemitones(), t, tally);
            keepHeldWithinSpan(heldLeft, left, o.leftHandSpanSemitones(), t, tally);

            List<Voice> rightHand = concat(heldRight, right), leftHand = concat(heldLeft, left);
            rightHand.removeIf(v -> v.endBeats <= t);
            leftHand.removeIf(v -> v.endBeats <= t);
            Voice top = tune != null ? tune : rightHand.isEmpty() ? null : highest(rightHand);
            List<Voice> protectRight = top == null ? List.of() : List.of(top);
            List<Voice> protectLeft = leftHand.isEmpty() ? List.of() : List.of(lowest(leftHand));
            cap(rightHand, o.maxNotesRightHand(), protectRight, t, tally);
            cap(leftHand, o.maxNotesLeftHand(), protectLeft, t, tally);

            List<Voice> both = concat(rightHand, leftHand);
            List<Voice> protect = new ArrayList<>();
            if (!both.isEmpty()) {
                protect.add(top == null ? highest(both) : top);
                Voice bass = leftHand.isEmpty() ? lowest(both) : lowest(leftHand);
                if (o.maxPolyphony() >= 2 && !protect.contains(bass)) protect.add(bass);
            }
            cap(both, o.maxPolyphony(), protect, t, tally);

            for (Voice v : both) {
                if (v.startBeats >= t) {
                    out.add(v);
                    sounding.add(v);
                }
            }
            sounding.removeIf(v -> v.endBeats <= t + Cleanup.SAME_TIME_BEATS);
        }
        out.sort(Voice.ORDER);
        return out;
    }

    /** The chord's note of the tune (the highest, should quantizing have brought two together), or null. */
    static Voice tuneOf(List<Voice> chord) {
        Voice tune = null;
        for (Voice v : chord) if (v.melody && (tune == null || v.pitch > tune.pitch)) tune = v;
        return tune;
    }

    /**
     * Makes the tune the top of its chord: notes above it are folded down by octaves under it (or
     * dropped, as the span rule says), and a note on the tune's own key or folded onto a key already
     * in the chord is a duplicate. Keeps {@code chord} sorted by pitch.
     */
    static void underTheTune(List<Voice> chord, Voice tune, ArrangeOptions o, Tally tally) {
        Set<Integer> taken = new HashSet<>();
        for (Voice v : chord) if (v.pitch < tune.pitch) taken.add(v.pitch);
        for (Voice v : new ArrayList<>(chord)) {
            if (v == tune || v.pitch < tune.pitch) continue;
            int folded = v.pitch - 12 * Cleanup.ceilDiv(v.pitch - tune.pitch + 1, 12);
            if (v.pitch == tune.pitch || (o.outOfSpan() == ArrangeOptions.Overflow.FOLD && folded >= o.lowestPitch() && !taken.add(folded))) {
                chord.remove(v);
                tally.removedDuplicates++;
            } else if (o.outOfSpan() == ArrangeOptions.Overflow.FOLD && folded >= o.lowestPitch()) {
                v.pitch = folded;
                tally.foldedIntoHandSpan++;
            } else {
                chord.remove(v);
                tally.droppedByHandSpan++;
            }
        }
        chord.sort(Comparator.comparingInt((Voice v) -> v.pitch).thenComparing(Voice.ORDER));
    }

    /**
     * Number of chord notes (sorted by pitch) that go to the left hand, at most {@code maxLeft} (the
     * tune's index: it stays in the right hand): the partition with the fewest notes outside a span
     * or over a finger count, then the least split movement, then the split nearest home, then the
     * fewest left-hand notes.
     */
    static int chooseSplit(List<Voice> chord, int maxLeft, double split, double home, ArrangeOptions o) {
        double target = split + SPLIT_RETURN * (home - split);
        int best = -1;
        double bestCost = Double.POSITIVE_INFINITY, bestFromHome = Double.POSITIVE_INFINITY;
        for (int k = 0; k <= maxLeft; k++) {
            if (k > 0 && k < chord.size() && chord.get(k - 1).pitch == chord.get(k).pitch) continue;
            double s = splitFor(chord, k, target);
            int misfits = 0;
            if (k > 0) {
                int bass = chord.get(0).pitch;
                for (int n = 0; n < k; n++) if (chord.get(n).pitch - bass > o.leftHandSpanSemitones()) misfits++;
                misfits += Math.max(0, k - o.maxNotesLeftHand());
            }
            if (k < chord.size()) {
                int top = chord.get(chord.size() - 1).pitch;
                for (int n = k; n < chord.size(); n++) if (top - chord.get(n).pitch > o.rightHandSpanSemitones()) misfits++;
                misfits += Math.max(0, chord.size() - k - o.maxNotesRightHand());
            }
            double cost = COST_PER_MISFIT * misfits + Math.abs(s - target);
            double fromHome = Math.abs(s - home);
            if (cost < bestCost - 1e-12 || (Math.abs(cost - bestCost) <= 1e-12 && fromHome < bestFromHome - 1e-12)) {
                best = k;
                bestCost = cost;
                bestFromHome = fromHome;
            }
        }
        return best;
    }

    /** The split point nearest {@code target} that puts the lowest k chord notes in the left hand. */
    static double splitFor(List<Voice> chord, int k, double target) {
        double lo = k == 0 ? Double.NEGATIVE_INFINITY : chord.get(k - 1).pitch + 0.5;
        double hi = k == chord.size() ? Double.POSITIVE_INFINITY : chord.get(k).pitch - 0.5;
        return Math.max(lo, Math.min(hi, target));
    }

    /**
     * Right hand: notes more than the span below the top note (the melody) are folded up by octaves
     * under it, or dropped. Left hand: notes more than the span above the bass are folded down over
     * it, or dropped. A fold that would land on a key already in the chord drops the note instead.
     */
    static void fitSpan(List<Voice> right, List<Voice> left, ArrangeOptions o, Tally tally) {
        Set<Integer> taken = new HashSet<>();
        List<Voice> rightMisfits = new ArrayList<>(), leftMisfits = new ArrayList<>();
        int top = right.isEmpty() ? 0 : highest(right).pitch;
        int bass = left.isEmpty() ? 0 : lowest(left).pitch;
        for (Voice v : right) {
            if (top - v.pitch > o.rightHandSpanSemitones()) rightMisfits.add(v);
            else taken.add(v.pitch);
        }
        for (Voice v : left) {
            if (v.pitch - bass > o.leftHandSpanSemitones()) leftMisfits.add(v);
            else taken.add(v.pitch);
        }
        boolean fold = o.outOfSpan() == ArrangeOptions.Overflow.FOLD;
        for (Voice v : rightMisfits) {
            int folded = v.pitch + 12 * Cleanup.ceilDiv(top - o.rightHandSpanSemitones() - v.pitch, 12);
            if (fold && folded <= top && taken.add(folded)) {
                v.pitch = folded;
                tally.foldedIntoHandSpan++;
            } else {
                right.remove(v);
                tally.droppedByHandSpan++;
            }
        }
        for (Voice v : leftMisfits) {
            int folded = v.pitch - 12 * Cleanup.ceilDiv(v.pitch - bass - o.leftHandSpanSemitones(), 12);
            if (fold && folded >= bass && taken.add(folded)) {
                v.pitch = folded;
                tally.foldedIntoHandSpan++;
            } else {
                left.remove(v);
                tally.droppedByHandSpan++;
            }
        }
    }

    /**
     * Held notes of a hand stay only while the hand, with its new notes, still fits its span; the
     * longest held notes are considered first (they carry the most), the others are released now.
     */
    static void keepHeldWithinSpan(List<Voice> held, List<Voice> fresh, int span, double t, Tally tally) {
        if (fresh.isEmpty()) return;
        int lo = lowest(fresh).pitch, hi = highest(fresh).pitch;
        held.sort(Comparator.comparingDouble(Voice::durationBeats).reversed().thenComparing(Voice.ORDER));
        for (Voice h : new ArrayList<>(held)) {
            int newLo = Math.min(lo, h.pitch), newHi = Math.max(hi, h.pitch);
            if (newHi - newLo <= span) {
                lo = newLo;
                hi = newHi;
            } else {
                release(h, t, tally);
                held.remove(h);
            }
        }
    }

    /**
     * Keeps at most {@code max} notes of {@code notes}: the protected ones first, then the most
     * important. Notes left out are dropped if they start now, released if they were held.
     */
    static void cap(List<Voice> notes, int max, List<Voice> protect, double t, Tally tally) {
        if (notes.size() <= max) return;
        Voice highest = highest(notes), lowest = lowest(notes);
        List<Voice> ranked = new ArrayList<>(notes);
        ranked.sort(Comparator.comparingDouble((Voice v) -> protect.contains(v) ? Double.POSITIVE_INFINITY : importance(v, t, highest, lowest))
                .reversed().thenComparing(Voice.ORDER));
        for (Voice v : ranked.subList(max, ranked.size())) {
            notes.remove(v);
            if (v.startBeats >= t) {
                tally.droppedByPolyphony++;
            } else {
                release(v, t, tally);
            }
        }
    }

    /**
     * How much a note matters to the listener: loud, long, just struck, and on the outside of the
     * texture (inner voices go first).
     */
    static double importance(Voice v, double t, Voice highest, Voice lowest) {
        double loud = v.velocity / 127.0;
        double length = Math.min(v.durationBeats(), 4.0) / 4.0;
        double fresh = v.startBeats >= t ? 0.5 : 0;
        double outer = (v == highest || v == lowest) ? 0.5 : 0;
        return loud + 0.5 * length + fresh + outer;
    }

    private static void release(Voice held, double t, Tally tally) {
        if (held.endBeats > t) {
            held.endBeats = t;
            tally.shortenedNotes++;
        }
    }

    static Voice highest(List<Voice> vs) {
        Voice best = vs.get(0);
        for (Voice v : vs) if (v.pitch > best.pitch) best = v;
        return best;
    }

    static Voice lowest(List<Voice> vs) {
        Voice best = vs.get(0);
        for (Voice v : vs) if (v.pitch < best.pitch) best = v;
        return best;
    }

    private static List<Voice> concat(List<Voice> a, List<Voice> b) {
        List<Voice> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return all;
    }
}
