package dev.pianola.models.continuator;

import dev.pianola.arrange.Key;
import dev.pianola.arrange.KeyDetector;
import dev.pianola.midi.Note;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.pianola.models.continuator.ContinuatorConstants.MIN_QUOTE_RUN;
import static dev.pianola.models.continuator.ContinuatorConstants.MIN_REPEAT;
import static dev.pianola.models.continuator.ContinuatorConstants.OUTSIDE_PHRASE_WEIGHT;
import static dev.pianola.models.continuator.ContinuatorConstants.QUOTE_SHARE_OF_PHRASE;

/**
 * What a phrase says its answer should keep to: the pitch classes to move material onto (what the
 * player used, and the key's scale), the stable degrees to end on, how often a pitch may repeat,
 * and the figures that would be quotes.
 *
 * @param key             the phrase's key (Krumhansl), or null when it has none (one pitch class, say)
 * @param dwell           for each pitch class (0 = C), how long the phrase sounds it, relative to the longest (0..1)
 * @param allowedSet      pitch classes moved material may land on: those the phrase uses and the key's scale
 * @param stableSet       pitch classes an answer may end on: the tones of the key's tonic triad that the phrase used
 *                        (all three if it used none), or what was heard when there is no key
 * @param maxRepeat       the most times one pitch may follow itself in the top voice: the phrase's own longest run, at least {@link ContinuatorConstants#MIN_REPEAT}
 * @param quoted          the phrase's top-voice figures of {@link ContinuationMetrics#COPY_NGRAM} pitches
 * @param maxQuoteRun     the most events in a row that may each end one of those figures (see {@link ContinuatorConstants#MIN_QUOTE_RUN})
 */
record Style(Key key, double[] dwell, int allowedSet, int stableSet, int maxRepeat, Set<List<Integer>> quoted, int maxQuoteRun) {
    private static final int ALL_PITCH_CLASSES = 0xFFF;

    static Style of(List<Note> phrase) {
        Key key = KeyDetector.detect(phrase);
        int heard = 0;
        for (Note n : phrase) heard |= 1 << (n.pitch() % 12);
        int scale = 0, stable = heard;
        if (key != null) {
            for (int pc : key.pitchClasses()) scale |= 1 << pc;
            int third = key.mode() == Key.Mode.MAJOR ? 4 : 3;
            int triad = 0;
            for (int degree : new int[] {0, third, 7}) triad |= 1 << ((key.tonicPitchClass() + degree) % 12);
            // end on a tone of the triad the player used, if there is one
            stable = (triad & heard) != 0 ? triad & heard : triad;
        }
        int allowed = key == null ? ALL_PITCH_CLASSES : heard | scale;
        // in grid steps, each note at least one: a phrase of zero-length notes still has a profile
        double[] dwell = Continuator.profile(Event.of(phrase));
        double longest = Arrays.stream(dwell).max().orElse(0);
        for (int pc = 0; pc < 12; pc++) dwell[pc] /= longest;
        int maxRepeat = Math.max(MIN_REPEAT, ContinuationMetrics.longestRepeat(phrase));
        List<Integer> top = ContinuationMetrics.topVoice(phrase);
        Set<List<Integer>> quoted = new HashSet<>(ContinuationMetrics.ngrams(top, ContinuationMetrics.COPY_NGRAM));
        int maxQuoteRun = Math.max(MIN_QUOTE_RUN, (int) (QUOTE_SHARE_OF_PHRASE * top.size()));
        return new Style(key, dwell, allowed, stable, maxRepeat, Set.copyOf(quoted), maxQuoteRun);
    }

    /**
     * A remembered event moved by some semitones, each note then put on the nearest allowed pitch
     * class (a chromatic move becomes a move within the key, as a sequence is played); unmoved
     * events stay exactly as played, blue notes and all. Null when a note would leave the MIDI range.
     */
    Event realise(Event e, int shiftSemitones) {
        if (shiftSemitones == 0) return e;
        Map<Integer, Event.Tone> byPitch = new LinkedHashMap<>();
        for (Event.Tone t : e.tones()) {
            int p = t.pitch() + shiftSemitones;
            if (p < 0 || p > 127) return null;
            p = nearestAllowed(p);
            Event.Tone moved = new Event.Tone(p, t.durationSteps(), t.velocity());
            // two notes moved onto one pitch sound as one, the longer
            byPitch.merge(p, moved, (a, b) -> a.durationSteps() >= b.durationSteps() ? a : b);
        }
        List<Event.Tone> tones = new ArrayList<>(byPitch.values());
        tones.sort(Comparator.comparingInt(Event.Tone::pitch));
        return new Event(e.onsetBeats(), e.ioiSteps(), tones);
    }

    /**
     * The last event of an answer, ending on a stable degree: moved by the smallest step that puts
     * its top note on the tonic triad (downwards on a tie, as a melody falls to rest), the other
     * notes onto allowed pitch classes. Unchanged when its top note is stable already.
     */
    Event cadence(Event e) {
        int top = e.topPitch();
        if ((stableSet >> (top % 12) & 1) != 0) return e;
        for (int step = 1; step <= 6; step++) {
            for (int shift : new int[] {-step, step}) {
                int p = top + shift;
                if (p < 0 || p > 127 || (stableSet >> (p % 12) & 1) == 0) continue;
                Event moved = realise(e, shift);
                if (moved != null && moved.topPitch() == p) return moved;
            }
        }
        return e;
    }

    /**
     * How much an event's notes sound like the phrase, 0..1: the geometric mean over its notes of
     * how much the phrase dwelt on their pitch class (1 for the one it held longest, down to
     * {@link ContinuatorConstants#OUTSIDE_PHRASE_WEIGHT} for one it never played). It keeps moved
     * material gravitating to the phrase's own tonal centre instead of drifting away by sequence.
     */
    double familiarity(Event e) {
        double logSum = 0;
        for (Event.Tone t : e.tones()) logSum += Math.log(OUTSIDE_PHRASE_WEIGHT + (1 - OUTSIDE_PHRASE_WEIGHT) * Math.sqrt(dwell[t.pitch() % 12]));
        return Math.exp(logSum / e.tones().size());
    }

    /** The nearest pitch with an allowed pitch class; on a tie the more stable degree of the key, else the lower. */
    int nearestAllowed(int pitch) {
        if ((allowedSet >> (pitch % 12) & 1) != 0) return pitch;
        for (int distance = 1; distance < 12; distance++) {
            int down = pitch - distance, up = pitch + distance;
            boolean downOk = down >= 0 && (allowedSet >> (down % 12) & 1) != 0;
            boolean upOk = up <= 127 && (allowedSet >> (up % 12) & 1) != 0;
            if (downOk && upOk) return key != null && key.stability(up) > key.stability(down) ? up : down;
            if (downOk) return down;
            if (upOk) return up;
        }
        return pitch;
    }
}
