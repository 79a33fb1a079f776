package dev.pianola.arrange;

import java.util.Locale;

/**
 * What the arranger did, for the CLI to print. Every input note is either in the output or counted
 * by exactly one of the {@code dropped*}/{@code removed*}/{@code merged*}/{@code replaced*} fields, and
 * the output holds them and the notes the left hand's texture wrote, so
 * {@code notesIn + writtenByTexture == notesOut + droppedTotal()}.
 *
 * @param notesIn               notes in the input
 * @param notesOut              notes in the arrangement
 * @param rightHandNotes        output notes on channel 0
 * @param leftHandNotes         output notes on channel 1
 * @param melodyNotes           output notes of the tune (the top voice of the right hand)
 * @param raisedMelodyNotes     notes of the tune moved up by octaves with their phrase
 * @param droppedDrums          input notes on the drum channel
 * @param droppedOutOfRange     notes outside the keyboard (range rule set to DROP)
 * @param foldedIntoRange       notes moved by octaves onto the keyboard
 * @param removedDuplicates     the same key struck twice at once (in the input, or after folding,
 *                              snapping or quantizing)
 * @param mergedFragments       same-pitch fragments absorbed into the note before them
 * @param droppedTooShort       notes shorter than the minimum duration
 * @param snappedToKey          notes moved to the nearest in-key pitch
 * @param foldedIntoHandSpan    notes moved by octaves to fit their hand's span
 * @param droppedByHandSpan     notes that did not fit their hand's span
 * @param droppedByPolyphony    onsets dropped to respect the per-hand or overall cap
 * @param shortenedNotes        held notes released early (for a new chord's span or cap, or a re-strike)
 * @param replacedByTexture     left-hand notes replaced by the left hand's texture (its bass and chords)
 * @param writtenByTexture      notes the left hand's texture wrote
 * @param key                   the key in use (detected, or given); null when there were no notes
 * @param keyDetected           whether {@code key} was detected (false: it was given in the options)
 */
public record ArrangeReport(int notesIn, int notesOut, int rightHandNotes, int leftHandNotes,
                            int melodyNotes, int raisedMelodyNotes,
                            int droppedDrums, int droppedOutOfRange, int foldedIntoRange,
                            int removedDuplicates, int mergedFragments, int droppedTooShort,
                            int snappedToKey, int foldedIntoHandSpan, int droppedByHandSpan,
                            int droppedByPolyphony, int shortenedNotes,
                            int replacedByTexture, int writtenByTexture,
                            Key key, boolean keyDetected) {

    /** Input notes that did not make it into the output, all rules together. */
    public int droppedTotal() {
        return droppedDrums + droppedOutOfRange + removedDuplicates + mergedFragments + droppedTooShort
                + droppedByHandSpan + droppedByPolyphony + replacedByTexture;
    }

    /** A few lines for a person. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "arrangement: %d notes in, %d out (right hand %d, left hand %d)%n",
                notesIn, notesOut, rightHandNotes, leftHandNotes));
        s.append(String.format(Locale.ROOT, "  key: %s%n", key == null ? "none (no notes)" : key + (keyDetected ? ", detected" : ", given")));
        line(s, "notes of the tune", melodyNotes);
        line(s, "tune raised by octaves", raisedMelodyNotes);
        line(s, "drum notes dropped", droppedDrums);
        line(s, "out of range, dropped", droppedOutOfRange);
        line(s, "out of range, folded by octaves", foldedIntoRange);
        line(s, "duplicates removed", removedDuplicates);
        line(s, "fragments merged", mergedFragments);
        line(s, "too short, dropped", droppedTooShort);
        line(s, "snapped to the key", snappedToKey);
        line(s, "outside a hand's span, folded", foldedIntoHandSpan);
        line(s, "outside a hand's span, dropped", droppedByHandSpan);
        line(s, "over the polyphony cap, dropped", droppedByPolyphony);
        line(s, "held notes released early", shortenedNotes);
        line(s, "left hand replaced by texture", replacedByTexture);
        line(s, "left hand written by texture", writtenByTexture);
        return s.toString();
    }

    private static void line(StringBuilder s, String what, int count) {
        if (count > 0) s.append(String.format(Locale.ROOT, "  %-32s %d%n", what + ":", count));
    }
}
