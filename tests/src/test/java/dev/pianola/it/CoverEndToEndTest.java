package dev.pianola.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.audio.Audio;
import dev.pianola.audio.AudioFiles;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IntSummaryStatistics;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The README's first command on the example song, end to end, and what a musician gets from it. */
class CoverEndToEndTest {
    @TempDir
    static Path tmp;
    static Cli.Run run;
    static JsonNode summary;
    static NoteSequence cover, song;

    @BeforeAll
    static void coverTheExample() throws Exception {
        run = Cli.run("cover", Cli.example(), "-o", tmp.resolve("demo.piano.mid"), "--render", tmp.resolve("demo.piano.wav"),
                "--piano-roll", tmp.resolve("demo.piano.png"), "--json", "--quiet");
        assertEquals(0, run.exitCode(), run.toString());
        summary = new ObjectMapper().readTree(run.out());
        cover = MidiFiles.read(tmp.resolve("demo.piano.mid"));
        song = MidiFiles.read(Cli.root().resolve("examples/demo.mid"));
    }

    @Test
    void jsonSummarySaysWhatHappened() {
        for (String field : new String[]{"input", "output", "engine", "device", "notes", "audioSeconds", "computeSeconds"}) {
            assertTrue(summary.has(field), field + " in " + run.out());
        }
        assertEquals(cover.notes().size(), summary.get("notes").asInt());
        assertEquals("cpu", summary.get("device").asText());
        assertEquals("tracked", summary.get("beats").asText());
        Audio input = AudioFiles.read(Cli.example());
        assertEquals(input.seconds(), summary.get("audioSeconds").asDouble(), 1e-3);
    }

    @Test
    void theArrangementIsPlayable() {
        assertTrue(cover.notes().size() > 50, "a real arrangement, not a handful of notes: " + cover.notes().size());
        for (Note n : cover.notes()) {
            assertTrue(n.pitch() >= 21 && n.pitch() <= 108, "on the keyboard: " + n);
            assertTrue(n.channel() == 0 || n.channel() == 1, "right or left hand: " + n);
            double sixteenths = n.startBeats() * 4;
            assertEquals(Math.rint(sixteenths), sixteenths, 1e-6, "on the sixteenth grid: " + n);
        }
        for (Note n : cover.notes()) {
            List<Note> sounding = cover.notes().stream().filter(m -> m.startBeats() <= n.startBeats() && m.endBeats() > n.startBeats()).toList();
            assertTrue(sounding.size() <= 6, "at most 6 notes at once (default cap), " + sounding.size() + " at beat " + n.startBeats());
            for (int hand = 0; hand <= 1; hand++) {
                final int h = hand;
                IntSummaryStatistics pitches = sounding.stream().filter(m -> m.channel() == h).mapToInt(Note::pitch).summaryStatistics();
                if (pitches.getCount() > 1) assertTrue(pitches.getMax() - pitches.getMin() <= 12, "each hand within an octave at beat " + n.startBeats());
            }
        }
    }

    @Test
    void theTrackedTempoMatchesTheSong() {
        double songBpm = song.tempo().bpmAt(0);
        double coverBpm = summary.get("bpm").asDouble();
        assertEquals(songBpm, coverBpm, songBpm * 0.03, "beat tracker found the song's tempo");
        // the cover's tempo map follows the audio: its length in seconds is the song's
        assertEquals(song.endSeconds(), cover.endSeconds(), 1.5);
    }

    @Test
    void theCoverPlaysTheSongsNotesAtTheSongsTimes() {
        // the melody and chords of the song (not the drums) should be heard: match onsets within 80 ms
        // and pitch class (the arranger may move notes by octaves)
        List<double[]> songNotes = new ArrayList<>();
        for (Note n : song.notes()) if (n.channel() != 9) songNotes.add(new double[]{song.startSeconds(n), n.pitch() % 12});
        int matched = 0;
        for (Note n : cover.notes()) {
            double t = cover.startSeconds(n);
            for (double[] s : songNotes) {
                if (Math.abs(s[0] - t) <= 0.08 && s[1] == n.pitch() % 12) {
                    matched++;
                    break;
                }
            }
        }
        double precision = matched / (double) cover.notes().size();
        System.out.printf("cover notes matching a song note (80 ms, pitch class): %.3f of %d%n", precision, cover.notes().size());
        assertTrue(precision > 0.6, "most cover notes are the song's notes, at the song's times: " + precision);
    }

    @Test
    void previewAndPictureAreWritten() throws Exception {
        Audio preview = AudioFiles.read(tmp.resolve("demo.piano.wav"));
        assertTrue(preview.seconds() >= cover.endSeconds(), "the preview holds the whole arrangement");
        double energy = 0;
        for (float s : preview.samples()) energy += s * s;
        assertTrue(Math.sqrt(energy / preview.samples().length) > 0.01, "the preview is not silent");
        BufferedImage png = ImageIO.read(tmp.resolve("demo.piano.png").toFile());
        assertTrue(png.getWidth() > 400 && png.getHeight() > 200);
        try (var files = Files.list(tmp)) {
            assertEquals(3, files.count(), "exactly the three outputs, no temporary files");
        }
    }

    @Test
    void aKnownTempoPutsTheSongsBeatsOnTheGrid(@TempDir Path dir) throws Exception {
        double bpm = song.tempo().bpmAt(0);
        Path out = dir.resolve("demo.mid");
        Cli.Run r = Cli.run("cover", Cli.example(), "-o", out, "--bpm", bpm, "--quiet");
        assertEquals(0, r.exitCode(), r.toString());
        NoteSequence known = MidiFiles.read(out);
        assertEquals(bpm, known.tempo().bpmAt(0), 1e-3);
        // with the song's own tempo from 0 s, the cover's beats are the song's beats
        int onBeat = 0;
        for (Note n : known.notes()) {
            for (Note s : song.notes()) {
                if (s.channel() != 9 && Math.abs(s.startBeats() - n.startBeats()) <= 0.125 && s.pitch() % 12 == n.pitch() % 12) {
                    onBeat++;
                    break;
                }
            }
        }
        assertTrue(onBeat > 0.6 * known.notes().size(), onBeat + " of " + known.notes().size() + " notes on the song's beats");
    }
}
