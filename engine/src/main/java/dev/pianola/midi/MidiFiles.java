package dev.pianola.midi;

import dev.pianola.BadInputException;
import dev.pianola.io.AtomicFiles;
import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;

import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiMessage;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Standard MIDI files (type 0 and 1, any PPQ, SMPTE read) to and from {@link NoteSequence}, through javax.sound.midi. */
public final class MidiFiles {
    public static final int DEFAULT_PPQ = 480;
    private static final int META_TEMPO = 0x51, META_TIME_SIGNATURE = 0x58, META_TRACK_NAME = 0x03, META_KEY_SIGNATURE = 0x59;

    private MidiFiles() {}

    /** Reads a MIDI file; every problem becomes a one-line {@link BadInputException} naming the file. */
    public static NoteSequence read(Path file) {
        return toNoteSequence(readSequence(file), file);
    }

    public static Sequence readSequence(Path file) {
        if (!Files.isRegularFile(file)) throw new BadInputException(file, Files.exists(file) ? "not a regular file" : "no such file");
        try {
            if (Files.size(file) == 0) throw new BadInputException(file, "empty file, not a MIDI file");
            checkChunks(Files.readAllBytes(file), file);
            Sequence seq = MidiSystem.getSequence(file.toFile());
            checkEvents(seq, file);
            return seq;
        } catch (InvalidMidiDataException e) {
            throw new BadInputException(file, "not a valid MIDI file (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read MIDI (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            if (e instanceof BadInputException) throw e;
            // javax.sound.midi fails on damaged data with index and size errors; their class names say nothing to a musician
            String m = e.getMessage() == null || e.getMessage().isBlank() ? "its data cannot be parsed" : e.getMessage().lines().findFirst().orElse("");
            throw new BadInputException(file, "corrupt MIDI file (" + m + ")", e);
        }
    }

    /**
     * javax.sound.midi reads a cut-off file without complaint and silently loses the rest, so check
     * that every track chunk the header promises is there in full.
     */
    private static void checkChunks(byte[] b, Path file) {
        if (b.length < 14 || b[0] != 'M' || b[1] != 'T' || b[2] != 'h' || b[3] != 'd') {
            if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F') return; // RMID: javax handles it
            throw new BadInputException(file, "not a MIDI file (no MThd header)");
        }
        int pos = 8 + readInt(b, 4);
        int tracks = ((b[10] & 0xff) << 8) | (b[11] & 0xff);
        for (int t = 0; t < tracks; t++) {
            if (pos + 8 > b.length) throw new BadInputException(file, "truncated: header promises " + tracks + " tracks, the file ends after " + t);
            long len = readInt(b, pos + 4) & 0xffffffffL;
            if (pos + 8 + len > b.length) {
                throw new BadInputException(file, "truncated: track " + (t + 1) + " promises " + len + " bytes, only " + (b.length - pos - 8) + " are there");
            }
            pos += 8 + (int) len;
        }
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    /**
     * javax.sound.midi accepts data bytes above 127 (e.g. controller 168), which a real MIDI stream
     * never has, and times that overflowed to negative.
     */
    private static void checkEvents(Sequence seq, Path file) {
        for (Track track : seq.getTracks()) {
            for (int i = 0; i < track.size(); i++) {
                // a delta-time longer than its 4 bytes wraps javax.sound.midi's int to a negative time
                if (track.get(i).getTick() < 0) {
                    throw new BadInputException(file, "corrupt MIDI event " + i + " of track " + (java.util.Arrays.asList(seq.getTracks()).indexOf(track) + 1)
                            + ": its time is negative (a delta-time longer than 4 bytes)");
                }
                MidiMessage m = track.get(i).getMessage();
                if (m instanceof ShortMessage sm && (sm.getData1() > 127 || sm.getData2() > 127)) {
                    throw new BadInputException(file, "corrupt MIDI event at tick " + track.get(i).getTick()
                            + " (data byte out of range: " + sm.getData1() + ", " + sm.getData2() + ")");
                }
            }
        }
    }

    /** General MIDI's percussion channel (10, counted from 0): its notes are drum hits, not pitches. */
    public static final int DRUM_CHANNEL = 9;

    /**
     * The tempo map of a sequence: for PPQ files in beats of {@code tick / resolution}; SMPTE files
     * count real time, so they get a constant 120 BPM (a beat is half a second).
     */
    public static TempoMap tempoMap(Sequence seq) {
        if (seq.getDivisionType() != Sequence.PPQ) return TempoMap.constant(TempoMap.DEFAULT_BPM);
        List<TempoMap.Change> tempos = new ArrayList<>();
        for (Track track : seq.getTracks()) {
            for (int i = 0; i < track.size(); i++) {
                MidiEvent e = track.get(i);
                if (e.getMessage() instanceof MetaMessage mm && mm.getType() == META_TEMPO && mm.getData().length >= 3) {
                    byte[] d = mm.getData();
                    int usPerBeat = ((d[0] & 0xff) << 16) | ((d[1] & 0xff) << 8) | (d[2] & 0xff);
                    if (usPerBeat > 0) tempos.add(new TempoMap.Change(e.getTick() / (double) seq.getResolution(), 60_000_000.0 / usPerBeat));
                }
            }
        }
        // TempoMap keeps the last of several changes at one beat; order them by track like a player would
        return new TempoMap(tempos);
    }

    /** An event of a sequence with the track it came from and its place in that track. */
    public record TrackEvent(long tick, int track, int index, MidiMessage msg) {}

    /** Every event of every track, merged in time order (ties: track, then position in the track). */
    public static List<TrackEvent> eventsInTimeOrder(Sequence seq) {
        List<TrackEvent> events = new ArrayList<>();
        Track[] tracks = seq.getTracks();
        for (int t = 0; t < tracks.length; t++) {
            for (int i = 0; i < tracks[t].size(); i++) {
                MidiEvent e = tracks[t].get(i);
                events.add(new TrackEvent(e.getTick(), t, i, e.getMessage()));
            }
        }
        events.sort(Comparator.comparingLong(TrackEvent::tick).thenComparingInt(TrackEvent::track).thenComparingInt(TrackEvent::index));
        return events;
    }

    public static NoteSequence toNoteSequence(Sequence seq, Path file) {
        // Ticks to beats. SMPTE files count real time: place them on a 120 BPM grid.
        double ticksPerBeat;
        if (seq.getDivisionType() == Sequence.PPQ) {
            ticksPerBeat = seq.getResolution();
        } else {
            double ticksPerSecond = seq.getDivisionType() * seq.getResolution();
            ticksPerBeat = ticksPerSecond * 60.0 / TempoMap.DEFAULT_BPM;
        }
        if (!(ticksPerBeat > 0)) throw new BadInputException(file, "MIDI header has zero time division");

        List<TrackEvent> events = eventsInTimeOrder(seq);

        List<TimeSignature> meters = new ArrayList<>();
        List<ControlChange> controls = new ArrayList<>();
        List<PitchBend> bends = new ArrayList<>();
        List<Note> notes = new ArrayList<>();
        record Open(long tick, int velocity) {}
        Map<Long, ArrayDeque<Open>> open = new HashMap<>();
        long lastTick = 0;
        for (TrackEvent e : events) {
            lastTick = Math.max(lastTick, e.tick());
            double beats = e.tick() / ticksPerBeat;
            if (e.msg() instanceof MetaMessage mm) {
                byte[] d = mm.getData();
                if (mm.getType() == META_TIME_SIGNATURE && d.length >= 2) {
                    int num = d[0] & 0xff, den = 1 << Math.min(d[1] & 0xff, 6);
                    if (num >= 1) meters.add(new TimeSignature(beats, Math.min(num, 64), den));
                }
            } else if (e.msg() instanceof ShortMessage sm) {
                int ch = sm.getChannel(), cmd = sm.getCommand();
                long key = ((long) e.track() << 16) | (ch << 8) | sm.getData1();
                if (cmd == ShortMessage.NOTE_ON && sm.getData2() > 0) {
                    open.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(new Open(e.tick(), sm.getData2()));
                } else if (cmd == ShortMessage.NOTE_OFF || cmd == ShortMessage.NOTE_ON) {
                    ArrayDeque<Open> q = open.get(key);
                    if (q != null && !q.isEmpty()) {
                        Open o = q.pollFirst(); // first in, first out: overlapping repeats end in order
                        notes.add(new Note(sm.getData1(), o.tick() / ticksPerBeat, (e.tick() - o.tick()) / ticksPerBeat, o.velocity(), ch));
                    }
                } else if (cmd == ShortMessage.CONTROL_CHANGE) {
                    controls.add(new ControlChange(beats, ch, sm.getData1(), sm.getData2()));
                } else if (cmd == ShortMessage.PITCH_BEND) {
                    bends.add(new PitchBend(beats, ch, ((sm.getData2() << 7) | sm.getData1()) - 8192));
                }
            }
        }
        // a note never released ends with the file
        for (Map.Entry<Long, ArrayDeque<Open>> entry : new TreeMap<>(open).entrySet()) {
            for (Open o : entry.getValue()) {
                int pitch = (int) (entry.getKey() & 0xff), ch = (int) ((entry.getKey() >> 8) & 0xff);
                notes.add(new Note(pitch, o.tick() / ticksPerBeat, (lastTick - o.tick()) / ticksPerBeat, o.velocity(), ch));
            }
        }
        if (meters.isEmpty()) meters.add(TimeSignature.FOUR_FOUR);
        return new NoteSequence(notes, tempoMap(seq), meters, controls, bends);
    }

    /**
     * The first {@code maxSeconds} of a sequence: later events are dropped and every note still held
     * (and the sustain pedal) is released at the cut, so a preview ends cleanly.
     */
    public static Sequence crop(Sequence seq, double maxSeconds) {
        try {
            long limitTick;
            if (seq.getDivisionType() == Sequence.PPQ) {
                limitTick = (long) Math.floor(tempoMap(seq).beatsAt(maxSeconds) * seq.getResolution());
            } else {
                limitTick = (long) Math.floor(maxSeconds * seq.getDivisionType() * seq.getResolution());
            }
            Sequence out = new Sequence(seq.getDivisionType(), seq.getResolution());
            for (Track in : seq.getTracks()) {
                Track t = out.createTrack();
                Map<Integer, Integer> held = new TreeMap<>(); // (channel << 8 | pitch) -> how many
                java.util.Set<Integer> channels = new java.util.TreeSet<>();
                for (int i = 0; i < in.size(); i++) {
                    MidiEvent e = in.get(i);
                    if (e.getTick() >= limitTick) continue;
                    if (e.getMessage() instanceof MetaMessage mm && mm.getType() == 0x2F) continue; // end of track: Track adds its own
                    t.add(e);
                    if (e.getMessage() instanceof ShortMessage sm && sm.getCommand() >= 0x80 && sm.getCommand() < 0xF0) {
                        int key = sm.getChannel() << 8 | sm.getData1();
                        channels.add(sm.getChannel());
                        if (sm.getCommand() == ShortMessage.NOTE_ON && sm.getData2() > 0) held.merge(key, 1, Integer::sum);
                        else if (sm.getCommand() == ShortMessage.NOTE_OFF || sm.getCommand() == ShortMessage.NOTE_ON) held.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
                    }
                }
                for (Map.Entry<Integer, Integer> h : held.entrySet()) {
                    for (int n = 0; n < h.getValue(); n++) t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, h.getKey() >> 8, h.getKey() & 0xff, 0), limitTick));
                }
                for (int ch : channels) t.add(new MidiEvent(new ShortMessage(ShortMessage.CONTROL_CHANGE, ch, 64, 0), limitTick));
            }
            return out;
        } catch (InvalidMidiDataException e) {
            throw new IllegalStateException("cannot crop MIDI sequence", e);
        }
    }

    /**
     * How to write a file: SMF type (0 or 1), ticks per quarter, GM program for pitched channels,
     * the first track's name, the name of each channel's track (type 1), and the key signature
     * (null: none written).
     */
    public record WriteOptions(int type, int ppq, int program, String trackName, Map<Integer, String> channelNames, KeySignature key) {
        /** A two-hand piano part, as the arranger writes it (channel 0 right hand, 1 left hand). */
        public static final WriteOptions PIANO = new WriteOptions(1, DEFAULT_PPQ, 0, "Pianola piano", Map.of(0, "Right hand", 1, "Left hand"), null);
        /** A played phrase (channel 0) and the continuation that answers it (channel 1). */
        public static final WriteOptions PHRASE_AND_ANSWER = new WriteOptions(1, DEFAULT_PPQ, 0, "Pianola", Map.of(0, "Phrase", 1, "Answer"), null);

        public WriteOptions {
            if (type != 0 && type != 1) throw new IllegalArgumentException("SMF type must be 0 or 1");
            if (ppq < 1 || ppq > 0x7fff) throw new IllegalArgumentException("PPQ out of range: " + ppq);
            channelNames = Map.copyOf(channelNames);
        }

        public WriteOptions(int type, int ppq, int program, String trackName) {
            this(type, ppq, program, trackName, Map.of(), null);
        }

        public WriteOptions withKey(KeySignature k) {
            return new WriteOptions(type, ppq, program, trackName, channelNames, k);
        }

        public WriteOptions withChannelName(int channel, String name) {
            Map<Integer, String> names = new TreeMap<>(channelNames);
            names.put(channel, name);
            return new WriteOptions(type, ppq, program, trackName, names, key);
        }
    }

    /**
     * The name of the one track that holds notes (a recorded phrase, say); empty when it has none,
     * or when several tracks hold notes (their merge is no one track's).
     */
    public static java.util.Optional<String> trackName(Sequence seq) {
        String name = null;
        int withNotes = 0;
        for (Track track : seq.getTracks()) {
            String own = null;
            boolean notes = false;
            for (int i = 0; i < track.size(); i++) {
                MidiMessage m = track.get(i).getMessage();
                if (m instanceof MetaMessage mm && mm.getType() == META_TRACK_NAME && own == null) {
                    own = new String(mm.getData(), java.nio.charset.StandardCharsets.ISO_8859_1).strip();
                }
                notes |= m instanceof ShortMessage sm && sm.getCommand() == ShortMessage.NOTE_ON;
            }
            if (notes) {
                withNotes++;
                name = own;
            }
        }
        return withNotes == 1 && name != null && !name.isEmpty() ? java.util.Optional.of(name) : java.util.Optional.empty();
    }

    public static void write(NoteSequence notes, Path file, boolean force) {
        write(notes, file, force, WriteOptions.PIANO);
    }

    public static void write(NoteSequence notes, Path file, boolean force, WriteOptions options) {
        Sequence seq = toSequence(notes, options);
        AtomicFiles.write(file, force, out -> MidiSystem.write(seq, options.type(), out));
    }

    public static Sequence toSequence(NoteSequence ns, WriteOptions options) {
        try {
            Sequence seq = new Sequence(Sequence.PPQ, options.ppq());
            Track conductor = seq.createTrack();
            // one track per channel in type 1, in channel order (the right hand first); everything in the conductor track in type 0
            java.util.SortedSet<Integer> channels = new java.util.TreeSet<>();
            for (Note n : ns.notes()) channels.add(n.channel());
            if (channels.isEmpty()) channels.add(0);
            Map<Integer, Track> channelTracks = new TreeMap<>();
            for (int ch : channels) channelTracks.put(ch, options.type() == 0 ? conductor : seq.createTrack());

            List<MidiEvent> events = new ArrayList<>(); // (tick, rank) ordered below
            List<Integer> ranks = new ArrayList<>();
            List<Track> targets = new ArrayList<>();
            java.util.function.IntFunction<Track> trackFor = ch -> channelTracks.getOrDefault(ch, channelTracks.values().iterator().next());

            addMeta(events, ranks, targets, conductor, 0, META_TRACK_NAME, textBytes(options.trackName()), 0);
            if (options.type() == 1) {
                for (Map.Entry<Integer, Track> e : channelTracks.entrySet()) {
                    String name = options.channelNames().get(e.getKey());
                    if (name != null) addMeta(events, ranks, targets, e.getValue(), 0, META_TRACK_NAME, textBytes(name), 0);
                }
            }
            if (options.key() != null) {
                addMeta(events, ranks, targets, conductor, 0, META_KEY_SIGNATURE, new byte[]{(byte) options.key().sharps(), (byte) (options.key().minor() ? 1 : 0)}, 0);
            }
            for (TempoMap.Change c : ns.tempo().changes()) {
                // SMF stores microseconds per beat in 3 bytes: tempos below 3.58 BPM cannot be written
                int us = (int) Math.min(0xFFFFFF, Math.round(60_000_000.0 / c.bpm()));
                addMeta(events, ranks, targets, conductor, ticks(c.beats(), options), META_TEMPO, new byte[]{(byte) (us >> 16), (byte) (us >> 8), (byte) us}, 0);
            }
            for (TimeSignature t : ns.timeSignatures()) {
                addMeta(events, ranks, targets, conductor, ticks(t.beats(), options), META_TIME_SIGNATURE,
                        new byte[]{(byte) t.numerator(), (byte) Integer.numberOfTrailingZeros(t.denominator()), 24, 8}, 0);
            }
            for (Map.Entry<Integer, Track> e : channelTracks.entrySet()) {
                if (e.getKey() != DRUM_CHANNEL) add(events, ranks, targets, e.getValue(), 0, ShortMessage.PROGRAM_CHANGE, e.getKey(), options.program(), 0, 1);
            }
            for (ControlChange c : ns.controls()) {
                add(events, ranks, targets, trackFor.apply(c.channel()), ticks(c.beats(), options), ShortMessage.CONTROL_CHANGE, c.channel(), c.number(), c.value(), 3);
            }
            for (PitchBend b : ns.bends()) {
                int v = Math.max(0, Math.min(16383, b.value() + 8192));
                add(events, ranks, targets, trackFor.apply(b.channel()), ticks(b.beats(), options), ShortMessage.PITCH_BEND, b.channel(), v & 0x7f, v >> 7, 3);
            }
            for (Note n : ns.notes()) {
                long on = ticks(n.startBeats(), options);
                long off = Math.max(on + 1, ticks(n.endBeats(), options)); // never zero-length: some hosts drop those
                Track tr = trackFor.apply(n.channel());
                add(events, ranks, targets, tr, on, ShortMessage.NOTE_ON, n.channel(), n.pitch(), n.velocity(), 4);
                add(events, ranks, targets, tr, off, ShortMessage.NOTE_OFF, n.channel(), n.pitch(), 64, 2);
            }
            // at one tick: meta, program, note-offs, controls, note-ons (a repeated note is released before it is struck again)
            Integer[] idx = new Integer[events.size()];
            for (int i = 0; i < idx.length; i++) idx[i] = i;
            java.util.Arrays.sort(idx, Comparator.<Integer>comparingLong(i -> events.get(i).getTick()).thenComparingInt(ranks::get));
            for (int i : idx) targets.get(i).add(events.get(i));
            return seq;
        } catch (InvalidMidiDataException e) {
            throw new IllegalStateException("cannot build MIDI sequence", e); // our own values are always in range
        }
    }

    /** Meta-event text: ISO-8859-1, as most readers decode it (a character outside it becomes '?'). */
    private static byte[] textBytes(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static long ticks(double beats, WriteOptions o) {
        return Math.round(beats * o.ppq());
    }

    private static void add(List<MidiEvent> ev, List<Integer> ranks, List<Track> targets, Track t, long tick,
                            int cmd, int ch, int d1, int d2, int rank) throws InvalidMidiDataException {
        ev.add(new MidiEvent(new ShortMessage(cmd, ch, d1, d2), tick));
        ranks.add(rank);
        targets.add(t);
    }

    private static void addMeta(List<MidiEvent> ev, List<Integer> ranks, List<Track> targets, Track t, long tick,
                                int type, byte[] data, int rank) throws InvalidMidiDataException {
        ev.add(new MidiEvent(new MetaMessage(type, data, data.length), tick));
        ranks.add(rank);
        targets.add(t);
    }
}
