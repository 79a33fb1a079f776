package dev.pianola.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pianola.BadInputException;
import dev.pianola.arrange.ArrangeOptions;
import dev.pianola.arrange.ArrangePresets;
import dev.pianola.arrange.Arranger;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.time.TempoMap;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Arrangement presets (--preset FILE): what the reader accepts must also arrange, so each accepted
 * preset arranges a short two-hand phrase (a preset that passed its checks used to fail later, in
 * the arranger).
 */
@Timeout(10)
class PresetFuzzTest {
    private static final NoteSequence PHRASE = phrase();

    private static NoteSequence phrase() {
        List<Note> notes = new ArrayList<>();
        int[] chord = {36, 48, 55, 60, 64, 67, 72, 76, 84, 96, 100, 104, 110, 20};
        for (int bar = 0; bar < 4; bar++) {
            for (int i = 0; i < chord.length; i++) notes.add(new Note(chord[i] + bar, bar * 4 + i * 0.25, 0.5 + i * 0.1, 30 + i * 7));
            notes.add(new Note(70, bar * 4 + 0.01, 0.02, 100, 9)); // a drum hit and a glitch
        }
        return new NoteSequence(notes, TempoMap.constant(96));
    }

    @FuzzTest
    void arrangePreset(byte[] data) throws Exception {
        Path file = FuzzFiles.write("preset.json", data);
        FuzzFiles.acceptOrRefuse(file, BadInputException.class, () -> {
            ArrangeOptions options = ArrangePresets.loadFile(file);
            Arranger.arrange(PHRASE, options);
        });
    }
}
