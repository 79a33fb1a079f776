package dev.pianola.live;

import dev.pianola.midi.Note;

import java.util.List;

/**
 * What an engine is asked to continue. Beats count from {@code originBeats} of the session (a bar
 * line at or before the first note), so beat 0 is a bar line, as REMI's bars expect, and no
 * engine sees a negative or huge position.
 *
 * @param context      what the player played lately, sorted by onset, relative to the origin
 * @param startBeats   the answer's first possible onset
 * @param lengthBeats  how long the answer lasts; notes are cut at its end
 * @param barBeats     bar length where the answer starts
 * @param bpm          tempo where the answer starts, for engines that count seconds
 * @param temperature  sampling temperature (0: the likeliest choice)
 * @param seed         the same request with the same seed gives the same answer
 */
public record AnswerRequest(List<Note> context, double startBeats, double lengthBeats, double barBeats, double bpm,
                            double temperature, long seed) {
    public AnswerRequest {
        context = List.copyOf(context);
        if (!(lengthBeats > 0)) throw new IllegalArgumentException("answer length must be > 0 beats, got " + lengthBeats);
    }

    public double endBeats() {
        return startBeats + lengthBeats;
    }
}
