package dev.pianola.models.basicpitch;

import dev.pianola.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.runtime.ModelStore;
import org.jetbrains.bio.npy.NpyArray;
import org.jetbrains.bio.npy.NpzFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads tests/fixtures/basic-pitch (made by tools/reference/basic_pitch_fixtures.py). */
final class Fixtures {
    private Fixtures() {
    }

    static Path root() {
        return TestPaths.root();
    }

    static Path dir() {
        return TestPaths.fixtures("basic-pitch");
    }

    /** The real model: the user's model store, else the shared copy next to the repository. */
    static Path model() {
        Path stored = ModelStore.locate().root().resolve(ModelStore.BASIC_PITCH_FILE);
        Path shared = root().resolve("../shared/models").resolve(ModelStore.BASIC_PITCH_FILE).normalize();
        Path chosen = Files.isRegularFile(stored) ? stored : shared;
        return ModelStore.verified(chosen, ModelStore.BASIC_PITCH_SHA256);
    }

    static float[][] matrix(String npz, String name) {
        try (NpzFile.Reader reader = NpzFile.read(dir().resolve(npz))) {
            NpyArray a = reader.get(name, 1 << 20);
            int[] shape = a.getShape();
            float[] flat = a.asFloatArray();
            float[][] m = new float[shape[0]][shape[1]];
            for (int r = 0; r < shape[0]; r++) System.arraycopy(flat, r * shape[1], m[r], 0, shape[1]);
            return m;
        }
    }

    static float[] vector(String npz, String name) {
        try (NpzFile.Reader reader = NpzFile.read(dir().resolve(npz))) {
            return reader.get(name, 1 << 20).asFloatArray();
        }
    }

    static JsonNode json(String file) {
        try {
            return new ObjectMapper().readTree(dir().resolve(file).toFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read fixture " + file, e);
        }
    }

    /** A note event as stored in the fixtures: [start_s, end_s, pitch, amplitude, bends or null]. */
    record Expected(double startSeconds, double endSeconds, int pitch, double amplitude, int[] bends) {}

    static List<Expected> events(String file) {
        List<Expected> out = new ArrayList<>();
        for (JsonNode e : json(file)) {
            JsonNode b = e.get(4);
            int[] bends = new int[b.isNull() ? 0 : b.size()];
            for (int i = 0; i < bends.length; i++) bends[i] = b.get(i).asInt();
            out.add(new Expected(e.get(0).asDouble(), e.get(1).asDouble(), e.get(2).asInt(), e.get(3).asDouble(), bends));
        }
        return out;
    }

    static double maxAbsDiff(float[][] a, float[][] b, int rows) {
        double max = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < a[r].length; c++) max = Math.max(max, Math.abs(a[r][c] - b[r][c]));
        }
        return max;
    }
}
