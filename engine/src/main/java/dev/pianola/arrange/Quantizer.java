package dev.pianola.arrange;

import java.util.List;

/**
 * Moves onsets (and ends) towards a grid of beat subdivisions anchored at beat 0; the tempo map
 * already follows the song's beats, so beat 0 and every whole beat are the song's beats.
 */
final class Quantizer {
    private Quantizer() {}

    /** Nearest grid point; halfway goes later, like {@link Math#round}. */
    static double snap(double beats, double stepBeats) {
        return Math.round(beats / stepBeats) * stepBeats;
    }

    /**
     * With strength s each time moves the fraction s of the way to its grid point. An end whose grid
     * point is not after the start's grid point aims one step after it instead, so a note never
     * collapses to zero length: its new length is (1-s) * old length + s * (at least one step) > 0.
     * Without {@code ends} a note keeps its length and moves with its onset.
     */
    static void quantize(List<Voice> voices, double stepBeats, double strength, boolean ends) {
        if (stepBeats <= 0 || strength <= 0) return;
        for (Voice v : voices) {
            double startTarget = snap(v.startBeats, stepBeats);
            double newStart = strength == 1 ? startTarget : v.startBeats + strength * (startTarget - v.startBeats);
            double newEnd = v.endBeats;
            if (ends) {
                double endTarget = Math.max(snap(v.endBeats, stepBeats), startTarget + stepBeats);
                newEnd = strength == 1 ? endTarget : v.endBeats + strength * (endTarget - v.endBeats);
            } else {
                newEnd = newStart + v.durationBeats(); // onsets only: the note keeps its length
            }
            v.startBeats = Math.max(0, newStart);
            v.endBeats = newEnd;
        }
        voices.sort(Voice.ORDER);
    }
}
