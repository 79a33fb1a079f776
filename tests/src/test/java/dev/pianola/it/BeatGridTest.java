package dev.pianola.it;

import dev.pianola.audio.TestSignals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.audio.Audio;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.render.WavWriter;
import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sound.midi.MetaMessage;
import javax.sound.midi.Sequence;
import javax.sound.midi.Track;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The cover's beat grid as a DAW user meets it: bar 1 where --first-beat puts it, one tempo event
 * where the music is steady, one tempo quoted everywhere; and the files around it: silence
 * refused, tracks named in hand order with the key, previews at a set peak.
 */
class BeatGridTest {
    @TempDir
    Path tmp;

    @Test
    void firstBeatMovesBarOneAndBpmIsOneTempoEvent() throws Exception {
        Path at0 = tmp.resolve("at0.mid"), atHalf = tmp.resolve("at05.mid");
        for (Object[] run : new Object[][] {{at0, "0"}, {atHalf, "0.5"}}) {
            Cli.Run r = Cli.run("cover", Cli.example(), "-o", run[0], "--bpm", "108", "--first-beat", run[1], "--quiet");
            assertEquals(0, r.exitCode(), r.toString());
        }
        assertEquals(1, tempoEvents(MidiFiles.readSequence(at0)), "--bpm 108 is one tempo event (it was one per beat)");
        NoteSequence zero = MidiFiles.read(at0), half = MidiFiles.read(atHalf);
        assertEquals(108, zero.tempo().bpmAt(0), 1e-3);
        List<Double> barsAt0 = barSeconds(zero), barsAtHalf = barSeconds(half);
        assertEquals(0, barsAt0.get(1) - 4 * 60 / 108.0, 1e-3, "bar 2 four beats in: " + barsAt0);
        assertTrue(barsAtHalf.stream().anyMatch(s -> Math.abs(s - 0.5) < 1e-3), "a bar line at 0.5 s: " + barsAtHalf);
        assertTrue(barsAtHalf.stream().anyMatch(s -> Math.abs(s - (0.5 + 4 * 60 / 108.0)) < 1e-3), "and a bar later: " + barsAtHalf);
        assertEquals(108, half.tempo().bpmAt(4), 1e-3, "the pickup's tempo ends at bar 1");
        // the notes sit at other places in their bars
        assertNotEquals(barPositions(zero), barPositions(half));
    }

    @Test
    void aSteadyClickTrackIsOneTempoEventAtItsTempo() throws Exception {
        Path wav = wav("clicks108.wav", TestSignals.struck(TestSignals.steady(108, 0, 30), 30, 440));
        Path out = tmp.resolve("clicks108.mid");
        JsonNode summary = json(Cli.run("cover", wav, "-o", out, "--json"));
        assertEquals(1, tempoEvents(MidiFiles.readSequence(out)), MidiFiles.read(out).tempo().toString());
        assertEquals(108, summary.get("bpm").asDouble(), 0.3);
    }

    @Test
    void aChordEveryTwoSecondsIsNotThirtyBpm() throws Exception {
        Path wav = wav("chords.wav", TestSignals.struck(TestSignals.steady(30, 0.5, 40), 40, 261.6, 329.6, 392.0));
        JsonNode summary = json(Cli.run("cover", wav, "-o", tmp.resolve("chords.mid"), "--json"));
        double bpm = summary.get("bpm").asDouble();
        assertTrue(bpm >= 70 && bpm <= 180, "bpm " + bpm);
        assertEquals(120, bpm, 3);
    }

    /** Beat times that change from 100 to 130 BPM (with a tracker's jitter): a tempo change there, not on every beat. */
    @Test
    void aTempoChangeIsATempoEventWhereItHappens() throws Exception {
        Random random = new Random(11);
        StringBuilder beats = new StringBuilder();
        double t = 0.6;
        for (int i = 0; i < 40; i++, t += i <= 16 ? 0.6 : 60 / 130.0) {
            beats.append(String.format(java.util.Locale.ROOT, "%.4f%n", t + (random.nextInt(3) - 1) * 512 / 22050.0));
        }
        Path file = Files.writeString(tmp.resolve("beats.txt"), beats);
        Path out = tmp.resolve("change.mid");
        assertEquals(0, Cli.run("cover", Cli.example(), "-o", out, "--beats", file, "--quiet").exitCode());
        TempoMap tempo = MidiFiles.read(out).tempo();
        assertTrue(tempoEvents(MidiFiles.readSequence(out)) <= 3, tempo.toString());
        assertEquals(100, tempo.bpmAt(8), 1, tempo.toString());
        assertEquals(130, tempo.bpmAt(30), 1, tempo.toString());
        for (TempoMap.Change c : tempo.changes().subList(1, tempo.changes().size())) assertEquals(17, c.beats(), 2, tempo.toString());
    }

