package dev.pianola.models.remi;

/**
 * A note on REMI's tick grid, the way MidiTok sees it: end is exclusive and both times are in
 * ticks of the time division the caller chose (384 for the model).
 */
public record RemiNote(int pitch, long startTick, long endTick, int velocity) {
}
