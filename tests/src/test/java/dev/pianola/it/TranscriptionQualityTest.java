package dev.pianola.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.audio.Audio;
import dev.pianola.audio.AudioFiles;
import dev.pianola.eval.NoteF1;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.basicpitch.BasicPitch;
import dev.pianola.models.basicpitch.NoteCreation;
import dev.pianola.models.basicpitch.NoteEvent;
import dev.pianola.models.basicpitch.NoteOptions;
import dev.pianola.runtime.ModelStore;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Transcription quality on real piano music: render the corpus's piano files with our renderer,
 * transcribe with the Java Basic Pitch, score against the source MIDI, and compare with what Python
 * basic-pitch 0.4.0 scored on the very same audio (tools/reference/transcription_quality.py).
 */
class TranscriptionQualityTest {
    @TempDir
    Path tmp;

    @Test
    void javaIsNotWorseThanPythonBasicPitch() throws Exception {
        JsonNode fixture = new ObjectMapper().readTree(Cli.root().resolve("tests/fixtures/transcription-quality/python_basic_pitch.json").toFile());
        double crop = fixture.get("crop_seconds").asDouble(), scoreBefore = fixture.get("score_before_seconds").asDouble();
        double tolerance = fixture.get("onset_tolerance").asDouble();
        Path soundFont = Path.of(fixture.get("soundfont").asText());
        assertEquals(fixture.get("soundfont_sha256").asText(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(soundFont))),
                soundFont + " is not the SoundFont the reference rendered with (Debian fluid-soundfont-gm 3.1)");
        double javaSum = 0, pythonSum = 0;
        int files = 0;
        StringBuilder table = new StringBuilder(String.format("%n%-26s %6s %6s %8s %8s%n", "file", "ref", "est", "F1 Java", "F1 Py"));
        try (BasicPitch model = BasicPitch.load(ModelStore.locate().basicPitch(), OnnxSessions.Device.CPU)) {
            for (Iterator<Map.Entry<String, JsonNode>> it = fixture.get("files").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                JsonNode expected = entry.getValue();
                Path mid = Cli.corpus("midi/piano/" + entry.getKey());
                Path wav = tmp.resolve(entry.getKey() + ".wav");
                Cli.Run r = Cli.run("render", mid, "-o", wav, "--max-seconds", crop, "--soundfont", soundFont, "--sample-rate", 22050, "--mono", "--quiet");
                assertEquals(0, r.exitCode(), r.toString());
                Audio audio = AudioFiles.read(wav);
                assertEquals(expected.get("pcm_sha256").asText(), pcmSha256(audio),
                        entry.getKey() + ": our render differs from the audio the reference scored; rerun tools/reference/transcription_quality.py");

                List<NoteF1.TimedPitch> reference = new ArrayList<>();
                NoteSequence source = MidiFiles.read(mid);
                for (Note n : source.notes()) {
                    double onset = source.startSeconds(n);
                    if (n.channel() != 9 && onset < scoreBefore) reference.add(new NoteF1.TimedPitch(onset, n.pitch()));
                }
                assertEquals(expected.get("reference_notes").asInt(), reference.size(), entry.getKey() + ": reference notes (pretty_midi vs ours)");

                List<NoteF1.TimedPitch> python = new ArrayList<>();
                for (JsonNode n : expected.get("estimated")) python.add(new NoteF1.TimedPitch(n.get(0).asDouble(), n.get(1).asDouble()));
                NoteF1.Score pythonScore = NoteF1.score(reference, python, tolerance);
                assertEquals(expected.get("f1").asDouble(), pythonScore.f1(), 1e-9, "our F1 metric agrees with mir_eval on Python's notes");

                List<NoteF1.TimedPitch> java = new ArrayList<>();
                for (NoteEvent e : NoteCreation.notes(model.predict(audio, Progress.NONE), NoteOptions.DEFAULTS)) {
                    if (e.startSeconds() < scoreBefore) java.add(new NoteF1.TimedPitch(e.startSeconds(), e.pitch()));
                }
                NoteF1.Score javaScore = NoteF1.score(reference, java, tolerance);
                table.append(String.format("%-26s %6d %6d %8.4f %8.4f%n", entry.getKey(), reference.size(), java.size(), javaScore.f1(), pythonScore.f1()));
                // same model, same samples: any real gap is a porting bug; allow one note's worth of float noise
                assertTrue(javaScore.f1() >= pythonScore.f1() - 1.5 / Math.max(1, reference.size()),
                        entry.getKey() + ": Java " + javaScore + " vs Python " + pythonScore);
                javaSum += javaScore.f1();
                pythonSum += pythonScore.f1();
                files++;
            }
        }
        table.append(String.format("%-26s %6s %6s %8.4f %8.4f%n", "mean", "", "", javaSum / files, pythonSum / files));
        System.out.println(table);
        assertTrue(files >= 7, "every corpus piano file is scored");
        assertTrue(javaSum / files >= pythonSum / files - 1e-3, "mean F1: Java " + javaSum / files + " vs Python " + pythonSum / files);
    }

    /** sha256 of the samples as 16-bit little-endian PCM, as the reference script hashes them. */
    static String pcmSha256(Audio audio) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(audio.samples().length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : audio.samples()) b.putShort((short) Math.round(s * 32768f));
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
    }
}
