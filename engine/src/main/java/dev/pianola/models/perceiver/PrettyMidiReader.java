package dev.pianola.models.perceiver;

import dev.pianola.BadInputException;
import dev.pianola.midi.MidiFiles;

import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a MIDI file into the instruments {@code pretty_midi.PrettyMIDI(path)} (0.2.10) makes of
 * it, because perceiver-io's encode_midi is defined on those and they differ from
 * {@link MidiFiles#read}'s NoteSequence in ways that change the ids:
 * <ul>
 * <li>tempo comes from track 0 only, a tempo equal to the previous one is skipped, and seconds are
 *     computed per tick as pretty_midi does (same double arithmetic, so x.5 rounding ties agree);</li>
 * <li>one note-off closes every open note of its (channel, pitch) in the track, not the oldest one;
 *     a note-on in the same tick as the note-off stays open when older notes were closed, and is
 *     dropped when it was the only one (zero length);</li>
 * <li>notes never released are dropped (MidiFiles ends them with the file);</li>
 * <li>notes go to one instrument per (program, channel, track), created at its first completed note
 *     and kept in creation order; each instrument's notes are in the order they were closed;</li>
 * <li>control changes go to the instrument of (current program, channel, track); before it exists
 *     they wait in a "straggler" list of (channel, track) that the instrument then adopts. The list
 *     object is shared, not copied: every instrument of that channel and track that adopts it, and
 *     any later straggler control of another program, land in the same list. Controls of a channel
 *     and track that never completes a note are lost.</li>
 * </ul>
 * javax.sound.midi (through {@link MidiFiles#readSequence}) does the byte-level parsing; it keeps
 * each track's events in file order, as mido does. Pitch bends, key signatures and lyrics are not
 * read: encode_midi does not use them.
 */
public final class PrettyMidiReader {
    private PrettyMidiReader() {}

    /** Reads a file; every problem is a {@link BadInputException} naming it. */
    public static List<PrettyMidiInstrument> read(Path file) {
        return fromSequence(MidiFiles.readSequence(file), file);
    }

    /** {@code file} only names the source in error messages. */
    public static List<PrettyMidiInstrument> fromSequence(Sequence seq, Path file) {
        if (seq.getDivisionType() != Sequence.PPQ) {
            // mido reads the SMPTE division word as a negative ticks-per-beat, so pretty_midi's times are meaningless
            throw new BadInputException(file, "SMPTE time division: perceiver-io's MIDI reader (pretty_midi) only reads ticks per quarter note");
        }
        Track[] tracks = seq.getTracks();
        if (tracks.length == 0) throw new BadInputException(file, "MIDI file has no tracks");
        long maxTick = 0;
        for (Track t : tracks) maxTick = Math.max(maxTick, t.ticks());
        if (maxTick + 1 > PerceiverVocab.PRETTY_MIDI_MAX_TICK) {
            throw new BadInputException(file, "largest tick " + maxTick + " is beyond what pretty_midi reads (at most "
                    + (PerceiverVocab.PRETTY_MIDI_MAX_TICK - 1) + "; it refuses larger ones as corrupt)");
        }
        TickClock clock = TickClock.fromTrackZero(tracks[0], seq.getResolution(), file);
        return new InstrumentCollector(clock).collect(tracks);
    }

    /**
     * pretty_midi's tick-to-seconds map: intervals of constant "tick scale" (seconds per tick),
     * {@code seconds(tick) = intervalStartSeconds + scale * (tick - intervalStartTick)}, with the
     * interval start seconds chained in the same order as {@code _update_tick_to_time} fills its array.
     */
    static final class TickClock {
        private final long[] startTicks;
        private final double[] scales;
        private final double[] startSeconds;

        private TickClock(List<Long> ticks, List<Double> scaleList) {
            int n = ticks.size();
            startTicks = new long[n];
            scales = new double[n];
            startSeconds = new double[n];
            for (int i = 0; i < n; i++) {
                startTicks[i] = ticks.get(i);
                scales[i] = scaleList.get(i);
                if (i > 0) startSeconds[i] = startSeconds[i - 1] + scales[i - 1] * (double) (startTicks[i] - startTicks[i - 1]);
            }
        }

        /** {@code _load_tempo_changes}: set_tempo events of track 0 only, in track order. */
        static TickClock fromTrackZero(Track track0, int resolution, Path file) {
            List<Long> ticks = new ArrayList<>();
            List<Double> scaleList = new ArrayList<>();
            ticks.add(0L);
            scaleList.add(60.0 / (PerceiverVocab.PRETTY_MIDI_DEFAULT_BPM * resolution));
            for (int i = 0; i < track0.size(); i++) {
                MidiEvent e = track0.get(i);
                if (!(e.getMessage() instanceof MetaMessage mm) || mm.getType() != 0x51 || mm.getData().length < 3) continue;
                byte[] d = mm.getData();
                int microsPerBeat = ((d[0] & 0xff) << 16) | ((d[1] & 0xff) << 8) | (d[2] & 0xff);
                if (microsPerBeat == 0) throw new BadInputException(file, "tempo of 0 microseconds per beat at tick " + e.getTick());
                // the same expression as pretty_midi: 60.0 / ((6e7 / tempo) * resolution)
                double scale = 60.0 / ((6e7 / microsPerBeat) * resolution);
                if (e.getTick() == 0) {
                    // a tempo at tick 0 replaces everything so far
                    ticks.clear();
                    scaleList.clear();
                    ticks.add(0L);
                    scaleList.add(scale);
                } else if (scale != scaleList.get(scaleList.size() - 1)) {
                    // "Ignore repetition of BPM": only a change opens an interval
                    ticks.add(e.getTick());
                    scaleList.add(scale);
                }
            }
            return new TickClock(ticks, scaleList);
        }

        /** Seconds at a tick: the last interval starting at or before it holds (it wrote last in pretty_midi's array). */
        double seconds(long tick) {
            int lo = 0, hi = startTicks.length - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (startTicks[mid] <= tick) lo = mid; else hi = mid - 1;
            }
            return startSeconds[lo] + scales[lo] * (double) (tick - startTicks[lo]);
        }
    }

    /** {@code _load_instruments}, one track after another. */
    private static final class InstrumentCollector {
        private static final class Builder {
            final int program;
            final boolean drum;
            final List<TimedNote> notes = new ArrayList<>();
            /** Not final: an instrument adopts its straggler's list object (see the class comment). */
            List<TimedControl> controls = new ArrayList<>();

            Builder(int program, boolean drum) {
                this.program = program;
                this.drum = drum;
            }
        }

        private record InstrumentKey(int program, int channel, int track) {}

        private record ChannelTrack(int channel, int track) {}

        private record OpenNote(long tick, int velocity) {}

        private final TickClock clock;
        private final Map<InstrumentKey, Builder> instruments = new LinkedHashMap<>(); // creation order
        private final Map<ChannelTrack, Builder> stragglers = new HashMap<>();

        InstrumentCollector(TickClock clock) {
            this.clock = clock;
        }

        List<PrettyMidiInstrument> collect(Track[] tracks) {
            for (int t = 0; t < tracks.length; t++) readTrack(tracks[t], t);
            List<PrettyMidiInstrument> out = new ArrayList<>();
            for (Builder b : instruments.values()) out.add(new PrettyMidiInstrument(b.program, b.drum, b.notes, b.controls));
            return out;
        }

        private void readTrack(Track track, int trackIndex) {
            Map<Integer, List<OpenNote>> open = new HashMap<>(); // (channel << 7 | pitch) -> notes on, in order
            int[] program = new int[16];                          // every channel starts on program 0
            for (int i = 0; i < track.size(); i++) {
                MidiEvent e = track.get(i);
                if (!(e.getMessage() instanceof ShortMessage sm)) continue;
                int cmd = sm.getCommand(), ch = sm.getChannel(), data1 = sm.getData1(), data2 = sm.getData2();
                long tick = e.getTick();
                if (cmd == ShortMessage.PROGRAM_CHANGE) {
                    program[ch] = data1;
                } else if (cmd == ShortMessage.NOTE_ON && data2 > 0) {
                    open.computeIfAbsent(ch << 7 | data1, k -> new ArrayList<>()).add(new OpenNote(tick, data2));
                } else if (cmd == ShortMessage.NOTE_OFF || cmd == ShortMessage.NOTE_ON) {
                    int key = ch << 7 | data1;
                    List<OpenNote> ons = open.get(key);
                    if (ons == null) continue; // a note-off without a note-on is ignored
                    List<OpenNote> keep = new ArrayList<>();
                    boolean closedAny = false;
                    for (OpenNote o : ons) {
                        if (o.tick() == tick) {
                            keep.add(o);
                            continue;
                        }
                        closedAny = true;
                        TimedNote note = new TimedNote(data1, o.velocity(), clock.seconds(o.tick()), clock.seconds(tick));
                        instrument(program[ch], ch, trackIndex, true).notes.add(note);
                    }
                    if (closedAny && !keep.isEmpty()) open.put(key, keep);
                    else open.remove(key); // also drops a note-on of this very tick when it was the only one
                } else if (cmd == ShortMessage.CONTROL_CHANGE) {
                    instrument(program[ch], ch, trackIndex, false).controls.add(new TimedControl(data1, data2, clock.seconds(tick)));
                }
                // pitch bends would only add to a straggler's bends: they never change notes or controls
            }
            // notes still open at the end of the track are dropped, as pretty_midi does
        }

        /** {@code __get_instrument(program, channel, track, create_new)}. */
        private Builder instrument(int program, int channel, int track, boolean createNew) {
            InstrumentKey key = new InstrumentKey(program, channel, track);
            Builder existing = instruments.get(key);
            if (existing != null) return existing;
            ChannelTrack ct = new ChannelTrack(channel, track);
            Builder straggler = stragglers.get(ct);
            if (!createNew && straggler != null) return straggler;
            if (createNew) {
                Builder b = new Builder(program, channel == 9);
                if (straggler != null) b.controls = straggler.controls; // the same list object, as in pretty_midi
                instruments.put(key, b);
                return b;
            }
            Builder s = new Builder(program, false);
            stragglers.put(ct, s);
            return s;
        }
    }
}
