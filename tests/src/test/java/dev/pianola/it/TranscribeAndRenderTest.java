package dev.pianola.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.audio.Audio;
import dev.pianola.audio.AudioFiles;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** transcribe and render through the CLI: what they write, and --force. */
class TranscribeAndRenderTest {
    @TempDir
    Path tmp;

    @Test
    void transcribeWritesRawNotesWithPitchBendsAt120Bpm() throws Exception {
        Path out = tmp.resolve("demo.notes.mid");
        Cli.Run r = Cli.run("transcribe", Cli.example(), "-o", out, "--json", "--quiet");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode summary = new ObjectMapper().readTree(r.out());
        NoteSequence notes = MidiFiles.read(out);
        assertEquals(summary.get("notes").asInt(), notes.notes().size());
        assertTrue(notes.notes().size() > 100, "the example song has hundreds of notes: " + notes.notes().size());
        assertEquals(120, notes.tempo().bpmAt(0), 1e-6);
        // unquantized: onsets fall between grid lines
        long offGrid = notes.notes().stream().filter(n -> Math.abs(n.startBeats() * 4 - Math.rint(n.startBeats() * 4)) > 1e-3).count();
        assertTrue(offGrid > notes.notes().size() / 2, "raw timing, not quantized");

        // a sung melody (one note at a time, so no bends are dropped for overlapping notes) bends
        Path voice = Cli.corpus("audio/vocadito_10.wav");
        Path sung = tmp.resolve("sung.mid"), plain = tmp.resolve("plain.mid");
        assertEquals(0, Cli.run("transcribe", voice, "-o", sung, "--quiet").exitCode());
        assertEquals(0, Cli.run("transcribe", voice, "-o", plain, "--no-pitch-bends", "--quiet").exitCode());
        NoteSequence withBends = MidiFiles.read(sung), noBends = MidiFiles.read(plain);
        assertTrue(withBends.bends().size() > 100, "pitch bends by default: " + withBends.bends().size());
        assertTrue(noBends.bends().isEmpty());
        assertEquals(withBends.notes(), noBends.notes(), "bends change nothing else");
    }

    @Test
    void forceOverwritesAndWithoutItNothingIsTouched() throws Exception {
        Path song = Cli.root().resolve("examples/demo.mid");
        Path wav = tmp.resolve("demo.wav");
        Cli.Run first = Cli.run("render", song, "-o", wav, "--sample-rate", 22050, "--mono", "--max-seconds", 4, "--quiet");
        assertEquals(0, first.exitCode(), first.toString());
        Audio four = AudioFiles.read(wav);
        assertEquals(22050, four.sampleRate());
        assertEquals(4, four.seconds(), 1e-3, "exactly the 4 s asked for (the notes released there, no tail after)");
        long modified = Files.getLastModifiedTime(wav).toMillis();
        assertEquals(2, Cli.run("render", song, "-o", wav, "--quiet").exitCode());
        assertEquals(modified, Files.getLastModifiedTime(wav).toMillis(), "untouched without --force");
        Cli.Run forced = Cli.run("render", song, "-o", wav, "--sample-rate", 22050, "--mono", "--max-seconds", 2, "--force", "--quiet");
        assertEquals(0, forced.exitCode(), forced.toString());
        assertEquals(2, AudioFiles.read(wav).seconds(), 1e-3, "replaced by the new render");
    }

    @Test
    void theDefaultOutputGoesBesideTheInput() throws Exception {
        Path input = Files.copy(Cli.example(), tmp.resolve("song.wav"));
        Cli.Run r = Cli.run("cover", input, "--bpm", 108, "--quiet");
        assertEquals(0, r.exitCode(), r.toString());
        NoteSequence cover = MidiFiles.read(tmp.resolve("song.piano.mid"));
        for (Note n : cover.notes()) assertTrue(n.channel() <= 1);
    }
}
