package dev.pianola.midi;

import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Notes in musical time with the tempo map and meters that place them in seconds. Notes are kept
 * sorted by start, then pitch. Immutable.
 */
public record NoteSequence(List<Note> notes, TempoMap tempo, List<TimeSignature> timeSignatures,
                           List<ControlChange> controls, List<PitchBend> bends) {
    public static final Comparator<Note> ORDER =
            Comparator.comparingDouble(Note::startBeats).thenComparingInt(Note::pitch).thenComparingDouble(Note::durationBeats);

    public NoteSequence {
        List<Note> sorted = new ArrayList<>(notes);
        sorted.sort(ORDER);
        notes = List.copyOf(sorted);
        List<TimeSignature> ts = new ArrayList<>(timeSignatures);
        ts.sort(Comparator.comparingDouble(TimeSignature::beats));
        timeSignatures = List.copyOf(ts);
        controls = List.copyOf(controls);
        bends = List.copyOf(bends);
    }

    public NoteSequence(List<Note> notes, TempoMap tempo) {
        this(notes, tempo, List.of(TimeSignature.FOUR_FOUR), List.of(), List.of());
    }

    public NoteSequence withNotes(List<Note> newNotes) {
        return new NoteSequence(newNotes, tempo, timeSignatures, controls, bends);
    }

    /** The beat where the last note ends (0 when there are none). */
    public double endBeats() {
        double end = 0;
        for (Note n : notes) end = Math.max(end, n.endBeats());
        return end;
    }

    /** The tempo to quote for this music ({@link TempoMap#mainBpm}); every report of it quotes this. */
    public double mainBpm() {
        return tempo.mainBpm(endBeats());
    }

    public double endSeconds() {
        return tempo.secondsAt(endBeats());
    }

    public double startSeconds(Note n) {
        return tempo.secondsAt(n.startBeats());
    }

    public double endSeconds(Note n) {
        return tempo.secondsAt(n.endBeats());
    }
}
