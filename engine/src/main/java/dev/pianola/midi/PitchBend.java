package dev.pianola.midi;

/** A pitch-bend event; {@code value} is -8192..8191, 0 is no bend. */
public record PitchBend(double beats, int channel, int value) {}
