package dev.pianola.models.musicgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.TestPaths;
import org.jetbrains.bio.npy.NpyArray;
import org.jetbrains.bio.npy.NpzFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads what tools/reference/musicgen_fixtures.py wrote (tests/fixtures/musicgen): cases, arrays and their values. */
public final class MusicgenFixtures {
    public static final Path DIR = TestPaths.fixtures("musicgen");

    private MusicgenFixtures() {}

    /** A cases file (cases.json, stereo-cases.json, ...). */
    public static JsonNode cases(String file) {
        try {
            return new ObjectMapper().readTree(DIR.resolve(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every array of an npz file (arrays.npz, stereo-arrays.npz), by name. */
    public static Map<String, NpyArray> arrays(String file) {
        Map<String, NpyArray> arrays = new HashMap<>();
        try (NpzFile.Reader npz = NpzFile.read(DIR.resolve(file))) {
            for (var entry : npz.introspect()) arrays.put(entry.getName(), npz.get(entry.getName(), 1 << 26));
        }
        return arrays;
    }

    /** The case called {@code name} of a cases file. */
    public static JsonNode testCase(JsonNode cases, String name) {
        for (JsonNode c : cases.get("cases")) if (c.get("name").asText().equals(name)) return c;
        throw new AssertionError("no case " + name);
    }

    public static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asLong();
        return out;
    }

    public static long[][] longs2(JsonNode a) {
        long[][] out = new long[a.size()][];
        for (int i = 0; i < out.length; i++) out[i] = longs(a.get(i));
        return out;
    }

    public static long[][][] longs3(JsonNode a) {
        long[][][] out = new long[a.size()][][];
        for (int i = 0; i < out.length; i++) out[i] = longs2(a.get(i));
        return out;
    }

    public static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }
}
