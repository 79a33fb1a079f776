package dev.pianola.models.perceiver;

/** A control change in seconds, as pretty_midi holds it ({@code pretty_midi.ControlChange}). */
public record TimedControl(int number, int value, double timeSeconds) {}
