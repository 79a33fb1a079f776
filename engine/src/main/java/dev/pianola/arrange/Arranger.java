package dev.pianola.arrange;

import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a transcription (or any note sequence) into a two-hand piano part a person can play.
 * The rules run in this order, each on the output of the one before:
 * <ol>
 * <li>drum channel out; notes folded (or dropped) onto the keyboard;</li>
 * <li>duplicates and re-triggered fragments merged, then notes too short to mean anything dropped;</li>
 * <li>the key detected on what is left (or taken from the options); optionally out-of-key notes snapped;</li>
 * <li>onsets and ends quantized to the grid;</li>
 * <li>the tune raised by octaves where a phrase sits low (it was found before merging, on the
 *     cleaned notes, so that its repeated notes keep their attacks);</li>
 * <li>hands split (the tune on top of the right hand), each hand's span and finger count kept, then
 *     the overall polyphony cap;</li>
 * <li>optionally the left hand replaced by a texture of its bass and chords ({@link LeftHand});</li>
 * <li>velocities shaped.</li>
 * </ol>
 * Folding, snapping and quantizing can make one key sound twice; that is resolved after each of them.
 * The result is deterministic: same input and options, same output. The tempo map and meters are
 * kept; controllers (sustain pedal) and pitch bends are not, since the arrangement's note lengths
 * are what a player holds and a pedal would undo the polyphony cap.
 */
public final class Arranger {
    private static final Logger log = LoggerFactory.getLogger(Arranger.class);
    private static final int DRUM_CHANNEL = 9;

    private Arranger() {}

    public static Arrangement arrange(NoteSequence in, ArrangeOptions options) {
        Tally tally = new Tally();
        List<Voice> voices = new ArrayList<>(in.notes().size());
        for (Note n : in.notes()) {
            if (options.dropDrumChannel() && n.channel() == DRUM_CHANNEL) tally.droppedDrums++;
            else voices.add(Voice.of(n));
        }

        voices = Cleanup.keyboardRange(voices, options, tally);
        // before merging: the tune's repeated notes keep their attacks
        if (options.melodyOnTop()) Melody.mark(voices, options.chordWindowBeats());
        voices = Cleanup.mergeFragments(voices, options.mergeGapBeats(), tally);
        voices = Cleanup.dropShort(voices, options.minDurationBeats(), tally);

        boolean detected = options.key() == null;
        Key key = detected ? KeyDetector.detect(toNotes(voices)) : Key.parse(options.key());
        if (options.scaleSnap() && key != null) {
            ScaleSnap.snap(voices, key, options.lowestPitch(), options.highestPitch(), tally);
            voices = Cleanup.resolveCollisions(voices, tally);
        }

        if (options.quantizeGrid() != ArrangeOptions.Grid.OFF) {
            Quantizer.quantize(voices, options.quantizeGrid().stepBeats(), options.quantizeStrength(), options.quantizeEnds());
            voices = Cleanup.resolveCollisions(voices, tally);
        }

        if (options.melodyOnTop()) {
            tally.raisedMelodyNotes = Melody.raise(voices, options);
            voices = Cleanup.resolveCollisions(voices, tally);
        }

        voices = Hands.arrange(voices, options, tally);
        voices = Cleanup.resolveCollisions(voices, tally);
        List<Voice> heard = voices;
        if (options.leftHandTexture() != ArrangeOptions.Texture.AS_PLAYED) {
            voices = LeftHand.texture(voices, in.timeSignatures(), options, tally);
        }

        if (options.velocityMode() == ArrangeOptions.VelocityMode.SHAPE) {
            Velocities.shape(voices, heard, options.minVelocity(), options.maxVelocity(), options.downbeatAccentVelocity(), in.timeSignatures());
        }

        List<Note> notes = toNotes(voices);
        int right = 0, tune = 0;
        for (Voice v : voices) {
            if (v.channel == Hands.RIGHT) right++;
            if (v.melody) tune++;
        }
        ArrangeReport report = new ArrangeReport(in.notes().size(), notes.size(), right, notes.size() - right, tune, tally.raisedMelodyNotes,
                tally.droppedDrums, tally.droppedOutOfRange, tally.foldedIntoRange,
                tally.removedDuplicates, tally.mergedFragments, tally.droppedTooShort,
                tally.snappedToKey, tally.foldedIntoHandSpan, tally.droppedByHandSpan,
                tally.droppedByPolyphony, tally.shortenedNotes, tally.replacedByTexture, tally.writtenByTexture, key, detected && key != null);
        log.debug("arranged {} notes into {} (key {})", report.notesIn(), report.notesOut(), key);
        return new Arrangement(new NoteSequence(notes, in.tempo(), in.timeSignatures(), List.of(), List.of()), report);
    }

    private static List<Note> toNotes(List<Voice> voices) {
        List<Note> notes = new ArrayList<>(voices.size());
        for (Voice v : voices) notes.add(v.toNote());
        return notes;
    }
}
