package dev.pianola.models.basicpitch;

import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.midi.PitchBend;
import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.pianola.models.basicpitch.BasicPitchConstants.*;

/**
 * Note events to a {@link NoteSequence} the way basic-pitch's {@code note_events_to_midi} builds
 * its MIDI file: a fixed 120 BPM tempo map (beats = seconds * 2), velocity round(127 * amplitude),
 * pitch bends spread evenly from a note's start to its end.
 *
 * <p>Channels: by default every note and bend is on channel 0 and, as upstream, the bends of notes
 * that overlap another note in time are dropped (one channel cannot bend two notes differently).
 * With {@code multiplePitchBends} every pitch gets its own channel, as upstream gives every pitch
 * its own instrument: channels in order of first appearance, skipping 9 (drums) and wrapping
 * after 15 pitches, when two pitches share a channel again. As upstream, a bend is not reset at
 * the note's end.
 */
public final class BasicPitchMidi {
    private static final Comparator<NoteEvent> UPSTREAM_ORDER = Comparator.comparingDouble(NoteEvent::startSeconds)
            .thenComparingDouble(NoteEvent::endSeconds).thenComparingInt(NoteEvent::pitch)
            .thenComparingDouble(NoteEvent::amplitude);

    private BasicPitchMidi() {
    }

    public static NoteSequence toNoteSequence(List<NoteEvent> events, boolean multiplePitchBends) {
        return toNoteSequence(events, TempoMap.constant(MIDI_TEMPO_BPM), multiplePitchBends);
    }

    /** The same on another tempo map, e.g. one that follows the song's beats (seconds stay seconds). */
    public static NoteSequence toNoteSequence(List<NoteEvent> events, TempoMap tempo, boolean multiplePitchBends) {
        List<NoteEvent> sorted = new ArrayList<>(events);
        sorted.sort(UPSTREAM_ORDER);
        boolean[] keepBends = new boolean[sorted.size()];
        Arrays.fill(keepBends, true);
        if (!multiplePitchBends) dropOverlappingBends(sorted, keepBends);

        Map<Integer, Integer> channelOfPitch = new HashMap<>();
        List<Note> notes = new ArrayList<>();
        List<PitchBend> bends = new ArrayList<>();
        for (int n = 0; n < sorted.size(); n++) {
            NoteEvent e = sorted.get(n);
            int channel = multiplePitchBends ? channelOfPitch.computeIfAbsent(e.pitch(), p -> melodicChannel(channelOfPitch.size())) : 0;
            double startBeats = tempo.beatsAt(e.startSeconds()), endBeats = tempo.beatsAt(e.endSeconds());
            notes.add(new Note(e.pitch(), startBeats, endBeats - startBeats, velocity(e.amplitude()), channel));
            if (!keepBends[n] || e.bends().length == 0) continue;
            int count = e.bends().length;
            for (int i = 0; i < count; i++) {
                bends.add(new PitchBend(tempo.beatsAt(linspace(e.startSeconds(), e.endSeconds(), count, i)), channel,
                        bendValue(e.bends()[i])));
            }
        }
        bends.sort(Comparator.comparingDouble(PitchBend::beats));
        return new NoteSequence(notes, tempo, List.of(TimeSignature.FOUR_FOUR), List.of(), bends);
    }

    /** Upstream's drop_overlapping_pitch_bends, on notes already in its sorted order. */
    private static void dropOverlappingBends(List<NoteEvent> sorted, boolean[] keep) {
        for (int i = 0; i < sorted.size() - 1; i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                if (sorted.get(j).startSeconds() >= sorted.get(i).endSeconds()) break;
                keep[i] = false;
                keep[j] = false;
            }
        }
    }

    /** round(127 * amplitude), half to even as numpy, kept within 1..127 (0 would be a note-off). */
    static int velocity(double amplitude) {
        return (int) Math.max(1, Math.min(127, Math.rint(MIDI_VELOCITY_SCALE * amplitude)));
    }

    /** A bend in thirds of a semitone as a MIDI value for a ±2 semitone range, clipped. */
    static int bendValue(int thirds) {
        long v = (long) Math.rint(thirds * (double) PITCH_BEND_SCALE / CONTOUR_BINS_PER_SEMITONE);
        return (int) Math.max(-N_PITCH_BEND_TICKS, Math.min(N_PITCH_BEND_TICKS - 1, v));
    }

    /** numpy.linspace(start, end, count)[i]: the last point is exactly {@code end}. */
    static double linspace(double start, double end, int count, int i) {
        if (count == 1) return start;
        if (i == count - 1) return end;
        return i * ((end - start) / (count - 1)) + start;
    }

    private static int melodicChannel(int index) {
        int c = index % 15;
        return c >= 9 ? c + 1 : c;
    }
}
