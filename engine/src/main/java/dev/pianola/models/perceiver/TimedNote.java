package dev.pianola.models.perceiver;

/**
 * A note in seconds, as pretty_midi holds it ({@code pretty_midi.Note}): what the codec encodes and
 * what it decodes. Velocity is not range-checked: decode gives 0 before the first velocity token
 * and 128 after PAD (388), exactly as decode_midi does; {@link PerceiverMidiCodec#toNoteSequence}
 * makes playable notes of them.
 */
public record TimedNote(int pitch, int velocity, double startSeconds, double endSeconds) {}
