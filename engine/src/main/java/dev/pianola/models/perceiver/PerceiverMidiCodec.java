package dev.pianola.models.perceiver;

import dev.pianola.BadInputException;
import dev.pianola.midi.ControlChange;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.time.TempoMap;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The 389-token MIDI event codec of Perceiver AR ({@code krasserm/perceiver-ar-sam-giant-midi}),
 * a literal port of perceiver-io 0.11.0 {@code perceiver/data/audio/midi_processor.py}
 * ({@code encode_midi}, {@code decode_midi}); ids are in {@link PerceiverVocab}.
 *
 * <p>Parity is the only mode: the model was trained on exactly these ids, quirks included, so a
 * prompt encoded any other way is out of distribution. Each quirk is marked "QUIRK" below.
 * Times are seconds; they become beats only at {@link #encode(NoteSequence)} and
 * {@link #toNoteSequence}.
 */
public final class PerceiverMidiCodec {
    private PerceiverMidiCodec() {}

    // ------------------------------------------------------------------------------------------
    // encode

    /** encode_midi of the file as {@code pretty_midi.PrettyMIDI(path)} reads it ({@link PrettyMidiReader}). */
    public static int[] encodeFile(Path midiFile) {
        return encode(PrettyMidiReader.read(midiFile), midiFile);
    }

    /**
     * The longest music encoded. A time shift is at most a second, so silence costs an event a
     * second: a note days out in time (a slow tempo, a coarse time division) made hundreds of
     * millions of events and ran out of memory. 12 hours is far past any piece.
     */
    public static final double MAX_ENCODED_SECONDS = 12 * 3600;



    /**
     * encode_midi of a NoteSequence: one instrument per channel that has notes (ascending channel),
     * seconds from the sequence's tempo map, each channel's notes in the order pretty_midi would
     * list them after reading a file {@link MidiFiles#write} wrote (by end, then start, pitch,
     * duration) and its controls in sequence order. Controls of channels without notes are
     * dropped, as pretty_midi drops them. For exact parity with a file on disk use
     * {@link #encodeFile}: MidiFiles pairs note-ons and note-offs differently and reads tempo from
     * every track (see {@link PrettyMidiReader}).
     */
    public static int[] encode(NoteSequence sequence) {
        TempoMap tempo = sequence.tempo();
        Map<Integer, List<Note>> byChannel = new TreeMap<>();
        for (Note n : sequence.notes()) byChannel.computeIfAbsent(n.channel(), c -> new ArrayList<>()).add(n);
        List<PrettyMidiInstrument> instruments = new ArrayList<>();
        for (Map.Entry<Integer, List<Note>> e : byChannel.entrySet()) {
            List<Note> notes = new ArrayList<>(e.getValue()); // in NoteSequence.ORDER: start, pitch, duration
            notes.sort(Comparator.comparingDouble(n -> sequence.endSeconds(n))); // stable: ties keep that order
            List<TimedNote> timed = new ArrayList<>();
            for (Note n : notes) timed.add(new TimedNote(n.pitch(), n.velocity(), sequence.startSeconds(n), sequence.endSeconds(n)));
            List<TimedControl> controls = new ArrayList<>();
            for (ControlChange c : sequence.controls()) {
                if (c.channel() == e.getKey()) controls.add(new TimedControl(c.number(), c.value(), tempo.secondsAt(c.beats())));
            }
            instruments.add(new PrettyMidiInstrument(0, e.getKey() == MidiFiles.DRUM_CHANNEL, timed, controls));
        }
        return encode(instruments);
    }

    /** encode_midi on pretty_midi instruments (notes in list order, times in seconds). */
    public static int[] encode(List<PrettyMidiInstrument> instruments) {
        return encode(instruments, null);
    }

    /** {@code file}: where the instruments were read from, named when they cannot be encoded (null: none). */
    private static int[] encode(List<PrettyMidiInstrument> instruments, Path file) {
        List<WorkingNote> notes = new ArrayList<>();
        for (PrettyMidiInstrument inst : instruments) {
            List<WorkingNote> instNotes = new ArrayList<>();
            for (TimedNote n : inst.notes()) instNotes.add(new WorkingNote(n));
            List<TimedControl> sustain = new ArrayList<>();
            for (TimedControl c : inst.controls()) if (c.number() == PerceiverVocab.SUSTAIN_CONTROLLER) sustain.add(c);
            List<SustainRegion> regions = sustainRegions(sustain);
            notes.addAll(regions.isEmpty() ? instNotes : applySustain(regions, instNotes));
        }
        List<SplitEvent> events = divide(notes);
        for (SplitEvent e : events) {
            if (!(e.timeSeconds <= MAX_ENCODED_SECONDS)) {
                String problem = String.format(java.util.Locale.ROOT, "its music lasts %.1f hours; Perceiver AR's encoding takes at most %.0f",
                        e.timeSeconds / 3600, MAX_ENCODED_SECONDS / 3600);
                throw file == null ? new BadInputException("cannot encode these notes: " + problem) : new BadInputException(file, problem);
            }
        }
        // stable sort: at equal times the order of divide() holds (an earlier note's off before a later note's on)
        events.sort((a, b) -> pyCompare(a.timeSeconds, b.timeSeconds));
        return emit(events);
    }

    /**
     * A note the encoder may change: the sustain preprocessing sets {@code end} in place and may put
     * the same object in the stream twice, so identity and mutation are part of the behaviour and a
     * record cannot express it.
     */
    private static final class WorkingNote {
        final int pitch, velocity;
        final double start;
        double end;

        WorkingNote(TimedNote n) {
            pitch = n.pitch();
            velocity = n.velocity();
            start = n.startSeconds();
            end = n.endSeconds();
        }
    }

    /** {@code SustainDownManager}: a pedal region and the notes that start inside it. */
    private static final class SustainRegion {
        final double start;
        double end;
        final List<WorkingNote> managed = new ArrayList<>();

        SustainRegion(double start) {
            this.start = start;
        }

        /**
         * {@code transposition_notes}: walking the managed notes backwards, a note ends at the next
         * onset of its pitch in this region, else at the release (never earlier than its own end).
         */
        void extendNotes() {
            Map<Integer, Double> nextOnset = new TreeMap<>();
            for (int i = managed.size() - 1; i >= 0; i--) {
                WorkingNote n = managed.get(i);
                Double next = nextOnset.get(n.pitch);
                n.end = next != null ? next : pyMax(end, n.end);
                nextOnset.put(n.pitch, n.start);
            }
        }
    }

    /**
     * {@code _control_preprocess}: CC64 events in list order. A press (value >= 64) opens a region
     * when none is open; a release closes the open one. QUIRK: a release with no region open
     * moves the end of the last closed region; a region never released is dropped.
     */
    private static List<SustainRegion> sustainRegions(List<TimedControl> sustain) {
        List<SustainRegion> regions = new ArrayList<>();
        SustainRegion open = null;
        for (TimedControl c : sustain) {
            boolean down = c.value() >= PerceiverVocab.SUSTAIN_DOWN_MIN;
            if (down && open == null) {
                open = new SustainRegion(c.timeSeconds());
            } else if (!down && open != null) {
                open.end = c.timeSeconds();
                regions.add(open);
                open = null;
            } else if (!down && !regions.isEmpty()) {
                regions.get(regions.size() - 1).end = c.timeSeconds();
            }
        }
        return regions;
    }

    /**
     * {@code _note_preprocess}, literally. For each region the (remaining) note list is walked in
     * list order: a note starting before the region goes to the stream, one inside it is managed
     * by the region, and the first one starting after the region ends the walk: the list is cut
     * there for the next region and the region's notes are extended.
     * QUIRKS kept on purpose: notes after the last region's end are never streamed (dropped); a
     * region that no note comes after is not extended and does not cut the list, so the notes before
     * later regions are streamed once per region (duplicated, the same object twice); list order
     * rather than start order decides where a walk stops.
     */
    private static List<WorkingNote> applySustain(List<SustainRegion> regions, List<WorkingNote> notes) {
        List<WorkingNote> stream = new ArrayList<>();
        List<WorkingNote> remaining = notes;
        for (SustainRegion r : regions) {
            for (int i = 0; i < remaining.size(); i++) {
                WorkingNote n = remaining.get(i);
                if (n.start < r.start) {
                    stream.add(n);
                } else if (n.start > r.end) {
                    remaining = new ArrayList<>(remaining.subList(i, remaining.size()));
                    r.extendNotes();
                    break;
                } else {
                    r.managed.add(n);
                }
            }
        }
        for (SustainRegion r : regions) stream.addAll(r.managed);
        stream.sort((a, b) -> pyCompare(a.start, b.start)); // stable
        return stream;
    }

    /** {@code SplitNote}: a note_on (velocity set) or note_off (velocity null). */
    private record SplitEvent(boolean noteOn, double timeSeconds, int pitch, Integer velocity) {}

    /** {@code _divide_note}: stable sort by start, then each note gives its on and its off (end read now, after sustain). */
    private static List<SplitEvent> divide(List<WorkingNote> notes) {
        List<WorkingNote> sorted = new ArrayList<>(notes);
        sorted.sort((a, b) -> pyCompare(a.start, b.start));
        List<SplitEvent> events = new ArrayList<>(sorted.size() * 2);
        for (WorkingNote n : sorted) {
            events.add(new SplitEvent(true, n.start, n.pitch, n.velocity));
            events.add(new SplitEvent(false, n.end, n.pitch, null));
        }
        return events;
    }

    /** The main loop of encode_midi with {@code _make_time_sift_events} and {@code _snote2events}. */
    private static int[] emit(List<SplitEvent> events) {
        IntList ids = new IntList(events.size() * 2);
        double curTimeSeconds = 0.0;
        // QUIRK: cur_vel holds the RAW velocity of the previous event (null after a note_off) but is
        // compared with the QUANTIZED velocity (velocity // 4) of the next note_on, so a velocity token
        // comes before nearly every note_on; it is skipped only when they happen to be equal (e.g. a
        // note_on of velocity 20 followed by one of velocity 80..83, or a first velocity below 4).
        Integer curVelocity = 0;
        for (SplitEvent e : events) {
            // QUIRK: Python's round() rounds half to even; Math.rint does the same on the same double.
            // The delta is from the previous event's exact time, so rounding errors do not accumulate
            // into a grid: they can drift.
            long steps = (long) Math.rint((e.timeSeconds - curTimeSeconds) * PerceiverVocab.STEPS_PER_SECOND);
            while (steps >= PerceiverVocab.TIME_SHIFT_RANGE) {
                ids.add(PerceiverVocab.TIME_SHIFT_START + PerceiverVocab.TIME_SHIFT_RANGE - 1);
                steps -= PerceiverVocab.TIME_SHIFT_RANGE;
            }
            if (steps != 0) ids.add(PerceiverVocab.TIME_SHIFT_START + (int) steps - 1);
            if (e.velocity != null) {
                int bin = Math.floorDiv(e.velocity, PerceiverVocab.VELOCITY_QUANTUM); // Python // floors
                if (curVelocity == null || curVelocity != bin) ids.add(PerceiverVocab.VELOCITY_START + bin);
            }
            ids.add((e.noteOn ? PerceiverVocab.NOTE_ON_START : PerceiverVocab.NOTE_OFF_START) + e.pitch);
            curTimeSeconds = e.timeSeconds;
            curVelocity = e.velocity;
        }
        return ids.toArray();
    }

    /** Python's float comparison for sort keys: -0.0 equals 0.0 (Double.compare would order them). */
    private static int pyCompare(double a, double b) {
        return a < b ? -1 : a > b ? 1 : 0;
    }

    /** Python's max(a, b): the first argument unless the second is greater. */
    private static double pyMax(double a, double b) {
        return b > a ? b : a;
    }

    // ------------------------------------------------------------------------------------------
    // decode

    /**
     * decode_midi: the notes of an id sequence, sorted by start (stable), with the velocity the ids
     * give, unclamped. Every id must be in 0..388; anything else is a {@link BadInputException}
     * naming the id and its position (decode_midi would read it as some velocity).
     * QUIRKS kept: PAD (388) is read as velocity bin 32, i.e. velocity 128 for the notes after it;
     * notes before the first velocity token have velocity 0; a note_on stays paired after its
     * note_off, so a second note_off of the same pitch makes a second note from the same onset; a
     * note_on overwrites an unmatched earlier one of its pitch; zero-length notes and note_offs
     * without a note_on are skipped. {@link #toNoteSequence} turns these into playable notes.
     */
    public static List<TimedNote> decode(int[] ids) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= PerceiverVocab.VOCAB_SIZE) {
                throw new BadInputException("Perceiver AR event id " + ids[i] + " at position " + i
                        + " is outside the vocabulary 0.." + (PerceiverVocab.VOCAB_SIZE - 1));
            }
        }
        // _event_seq2snote_seq then _merge_note, in one pass: a note_off only looks back
        double timeSeconds = 0.0;
        int velocity = 0;
        double[] onTime = new double[PerceiverVocab.NOTE_ON_RANGE];
        int[] onVelocity = new int[PerceiverVocab.NOTE_ON_RANGE];
        boolean[] isOn = new boolean[PerceiverVocab.NOTE_ON_RANGE];
        List<TimedNote> notes = new ArrayList<>();
        for (int id : ids) {
            if (id >= PerceiverVocab.VELOCITY_START) {
                velocity = (id - PerceiverVocab.VELOCITY_START) * PerceiverVocab.VELOCITY_QUANTUM;
            } else if (id >= PerceiverVocab.TIME_SHIFT_START) {
                // the same double arithmetic as Python's "timeline += (value + 1) / 100"
                timeSeconds += (double) (id - PerceiverVocab.TIME_SHIFT_START + 1) / PerceiverVocab.STEPS_PER_SECOND;
            } else if (id >= PerceiverVocab.NOTE_OFF_START) {
                int pitch = id - PerceiverVocab.NOTE_OFF_START;
                if (!isOn[pitch]) continue; // "info removed pitch": a note_off without a note_on
                if (timeSeconds - onTime[pitch] == 0) continue;
                notes.add(new TimedNote(pitch, onVelocity[pitch], onTime[pitch], timeSeconds));
                // QUIRK: the note_on is not removed, a second note_off pairs with it again
            } else {
                int pitch = id - PerceiverVocab.NOTE_ON_START;
                isOn[pitch] = true;
                onTime[pitch] = timeSeconds;
                onVelocity[pitch] = velocity;
            }
        }
        notes.sort((a, b) -> pyCompare(a.startSeconds(), b.startSeconds())); // stable
        return notes;
    }

    /**
     * Decoded notes as a playable NoteSequence on {@code tempo}, channel 0. Velocities are made
     * valid MIDI: 128 (after PAD) becomes 127, and notes of velocity 0 (before any velocity token)
     * are left out: decode_midi keeps them, but a note-on of velocity 0 is a note-off in MIDI, so
     * such a note is never heard (and pretty_midi writing velocity 128 fails).
     */
    public static NoteSequence toNoteSequence(List<TimedNote> notes, TempoMap tempo) {
        List<Note> out = new ArrayList<>();
        for (TimedNote n : notes) {
            if (n.velocity() <= 0) continue;
            double startBeats = tempo.beatsAt(n.startSeconds());
            double endBeats = tempo.beatsAt(n.endSeconds());
            out.add(new Note(n.pitch(), startBeats, Math.max(0.0, endBeats - startBeats), Math.min(127, n.velocity())));
        }
        return new NoteSequence(out, tempo);
    }

    /** A growable int array: the ids of a long performance run to tens of thousands. */
    private static final class IntList {
        private int[] data;
        private int size;

        IntList(int capacity) {
            data = new int[Math.max(16, capacity)];
        }

        void add(int v) {
            if (size == data.length) data = java.util.Arrays.copyOf(data, size * 2);
            data[size++] = v;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(data, size);
        }
    }
}