    /** Dither at -90 dBFS once became six loud bass notes. */
    @Test
    void nearSilenceIsRefusedInOneLine() throws Exception {
        Random random = new Random(3);
        float[] dither = new float[44100 * 10];
        for (int i = 0; i < dither.length; i++) dither[i] = (random.nextInt(3) - 1) / 32768f;
        Path wav = wav("dither.wav", new Audio(dither, 44100));
        Path out = tmp.resolve("dither.mid");
        Cli.Run r = Cli.run("cover", wav, "-o", out);
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("dither.wav: is silent (peak -90 dBFS, below -60 dBFS): there is nothing to cover"), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void tracksKeyTempoAndPreviewAgree() throws Exception {
        Path out = tmp.resolve("demo.mid"), wav = tmp.resolve("demo.wav"), png = tmp.resolve("demo.png");
        JsonNode summary = json(Cli.run("cover", Cli.example(), "-o", out, "--render", wav, "--piano-roll", png, "--json"));
        Sequence seq = MidiFiles.readSequence(out);
        assertEquals(List.of("Right hand", "Left hand"), List.of(trackName(seq.getTracks()[1]), trackName(seq.getTracks()[2])));
        assertEquals(0, channelOf(seq.getTracks()[1]));
        assertEquals("Am", summary.get("key").asText());
        assertArrayEquals(new byte[] {0, 1}, metaData(seq, 0x59), "A minor's key signature");
        assertEquals(1, tempoEvents(seq), "examples/demo.wav is steady at 108 BPM");
        assertEquals(-1, peakDbfs(wav), 0.05, "the preview's peak");

        // one tempo figure: JSON, the console line, and the piano roll's (NoteSequence.mainBpm of the notes)
        double json = summary.get("bpm").asDouble();
        Cli.Run console = Cli.run("cover", Cli.example(), "-o", out, "--force");
        Matcher m = Pattern.compile("beat grid at ([0-9.]+) BPM").matcher(console.err());
        assertTrue(m.find(), console.toString());
        assertEquals(TempoMap.bpmText(json), m.group(1));
        assertEquals(TempoMap.bpmText(json), TempoMap.bpmText(MidiFiles.read(out).mainBpm()));
        assertEquals(108, json, 0.5);
    }

    @Test
    void continueNamesThePhraseAndTheAnswerAndPreviewsAtTheSamePeak() throws Exception {
        Path phrase = Cli.root().resolve("examples/demo.mid"), out = tmp.resolve("more.mid"), wav = tmp.resolve("more.wav");
        Cli.Run r = Cli.run("continue", phrase, "-o", out, "--render", wav, "--quiet");
        assertEquals(0, r.exitCode(), r.toString());
        Sequence seq = MidiFiles.readSequence(out);
        assertEquals("Phrase", trackName(seq.getTracks()[1]), "five tracks merged into one phrase");
        assertEquals("Answer", trackName(seq.getTracks()[2]));
        assertEquals(-1, peakDbfs(wav), 0.05);
        // a phrase played on one named track keeps its name
        NoteSequence take = new NoteSequence(List.of(new Note(60, 0, 1, 80, 0), new Note(64, 1, 1, 80, 0), new Note(67, 2, 1, 80, 0),
                new Note(72, 3, 1, 80, 0)), TempoMap.constant(100));
        Path takeMid = tmp.resolve("take.mid");
        MidiFiles.write(take, takeMid, false, MidiFiles.WriteOptions.PIANO.withChannelName(0, "Take 3"));
        assertEquals(0, Cli.run("continue", takeMid, "-o", tmp.resolve("take.more.mid"), "--quiet").exitCode());
        assertEquals("Take 3", trackName(MidiFiles.readSequence(tmp.resolve("take.more.mid")).getTracks()[1]));
    }

    // --- helpers ---

    private static JsonNode json(Cli.Run r) throws Exception {
        assertEquals(0, r.exitCode(), r.toString());
        return new ObjectMapper().readTree(r.out());
    }

    private Path wav(String name, Audio audio) {
        Path p = tmp.resolve(name);
        WavWriter.write(audio, p, WavWriter.Depth.PCM16, false);
        return p;
    }

    private static int tempoEvents(Sequence seq) {
        int n = 0;
        for (Track track : seq.getTracks()) {
            for (int i = 0; i < track.size(); i++) if (track.get(i).getMessage() instanceof MetaMessage mm && mm.getType() == 0x51) n++;
        }
        return n;
    }

    private static byte[] metaData(Sequence seq, int type) {
        for (Track track : seq.getTracks()) {
            for (int i = 0; i < track.size(); i++) {
                if (track.get(i).getMessage() instanceof MetaMessage mm && mm.getType() == type) return mm.getData();
            }
        }
        return null;
    }

    private static String trackName(Track track) {
        for (int i = 0; i < track.size(); i++) {
            if (track.get(i).getMessage() instanceof MetaMessage mm && mm.getType() == 0x03) return new String(mm.getData());
        }
        return null;
    }

    private static int channelOf(Track track) {
        for (int i = 0; i < track.size(); i++) {
            if (track.get(i).getMessage() instanceof javax.sound.midi.ShortMessage sm) return sm.getChannel();
        }
        return -1;
    }

    /** Bar lines, in seconds, over the first 20 s. */
    private static List<Double> barSeconds(NoteSequence ns) {
        return TimeSignature.barLines(ns.timeSignatures(), ns.tempo().beatsAt(20)).stream().map(ns.tempo()::secondsAt).toList();
    }

    /** Each note's (bar, beat in the bar), rounded to a sixteenth. */
    private static List<String> barPositions(NoteSequence ns) {
        List<Double> bars = TimeSignature.barLines(ns.timeSignatures(), ns.endBeats());
        List<String> out = new ArrayList<>();
        for (Note n : ns.notes()) {
            int bar = 0;
            while (bar + 1 < bars.size() && bars.get(bar + 1) <= n.startBeats() + 1e-9) bar++;
            out.add(bar + ":" + Math.round((n.startBeats() - bars.get(bar)) * 4));
        }
        return out;
    }

    /** The loudest sample of a 16-bit WAV, over all channels, in dBFS. */
    private static double peakDbfs(Path wav) throws Exception {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
            byte[] b = in.readAllBytes();
            int peak = 0;
            for (int i = 0; i + 1 < b.length; i += 2) peak = Math.max(peak, Math.abs((short) ((b[i] & 0xff) | (b[i + 1] << 8))));
            return 20 * Math.log10(peak / 32768.0);
        }
    }
}
