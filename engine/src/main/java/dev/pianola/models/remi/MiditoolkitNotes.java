package dev.pianola.models.remi;

import dev.pianola.midi.MidiFiles;

import javax.sound.midi.MidiEvent;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The notes of a MIDI file paired the way miditoolkit 0.1.16 pairs them (MidiFile._load_instruments),
 * which is how the paper's training data was read. It differs from {@link MidiFiles#read} where
 * notes of one pitch overlap: one note-off ends every note of that channel and pitch that is open
 * in the track and started before it (MidiFiles ends only the oldest), a note-off at the tick of
 * its only open note-on deletes that note, and notes never released are dropped. The POP909 files
 * of the corpus have such overlaps, so prompts read from files go through here.
 */
final class MiditoolkitNotes {
    private MiditoolkitNotes() {
    }

    /** Notes in the file's ticks, drums (channel 10) left out, in no particular order. */
    record TickNotes(List<RemiNote> notes, int ticksPerQuarter) {
    }

    static TickNotes read(Path file) {
        Sequence seq = MidiFiles.readSequence(file);
        // SMPTE files have no quarter-note resolution: put them on REMI's grid as 120 BPM, as MidiFiles does
        if (seq.getDivisionType() != Sequence.PPQ) return new TickNotes(MidiFiles.read(file).notes().stream()
                .filter(n -> n.channel() != MidiFiles.DRUM_CHANNEL)
                .map(n -> new RemiNote(n.pitch(), Math.round(n.startBeats() * RemiConstants.TICKS_PER_QUARTER),
                        Math.round(n.endBeats() * RemiConstants.TICKS_PER_QUARTER), n.velocity())).toList(),
                RemiConstants.TICKS_PER_QUARTER);
        record Open(long tick, int velocity) {
        }
        List<RemiNote> notes = new ArrayList<>();
        for (Track track : seq.getTracks()) {
            Map<Integer, List<Open>> open = new HashMap<>(); // key: channel * 128 + pitch, within this track
            for (int i = 0; i < track.size(); i++) {
                MidiEvent e = track.get(i);
                if (!(e.getMessage() instanceof ShortMessage sm)) continue;
                int cmd = sm.getCommand(), ch = sm.getChannel(), pitch = sm.getData1(), key = ch * 128 + pitch;
                if (cmd == ShortMessage.NOTE_ON && sm.getData2() > 0) {
                    open.computeIfAbsent(key, k -> new ArrayList<>()).add(new Open(e.getTick(), sm.getData2()));
                } else if ((cmd == ShortMessage.NOTE_OFF || cmd == ShortMessage.NOTE_ON) && open.containsKey(key)) {
                    List<Open> keep = new ArrayList<>();
                    boolean closed = false;
                    for (Open o : open.get(key)) {
                        if (o.tick() == e.getTick()) {
                            keep.add(o); // starts right here: this off belongs to an earlier note
                        } else {
                            closed = true;
                            if (ch != MidiFiles.DRUM_CHANNEL) notes.add(new RemiNote(pitch, o.tick(), e.getTick(), o.velocity()));
                        }
                    }
                    // miditoolkit keeps the same-tick notes only when it closed others; otherwise it forgets them
                    if (closed && !keep.isEmpty()) open.put(key, keep);
                    else open.remove(key);
                }
            }
        }
        return new TickNotes(notes, seq.getResolution());
    }
}
