package dev.pianola.models.remi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.TestPaths;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The miditok 2.0.6 reference made by tools/reference/remi_fixtures.py (see its docstring). */
final class RemiFixtures {
    private RemiFixtures() {
    }

    static final Path DIR = TestPaths.fixtures("remi");
    /** The three layouts of one trained tokenizer: MidiTok 2.0.6's own, the Hub's 2.1 upload, the Hub file today. */
    static final List<String> LAYOUTS = List.of("tokenizer-v2.0.6.conf", "tokenizer.conf", "tokenizer.json");

    private static JsonNode parity;

    static synchronized JsonNode parity() {
        if (parity == null) {
            try {
                parity = new ObjectMapper().readTree(DIR.resolve("remi_parity.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return parity;
    }

    static JsonNode file(String name) {
        for (JsonNode f : parity().get("files")) if (f.get("file").asText().equals(name)) return f;
        throw new IllegalArgumentException("no fixture for " + name);
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    /** Notes as the fixture writes them: [pitch, start tick, end tick, velocity]. */
    static List<List<Long>> rows(List<RemiNote> notes) {
        return notes.stream().map(n -> List.of((long) n.pitch(), n.startTick(), n.endTick(), (long) n.velocity())).toList();
    }

    static List<List<Long>> rows(JsonNode array) {
        return IntStream.range(0, array.size())
                .mapToObj(i -> IntStream.range(0, 4).mapToObj(j -> array.get(i).get(j).asLong()).toList()).toList();
    }

    /** The script's canonical text: ids joined by ","; notes' fields by ",", notes by ";". */
    static String sha256OfIds(int[] ids) {
        return sha256(IntStream.of(ids).mapToObj(Integer::toString).collect(Collectors.joining(",")));
    }

    static String sha256OfNotes(List<List<Long>> rows) {
        return sha256(rows.stream().map(r -> r.stream().map(Object::toString).collect(Collectors.joining(",")))
                .collect(Collectors.joining(";")));
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
