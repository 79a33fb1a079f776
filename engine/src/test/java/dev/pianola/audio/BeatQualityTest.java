package dev.pianola.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.TestPaths;
import dev.pianola.eval.BeatFMeasure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * BeatTracker next to essentia's RhythmExtractor2013 (the Pop2Piano reference's tracker) on the
 * synthetic clips with a known grid; essentia's figures come from tools/reference/beat_quality.py
 * (tests/fixtures/beats/essentia.json). The real songs are in tests/ (BeatQualityTest there).
 *
 * <p>Measured (F, mir_eval semantics: beats before 5 s trimmed, 70 ms window), Java / essentia:
 * rock_96 0.952 / 1.000, pop_123 1.000 / 1.000, fast_150 0.971 / 1.000, soft_110 0.000 / 0.000.
 * The three clips with drums must keep F >= 0.9 and stay within 0.1 of essentia. The soft clip
 * (struck chords, no drums) has no floor: neither tracker finds its beats within 70 ms (essentia
 * keeps a steady 90 ms late, Java settles at 107.7 BPM instead of 110 and drifts off the grid).
 */
class BeatQualityTest {
    private static final Path DIR = TestPaths.fixtures("beats");

    @Test
    void syntheticClipsAgainstEssentia() throws IOException {
        JsonNode fixture = new ObjectMapper().readTree(DIR.resolve("essentia.json").toFile());
        StringBuilder table = new StringBuilder(String.format("%n%-16s %8s %8s %9s %7s %7s%n", "clip", "ref BPM", "Java BPM", "ess. BPM", "F Java", "F ess."));
        int clips = 0;
        for (JsonNode clip : fixture.get("clips")) {
            if (!clip.get("kind").asText().equals("synthetic")) continue;
            String name = clip.get("name").asText();
            Audio audio = AudioFiles.read(DIR.resolve(clip.get("file").asText()));
            assertEquals(clip.get("sha256").asText(), pcm16Sha256(audio.samples()), name + ": not the samples essentia was scored on");
            double[] truth = doubles(clip.get("reference_beats"));
            Beats beats = BeatTracker.track(audio);
            double f = BeatFMeasure.f(truth, beats.beatSeconds());
            double essentia = clip.get("essentia").get("f_measure").asDouble();
            table.append(String.format("%-16s %8.2f %8.2f %9.2f %7.3f %7.3f%n", name, 60 / (truth[1] - truth[0]), beats.bpm(),
                    clip.get("essentia").get("bpm").asDouble(), f, essentia));
            // floors: see the class comment's figures
            if (!name.startsWith("soft")) {
                assertTrue(f >= 0.9, name + ": F " + f + " (essentia " + essentia + ")");
                assertTrue(f >= essentia - 0.1, name + ": F " + f + " clearly below essentia's " + essentia);
            }
            clips++;
        }
        System.out.println(table);
        assertEquals(4, clips);
    }

    /** sha256 of samples as 16-bit little-endian PCM, as tools/reference/beat_quality.py hashes them. */
    static String pcm16Sha256(float[] samples) {
        ByteBuffer b = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : samples) b.putShort((short) Math.round(s * 32768f));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asDouble();
        return out;
    }
}
