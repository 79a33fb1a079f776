package dev.pianola.models.pop2piano;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.BadInputException;
import dev.pianola.ModelException;
import dev.pianola.TestPaths;
import dev.pianola.audio.Audio;
import dev.pianola.audio.AudioFiles;
import dev.pianola.models.pop2piano.Pop2PianoTokens.DecodedNote;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import org.jetbrains.bio.npy.NpzFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The whole Pop2Piano pipeline against Hugging Face's (tools/reference/pop2piano_model_fixtures.py):
 * real audio, essentia's beat times, the feature extractor, {@code generate} (greedy) of a tiny
 * random-weight model exported by tools/export/export_pop2piano.py, and {@code batch_decode}.
 */
class Pop2PianoModelTest {
    private static final double FEATURE_TOLERANCE = 1e-4;
    private static JsonNode fixture;
    private static Pop2PianoModel model;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(TestPaths.fixtures("pop2piano").resolve("model-tiny.json.gz")))) {
            fixture = new ObjectMapper().readTree(in);
        }
        model = Pop2PianoModel.open(TestPaths.fixtures("pop2piano").resolve("tiny"), OnnxSessions.Device.CPU);
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    private static Audio audioOf(JsonNode c) throws Exception {
        String file = c.get("file").asText();
        // the reference names corpus files as the repository sees them (../shared/corpus/...): skipped without the corpus
        int corpus = file.indexOf("corpus/");
        Path path = corpus >= 0 ? TestPaths.corpus(file.substring(corpus + 7)) : TestPaths.root().resolve(file);
        Audio a = AudioFiles.read(path);
        Audio cut = new Audio(Arrays.copyOf(a.samples(), c.get("samples").asInt()), a.sampleRate());
        assertEquals(c.get("sampling_rate").asInt(), cut.sampleRate(), file);
        ByteBuffer bytes = ByteBuffer.allocate(cut.samples().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : cut.samples()) bytes.putFloat(x);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
        assertEquals(c.get("samples_sha256").asText(), sha, file + ": not the samples the reference read");
        return cut;
    }

    private static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = a.get(i).asDouble();
        return d;
    }

    private static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) a.get(i).asDouble();
        return f;
    }

    private static int[][] tokens(JsonNode rows) {
        int[][] t = new int[rows.size()][];
        for (int r = 0; r < t.length; r++) {
            t[r] = new int[rows.get(r).size()];
            for (int c = 0; c < t[r].length; c++) t[r][c] = rows.get(r).get(c).asInt();
        }
        return t;
    }

    private static float[][][] referenceFeatures(String name) {
        try (NpzFile.Reader r = NpzFile.read(TestPaths.fixtures("pop2piano").resolve("model-tiny-features.npz"))) {
            return Pop2PianoFeaturesTest.cube(r.get(name, 1 << 26));
        }
    }

    @Test
    void featuresFromEssentiasBeatsMatchTheReference() throws Exception {
        for (JsonNode c : fixture.get("cases")) {
            String name = c.get("name").asText();
            Pop2PianoFeatures f = Pop2PianoFeatureExtractor.extract(audioOf(c), doubles(c.get("beat_times")));
            float[] bs = floats(c.get("beatsteps")), ext = floats(c.get("extrapolated_beatstep"));
            assertArrayEquals(bs, f.beatsteps(), 1e-6f, name + ": beatsteps");
            assertArrayEquals(ext, f.extrapolatedBeatstep(), 1e-6f, name + ": extrapolated_beatstep");
            float[][][] ref = referenceFeatures(name);
            assertEquals(ref.length, f.segments(), name + ": segments");
            assertEquals(ref[0].length, f.frames(), name + ": frames");
            double max = 0;
            for (int s = 0; s < ref.length; s++)
                for (int t = 0; t < ref[s].length; t++)
                    for (int m = 0; m < ref[s][t].length; m++) max = Math.max(max, Math.abs(ref[s][t][m] - f.inputFeatures()[s][t][m]));
            System.out.printf("pop2piano %s: %d segments x %d frames, max |features - reference| = %.2e%n", name, ref.length, ref[0].length, max);
            assertTrue(max <= FEATURE_TOLERANCE, name + ": features differ by " + max);
        }
    }

    @Test
    void greedyTokensEqualGenerateForEverySegment() {
        int rows = 0;
        for (JsonNode c : fixture.get("cases")) {
            float[][][] features = referenceFeatures(c.get("name").asText());
            for (JsonNode g : c.get("generations")) {
                String composer = g.get("composer").asText();
                int[][] expected = tokens(g.get("tokens"));
                // batches of 2 rows: chunking must not change a row (greedy decoding is row-independent)
                for (int batchRows : new int[] {Pop2PianoModel.DEFAULT_BATCH_ROWS, 2}) {
                    int[][] mine = model.generate(features, model.composerIndex(composer), batchRows, () -> false, Progress.NONE);
                    assertEquals(expected.length, mine.length, c.get("name").asText() + " " + composer);
                    for (int r = 0; r < expected.length; r++) {
                        assertArrayEquals(expected[r], mine[r], c.get("name").asText() + " " + composer + " row " + r + " (batch " + batchRows + ")");
                    }
                }
                rows += expected.length;
            }
        }
        assertEquals(18, rows);
    }

    @Test
    void theInt8PackageGeneratesOnnxRuntimePythonsGreedyTokens() throws IOException {
        // the reference for a quantized graph is ONNX Runtime on that graph, one segment at a time
        // (tools/reference/pop2piano_int8_fixtures.py): int8 rows depend on the rows decoded beside them
        JsonNode doc = new ObjectMapper().readTree(TestPaths.fixtures("pop2piano").resolve("generations-int8.json").toFile());
        int rows = 0;
        try (Pop2PianoModel int8 = Pop2PianoModel.open(TestPaths.fixtures("pop2piano").resolve("tiny-int8"), OnnxSessions.Device.CPU)) {
            assertEquals(dev.pianola.runtime.ModelManifest.INT8_DYNAMIC, int8.modelPackage().manifest().precision());
            for (JsonNode c : doc.get("cases")) {
                float[][][] features = referenceFeatures(c.get("name").asText());
                int[][] expected = tokens(c.get("tokens"));
                assertEquals(expected.length, features.length);
                for (int s = 0; s < features.length; s++) {
                    int[][] mine = int8.generate(new float[][][] {features[s]}, int8.composerIndex(c.get("composer").asText()), 1, () -> false, Progress.NONE);
                    assertArrayEquals(expected[s], mine[0], c.get("name").asText() + " segment " + s);
                    rows++;
                }
            }
        }
        assertEquals(9, rows);
    }

    @Test
    void decodedNotesEqualBatchDecode() {
        int notes = 0;
        for (JsonNode c : fixture.get("cases")) {
            float[] bs = floats(c.get("beatsteps")), ext = floats(c.get("extrapolated_beatstep"));
            for (JsonNode g : c.get("generations")) {
                String what = c.get("name").asText() + " " + g.get("composer").asText();
                assertTrue(g.has("notes"), what + ": the fixture should hold notes (an EOS in some row)");
                List<DecodedNote> mine = Pop2PianoTokens.decode(tokens(g.get("tokens")), ext, bs[0]);
                // multisets: the reference sorts with numpy's unstable argsort
                Map<List<Object>, Integer> expected = new HashMap<>(), actual = new HashMap<>();
                for (JsonNode n : g.get("notes")) {
                    expected.merge(List.of(n.get(0).asInt(), n.get(1).asInt(), (float) n.get(2).asDouble(), (float) n.get(3).asDouble()), 1, Integer::sum);
                }
                for (DecodedNote n : mine) actual.merge(List.of(n.pitch(), n.velocity(), n.startSeconds(), n.endSeconds()), 1, Integer::sum);
                assertEquals(expected, actual, what);
                notes += mine.size();
            }
        }
        assertTrue(notes >= 20, "too few notes to mean anything: " + notes);
    }

    @Test
    void composersAreTheTableOfThePackage() {
        assertEquals(21, model.composers().size());
        assertEquals("composer1", model.composers().get(0));
        assertEquals(0, model.composerIndex("composer1"));
        assertEquals(20, model.composerIndex("composer21"));
        BadInputException e = assertThrows(BadInputException.class, () -> model.composerIndex("composer22"));
        assertTrue(e.getMessage().contains("composer21"), e.getMessage());
    }

    @Test
    void aVocabularyWithAnotherLayoutIsRefused(@TempDir Path dir) throws IOException {
        Path vocab = dir.resolve("vocab.json");
        Files.writeString(vocab, "{\"0_TOKEN_SPECIAL\": 0, \"1_TOKEN_SPECIAL\": 1, \"60_TOKEN_NOTE\": 5}");
        ModelException e = assertThrows(ModelException.class, () -> Pop2PianoModel.checkVocabulary(vocab, 300));
        assertTrue(e.getMessage().contains("vocab.json"), e.getMessage());
        Path composers = dir.resolve("composers.json");
        Files.writeString(composers, "{\"composer1\": 2052, \"composer2\": 2054}");
        e = assertThrows(ModelException.class, () -> Pop2PianoModel.readComposers(composers));
        assertTrue(e.getMessage().contains("consecutive"), e.getMessage());
    }

    @Test
    void cancellingStopsDecoding() {
        float[][][] features = referenceFeatures("demo");
        int[] calls = {0};
        assertThrows(java.util.concurrent.CancellationException.class,
                () -> model.generate(features, 0, 32, () -> ++calls[0] > 3, Progress.NONE));
        // and the model is usable afterwards
        assertEquals(features.length, model.generate(features, 0, 32, () -> false, Progress.NONE).length);
        assertEquals(4, calls[0], "cancelled at the first check that said so");
    }

    /** A null in composers.json threw NullPointerException (exit 1); it is the model package's problem (exit 4). */
    @Test
    void nullsInComposersAndVocabularyAreModelProblems(@TempDir Path dir) throws IOException {
        Path composers = Files.writeString(dir.resolve("composers.json"), "{\"composer1\": null, \"composer2\": 2053}");
        ModelException e = assertThrows(ModelException.class, () -> Pop2PianoModel.readComposers(composers));
        assertTrue(e.getMessage().contains("maps 'composer1' to null"), e.getMessage());
        Path nothing = Files.writeString(dir.resolve("vocab.json"), "null");
        e = assertThrows(ModelException.class, () -> Pop2PianoModel.checkVocabulary(nothing, 10));
        assertTrue(e.getMessage().contains("is JSON null"), e.getMessage());
    }

    /** Found by the composers and vocab fuzz targets: Jackson's "type `java.lang.Integer`" reached the user. */
    @Test
    void aWrongKindOfValueIsSaidInWordsNotJavaTypes(@TempDir Path dir) throws IOException {
        Path composers = Files.writeString(dir.resolve("composers.json"), "{\"composer1\": \"composer18\"}");
        ModelException e = assertThrows(ModelException.class, () -> Pop2PianoModel.readComposers(composers));
        assertEquals(composers + ": is not a JSON object of composer name to token id: wrong kind of value at composer1 (expected a whole number)",
                e.getMessage());
    }
}
