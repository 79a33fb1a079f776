package dev.pianola.cli;

import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.perceiver.PerceiverArGenerator;
import dev.pianola.models.perceiver.PerceiverArRequest;
import dev.pianola.models.perceiver.PerceiverMidiCodec;
import dev.pianola.models.remi.Gpt2Generator;
import dev.pianola.models.remi.RemiContinuation;
import dev.pianola.models.remi.RemiTokenizer;
import dev.pianola.runtime.OnnxSessions.Device;
import dev.pianola.runtime.Progress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The neural continuation engines, each from its model package: load, continue, close. */
final class ModelEngines {
    record Answer(List<Note> notes, String device) {}

    private ModelEngines() {}

    /** GPT-2 on REMI+BPE: the package holds the graph and the MidiTok tokenizer it was trained with. */
    static Answer remi(Path dir, Device device, NoteSequence phrase, int bars, SamplingChoice choice, long seed, Progress progress) {
        try (Gpt2Generator gpt = Gpt2Generator.open(dir, device)) {
            RemiTokenizer tokenizer = RemiTokenizer.of(gpt);
            List<Note> notes = RemiContinuation.continueFrom(gpt, tokenizer, phrase, bars, choice.over(gpt.defaultSampling()), seed, () -> false, progress, null);
            return new Answer(notes, gpt.modelPackage().device().name().toLowerCase(Locale.ROOT));
        }
    }

    /** Perceiver AR on the 389-event codec; it reads the MIDI file the way its training data was read. */
    static Answer perceiver(Path dir, Device device, Path midi, NoteSequence phrase, double seconds, Integer numLatents,
                            SamplingChoice choice, long seed, Progress progress) {
        try (PerceiverArGenerator model = PerceiverArGenerator.open(dir, device)) {
            int latents = numLatents != null ? numLatents : model.defaultNumLatents();
            // a time shift is at most 1 s and a note takes 2-3 events: 400 events per second is ample
            int budget = (int) Math.min(1_000_000, Math.ceil(seconds * 400));
            PerceiverArGenerator.Continuation c = model.continueMidi(midi,
                    new PerceiverArRequest(budget, seconds, latents, choice.over(model.defaultSampling()), seed), () -> false, progress);
            double until = c.promptEndSeconds() + seconds;
            List<Note> notes = new ArrayList<>();
            double untilBeats = phrase.tempo().beatsAt(until);
            for (Note n : PerceiverMidiCodec.toNoteSequence(c.newNotes(), phrase.tempo()).notes()) {
                if (n.startBeats() < untilBeats) notes.add(n.withTiming(n.startBeats(), Math.min(n.durationBeats(), untilBeats - n.startBeats())));
            }
            return new Answer(notes, model.modelPackage().device().name().toLowerCase(Locale.ROOT));
        }
    }
}
