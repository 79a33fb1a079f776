package dev.pianola.models.perceiver;

import java.util.List;

/**
 * One {@code pretty_midi.Instrument} as encode_midi sees it: its notes in pretty_midi's list order
 * (the order matters: the sustain preprocessing walks the list and the sorts are stable) and its
 * control changes in file order.
 */
public record PrettyMidiInstrument(int program, boolean drum, List<TimedNote> notes, List<TimedControl> controls) {
    public PrettyMidiInstrument {
        notes = List.copyOf(notes);
        controls = List.copyOf(controls);
    }
}
