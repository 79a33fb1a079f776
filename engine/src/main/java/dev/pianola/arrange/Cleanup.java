package dev.pianola.arrange;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The rules that repair a transcription before it is arranged: keyboard range, duplicates, fragments, noise. */
final class Cleanup {
    /** Onsets closer than this are the same onset (floating-point noise, not music). */
    static final double SAME_TIME_BEATS = 1e-9;

    /**
     * A note of the tune that lasts at least this (a sixteenth), after a same-pitch note that did too, is a
     * repeated note and keeps its attack; faster re-triggers are a transcription's tremolo on one held note.
     */
    static final double REPEAT_MIN_BEATS = 0.25;

    private static final Comparator<Voice> BY_PITCH_THEN_TIME =
            Comparator.comparingInt((Voice v) -> v.pitch).thenComparing(Voice.ORDER);

    private Cleanup() {}

    /** Folds (by octaves) or drops notes outside lowest..highest. */
    static List<Voice> keyboardRange(List<Voice> in, ArrangeOptions o, Tally tally) {
        List<Voice> out = new ArrayList<>(in.size());
        for (Voice v : in) {
            if (v.pitch >= o.lowestPitch() && v.pitch <= o.highestPitch()) {
                out.add(v);
            } else if (o.outOfRange() == ArrangeOptions.Overflow.DROP) {
                tally.droppedOutOfRange++;
            } else {
                v.pitch = foldInto(v.pitch, o.lowestPitch(), o.highestPitch());
                tally.foldedIntoRange++;
                out.add(v);
            }
        }
        return out;
    }

    /** The pitch moved by the fewest octaves into lowest..highest (which spans at least 11 semitones). */
    static int foldInto(int pitch, int lowest, int highest) {
        if (pitch < lowest) return pitch + 12 * ceilDiv(lowest - pitch, 12);
        if (pitch > highest) return pitch - 12 * ceilDiv(pitch - highest, 12);
        return pitch;
    }

    static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    /**
     * Per pitch, in time order: a note that starts with the previous one is a duplicate; a note that
     * starts less than {@code gapBeats} after the previous one ends (or while it still sounds) is a
     * fragment of it. Both are absorbed: the kept note lasts until the later end and takes the louder velocity.
     * Only a repeated note of the tune ({@link #REPEAT_MIN_BEATS}) stays a note of its own.
     */
    static List<Voice> mergeFragments(List<Voice> in, double gapBeats, Tally tally) {
        List<Voice> byPitch = new ArrayList<>(in);
        byPitch.sort(BY_PITCH_THEN_TIME);
        List<Voice> out = new ArrayList<>(in.size());
        Voice current = null;
        double previousBeats = 0; // the length of the note before, as the input had it
        for (Voice v : byPitch) {
            double lengthBeats = previousBeats;
            previousBeats = v.durationBeats();
            if (current != null && current.pitch == v.pitch) {
                boolean duplicate = v.startBeats - current.startBeats <= SAME_TIME_BEATS;
                if (!duplicate && v.melody && lengthBeats >= REPEAT_MIN_BEATS && v.durationBeats() >= REPEAT_MIN_BEATS) {
                    // the tune's repeated note is struck again (its words), not a fragment
                    if (current.endBeats > v.startBeats) {
                        current.endBeats = v.startBeats;
                        tally.shortenedNotes++;
                    }
                } else if (duplicate || v.startBeats - current.endBeats < gapBeats) {
                    current.endBeats = Math.max(current.endBeats, v.endBeats);
                    current.velocity = Math.max(current.velocity, v.velocity);
                    current.melody |= v.melody;
                    if (duplicate) tally.removedDuplicates++;
                    else tally.mergedFragments++;
                    continue;
                }
            }
            current = v;
            out.add(v);
        }
        out.sort(Voice.ORDER);
        return out;
    }

    /** Drops notes shorter than {@code minBeats}, and every note without length. */
    static List<Voice> dropShort(List<Voice> in, double minBeats, Tally tally) {
        List<Voice> out = new ArrayList<>(in.size());
        for (Voice v : in) {
            if (v.durationBeats() > SAME_TIME_BEATS && v.durationBeats() >= minBeats) out.add(v);
            else tally.droppedTooShort++;
        }
        return out;
    }

    /**
     * One key cannot sound twice: after a rule moved notes (folding, snapping, quantizing), a note
     * that starts with another of the same pitch is removed (the longer, then louder, stays) and a
     * note still sounding when its pitch is struck again is released at that onset. A note of the tune
     * wins over one that is not.
     */
    static List<Voice> resolveCollisions(List<Voice> in, Tally tally) {
        List<Voice> byPitch = new ArrayList<>(in);
        byPitch.sort(Comparator.comparingInt((Voice v) -> v.pitch).thenComparingDouble(v -> v.startBeats)
                .thenComparing((Voice v) -> !v.melody)
                .thenComparing(Comparator.comparingDouble(Voice::durationBeats).reversed())
                .thenComparing(Comparator.comparingInt((Voice v) -> v.velocity).reversed()));
        List<Voice> out = new ArrayList<>(in.size());
        Voice previous = null;
        for (Voice v : byPitch) {
            if (previous != null && previous.pitch == v.pitch) {
                if (v.startBeats - previous.startBeats <= SAME_TIME_BEATS) {
                    tally.removedDuplicates++;
                    continue;
                }
                if (v.startBeats < previous.endBeats) {
                    previous.endBeats = v.startBeats;
                    tally.shortenedNotes++;
                }
            }
            previous = v;
            out.add(v);
        }
        out.sort(Voice.ORDER);
        return out;
    }
}
