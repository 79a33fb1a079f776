package dev.pianola.arrange;

/** Counters the stages add to while they work; becomes the {@link ArrangeReport}. */
final class Tally {
    int droppedDrums, droppedOutOfRange, foldedIntoRange;
    int removedDuplicates, mergedFragments, droppedTooShort;
    int snappedToKey, foldedIntoHandSpan, droppedByHandSpan;
    int droppedByPolyphony, shortenedNotes;
    int raisedMelodyNotes;
    int replacedByTexture, writtenByTexture;
}
