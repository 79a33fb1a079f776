package dev.pianola.models.continuator;

import dev.pianola.midi.Note;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.pianola.models.continuator.ContinuatorConstants.*;

/**
 * One step of the Markov chain: the notes that start together (a single note or a chord), with
 * their durations, velocities and the time since the previous event's onset, both in grid steps
 * of {@link ContinuatorConstants#GRID_BEATS}.
 *
 * @param onsetBeats where the event started in the music it came from, on the grid; not part of any viewpoint
 * @param ioiSteps   inter-onset interval from the previous event, at least one step
 * @param tones      the notes, lowest pitch first, one per pitch
 */
record Event(double onsetBeats, int ioiSteps, List<Tone> tones) {
    /** One note of an event: velocities are kept as played, since no viewpoint looks at them. */
    record Tone(int pitch, int durationSteps, int velocity) {}

    Event {
        if (tones.isEmpty()) throw new IllegalArgumentException("an event needs at least one note");
        if (ioiSteps < 1) throw new IllegalArgumentException("inter-onset interval below one step: " + ioiSteps);
        tones = List.copyOf(tones);
    }

    /**
     * Groups notes into events: a note starting within {@link ContinuatorConstants#CHORD_WINDOW_BEATS}
     * of the previous onset of a group joins it; the group sounds at its first onset.
     */
    static List<Event> of(List<Note> notes) {
        List<Note> sorted = new ArrayList<>(notes);
        sorted.sort(Comparator.comparingDouble(Note::startBeats).thenComparingInt(Note::pitch));
        List<Event> events = new ArrayList<>();
        int i = 0;
        double previousOnset = Double.NaN;
        while (i < sorted.size()) {
            double onset = sorted.get(i).startBeats();
            // one tone per pitch: a pitch struck twice inside the window is one note, the longer one
            Map<Integer, Tone> byPitch = new LinkedHashMap<>();
            // a chain of near onsets is one chord: a hand rolls a chord over more than one window
            double lastOnset = onset;
            for (; i < sorted.size() && sorted.get(i).startBeats() - lastOnset <= CHORD_WINDOW_BEATS + EPSILON_BEATS; i++) {
                Note n = sorted.get(i);
                lastOnset = n.startBeats();
                Tone t = new Tone(n.pitch(), steps(n.durationBeats()), n.velocity());
                byPitch.merge(n.pitch(), t, (a, b) -> a.durationSteps() >= b.durationSteps() ? a : b);
            }
            List<Tone> tones = new ArrayList<>(byPitch.values());
            tones.sort(Comparator.comparingInt(Tone::pitch));
            // the first event has no predecessor: its own length stands in, the same rule for prompt and memory
            // onsets go onto the grid from beat 0 and intervals are differences of grid onsets: rounding
            // each interval on its own would add up, and a continuation would drift off the beat
            double gridOnset = Math.round(onset / GRID_BEATS) * GRID_BEATS;
            int ioi = Double.isNaN(previousOnset) ? longest(tones) : steps(gridOnset - previousOnset);
            events.add(new Event(gridOnset, ioi, tones));
            previousOnset = gridOnset;
        }
        return events;
    }

    /** A time in beats as grid steps: at least one, at most {@link ContinuatorConstants#MAX_STEPS}. */
    static int steps(double beats) {
        return (int) Math.max(1, Math.min(MAX_STEPS, Math.round(beats / GRID_BEATS)));
    }

    private static int longest(List<Tone> tones) {
        int d = 1;
        for (Tone t : tones) d = Math.max(d, t.durationSteps());
        return d;
    }

    /** The onset in grid steps from beat 0. */
    long onsetSteps() {
        return Math.round(onsetBeats / GRID_BEATS);
    }

    /** Where in its beat the event was played, in grid steps (0 = on the beat). */
    int beatPhaseSteps() {
        return (int) Math.floorMod(onsetSteps(), (long) STEPS_PER_BEAT);
    }

    int durationSteps() {
        return longest(tones);
    }

    int topPitch() {
        return tones.get(tones.size() - 1).pitch();
    }

    List<Integer> pitches() {
        List<Integer> p = new ArrayList<>(tones.size());
        for (Tone t : tones) p.add(t.pitch());
        return p;
    }

    /** The pitch classes sounding, as a 12-bit set (bit 0 = C). */
    int pitchClassSet() {
        int set = 0;
        for (Tone t : tones) set |= 1 << (t.pitch() % 12);
        return set;
    }

    /** The same event some semitones away; null when a note would leave the MIDI range. */
    Event transposed(int semitones) {
        List<Tone> moved = new ArrayList<>(tones.size());
        for (Tone t : tones) {
            int p = t.pitch() + semitones;
            if (p < 0 || p > 127) return null;
            moved.add(new Tone(p, t.durationSteps(), t.velocity()));
        }
        return new Event(onsetBeats, ioiSteps, moved);
    }
}
