package dev.pianola.arrange;

import dev.pianola.midi.NoteSequence;

/** A playable piano part (right hand on channel 0, left hand on channel 1) and how it was made. */
public record Arrangement(NoteSequence notes, ArrangeReport report) {}
