package dev.pianola.midi;

/** A controller event (sustain pedal is number 64). */
public record ControlChange(double beats, int channel, int number, int value) {}
