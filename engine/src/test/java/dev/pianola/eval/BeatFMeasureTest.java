package dev.pianola.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.TestPaths;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BeatFMeasureTest {
    private static final Path DIR = TestPaths.root().resolve("tests/fixtures/beats");

    @Test
    void followsMirEvalConventions() {
        double[] truth = {5.0, 5.5, 6.0, 6.5, 7.0};
        assertEquals(1.0, BeatFMeasure.f(truth, new double[] {1.0, 5.06, 5.5, 5.94, 6.5, 7.0}), 1e-12); // 1.0 s is trimmed
        assertEquals(2 * 0.8 * 0.8 / 1.6, BeatFMeasure.f(truth, new double[] {5.0, 5.5, 6.08, 6.5, 7.0}), 1e-12);
        assertEquals(0.0, BeatFMeasure.f(truth, new double[] {4.0}), 1e-12); // nothing left after trimming
        assertEquals(0.0, BeatFMeasure.f(new double[0], truth), 1e-12);
        // a beat exactly one window away still counts (mir_eval compares with <=); binary fractions keep it exact
        assertEquals(1.0, BeatFMeasure.score(new double[] {0.5}, new double[] {0.625}, 0, 0.125).f(), 1e-12);
        assertEquals(0.0, BeatFMeasure.score(new double[] {0.5}, new double[] {0.626}, 0, 0.125).f(), 1e-12);
    }

    /** Matching is one-to-one and maximum: a greedy "nearest reference" choice would lose a pair here. */
    @Test
    void countsAMaximumOneToOneMatching() {
        // estimate 10.00 hits both 9.95 and 10.05; estimate 10.11 hits only 10.05
        BeatFMeasure.Score s = BeatFMeasure.score(new double[] {9.95, 10.05}, new double[] {10.0, 10.11}, 5, 0.07);
        assertEquals(2, s.matches(), s.toString());
        // two estimates near one reference: one match, precision 1/2
        s = BeatFMeasure.score(new double[] {10.0}, new double[] {9.98, 10.02}, 5, 0.07);
        assertEquals(1, s.matches());
        assertEquals(0.5, s.precision(), 1e-12);
        assertEquals(1.0, s.recall(), 1e-12);
        // unsorted input scores as sorted (mir_eval expects sorted beats; we sort)
        assertEquals(1.0, BeatFMeasure.f(new double[] {6, 5, 7}, new double[] {7.01, 5.01, 6.01}), 1e-12);
    }

    /** The committed fixtures hold F-measures computed by mir_eval 0.7; ours must give the same numbers. */
    @Test
    void agreesWithMirEvalOnTheFixtures() throws IOException {
        ObjectMapper json = new ObjectMapper();
        int checked = 0;
        for (JsonNode clip : json.readTree(DIR.resolve("beats.json").toFile()).get("clips")) {
            assertEquals(clip.get("librosa").get("f_measure").asDouble(),
                    BeatFMeasure.f(doubles(clip.get("beats")), doubles(clip.get("librosa").get("beats"))), 1e-12, clip.get("file").asText());
            checked++;
        }
        for (JsonNode clip : json.readTree(DIR.resolve("essentia.json").toFile()).get("clips")) {
            assertEquals(clip.get("essentia").get("f_measure").asDouble(),
                    BeatFMeasure.f(doubles(clip.get("reference_beats")), doubles(clip.get("essentia").get("beats"))), 1e-12, clip.get("name").asText());
            checked++;
        }
        assertTrue(checked >= 11, checked + " clips");
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asDouble();
        return out;
    }
}
