package dev.pianola.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pianola.BadInputException;
import dev.pianola.TestPaths;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.continuator.Continuator;
import dev.pianola.models.continuator.ContinuatorOptions;
import dev.pianola.models.perceiver.PerceiverMidiCodec;
import dev.pianola.models.remi.Gpt2Generator;
import dev.pianola.models.remi.RemiContinuation;
import dev.pianola.models.remi.RemiTokenizer;
import dev.pianola.runtime.OnnxSessions;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Standard MIDI files, through every reader that takes them: MidiFiles (cover's --midi, continue,
 * render), the REMI tokenizer's miditoolkit-style reading, the Perceiver AR's pretty_midi-style
 * reading, and what continue makes of a phrase before a model runs (REMI's prompt, the Continuator).
 * Each starts from the same seeds (MidiFuzzTestInputs/smf, copied to the others by tools/fuzz/make_seeds.py).
 */
@Timeout(10)
class MidiFuzzTest {
    private static RemiTokenizer tokenizer;
    private static Gpt2Generator gpt;

    private static synchronized RemiTokenizer tokenizer() {
        if (tokenizer == null) tokenizer = RemiTokenizer.load(TestPaths.fixtures("remi/tokenizer.json"));
        return tokenizer;
    }

    /** The tiny random-weight REMI package: prompt() reads only its context length and tokenizer. */
    private static synchronized Gpt2Generator gpt() {
        if (gpt == null) gpt = Gpt2Generator.open(TestPaths.fixtures("remi-model/tiny"), OnnxSessions.Device.CPU);
        return gpt;
    }

    private static Path midi(byte[] data) {
        return FuzzFiles.write("in.mid", data);
    }

    /** The phrase continue plays into a model: the file's notes but drums, on one channel. */
    private static NoteSequence phrase(Path file) {
        NoteSequence all = MidiFiles.read(file);
        List<Note> played = new ArrayList<>();
        for (Note n : all.notes()) if (n.channel() != MidiFiles.DRUM_CHANNEL) played.add(n.withChannel(0));
        return all.withNotes(played);
    }

    @FuzzTest
    void smf(byte[] data) throws Exception {
        Path file = midi(data);
        FuzzFiles.acceptOrRefuse(file, BadInputException.class, () -> {
            javax.sound.midi.Sequence seq = MidiFiles.readSequence(file);
            MidiFiles.trackName(seq);
            NoteSequence notes = MidiFiles.toNoteSequence(seq, file);
            notes.endBeats();
        });
    }

    @FuzzTest
    void remiMidi(byte[] data) throws Exception {
        Path file = midi(data);
        FuzzFiles.acceptOrRefuse(file, BadInputException.class, () -> tokenizer().encode(file));
    }

    @FuzzTest
    void perceiverMidi(byte[] data) throws Exception {
        Path file = midi(data);
        FuzzFiles.acceptOrRefuse(file, BadInputException.class, () -> PerceiverMidiCodec.encodeFile(file));
    }

    @FuzzTest
    void remiPrompt(byte[] data) throws Exception {
        Path file = midi(data);
        // a phrase that cannot be a prompt (no notes, too dense) is refused without naming the file: continue names it
        FuzzFiles.acceptOrRefuse(null, BadInputException.class, () -> {
            NoteSequence phrase;
            try {
                phrase = phrase(file);
            } catch (BadInputException e) {
                if (!e.getMessage().contains(file.getFileName().toString())) throw e;
                return;
            }
            if (!phrase.notes().isEmpty()) RemiContinuation.prompt(gpt(), tokenizerOfGpt(), phrase, 4);
        });
    }

    private static RemiTokenizer remiOfGpt;

    private static synchronized RemiTokenizer tokenizerOfGpt() {
        if (remiOfGpt == null) remiOfGpt = RemiTokenizer.of(gpt());
        return remiOfGpt;
    }

    @FuzzTest
    void continuator(byte[] data) throws Exception {
        Path file = midi(data);
        FuzzFiles.acceptOrRefuse(null, BadInputException.class, () -> {
            NoteSequence phrase;
            try {
                phrase = phrase(file);
            } catch (BadInputException e) {
                if (!e.getMessage().contains(file.getFileName().toString())) throw e;
                return;
            }
            if (phrase.notes().isEmpty()) return;
            Continuator c = new Continuator(ContinuatorOptions.DEFAULT);
            c.learn(phrase);
            c.continueFrom(phrase, 4, 1);
        });
    }
}
