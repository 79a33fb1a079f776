package dev.pianola.models.remi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pianola.ModelException;
import dev.pianola.PianolaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static dev.pianola.models.remi.RemiFixtures.DIR;
import static org.junit.jupiter.api.Assertions.*;

/** A missing, damaged or inconsistent tokenizer file is a ModelException that names the file and the problem. */
class RemiTokenizerFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static void expectProblem(Path file, String problem) {
        ModelException e = assertThrows(ModelException.class, () -> RemiTokenizer.load(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "expected \"" + problem + "\" in: " + e.getMessage());
        assertEquals(PianolaException.EXIT_MODEL, e.exitCode());
    }

    /** The given layout with one change made to the outer document or to the BPE model inside it. */
    private Path damaged(String layout, Consumer<ObjectNode> outer, Consumer<ObjectNode> model) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(DIR.resolve(layout).toFile());
        String key = root.has("_model") ? "_model" : "_bpe_model";
        ObjectNode inner = (ObjectNode) JSON.readTree(root.get(key).asText());
        model.accept(inner);
        root.put(key, JSON.writeValueAsString(inner));
        outer.accept(root);
        Path file = dir.resolve("damaged-" + layout);
        JSON.writeValue(file.toFile(), root);
        return file;
    }

    @Test
    void undamagedCopiesLoad() throws IOException {
        // the damaging helper itself must not break a file, or every test below would pass for the wrong reason
        for (String layout : RemiFixtures.LAYOUTS) {
            RemiTokenizer t = RemiTokenizer.load(damaged(layout, r -> {}, m -> {}));
            assertEquals(RemiTokenizer.load(DIR.resolve(layout)).vocabularySize(), t.vocabularySize());
        }
    }

    @Test
    void missingFile() {
        expectProblem(dir.resolve("tokenizer.json"), "not found");
    }

    @Test
    void notJson() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "PK\u0003\u0004 this is a zip, not JSON", StandardCharsets.ISO_8859_1);
        expectProblem(file, "not valid JSON");
        Files.writeString(file, "[1, 2, 3]");
        expectProblem(file, "not a JSON object");
        Files.writeString(file, "");
        expectProblem(file, "not a JSON object");
    }

    @Test
    void missingKeys() throws IOException {
        expectProblem(damaged("tokenizer.json", r -> r.remove("_model"), m -> {}), "no BPE model");
        expectProblem(damaged("tokenizer.conf", r -> r.remove("_bpe_model"), m -> {}), "no BPE model");
        expectProblem(damaged("tokenizer.json", r -> r.remove("_vocab_base"), m -> {}), "missing or empty _vocab_base");
        expectProblem(damaged("tokenizer.json", r -> r.remove("_vocab_base_byte_to_token"), m -> {}), "missing or empty _vocab_base_byte_to_token");
        expectProblem(damaged("tokenizer.json", r -> {}, m -> ((ObjectNode) m.get("model")).remove("merges")), "model.merges is missing");
        expectProblem(damaged("tokenizer.json", r -> {}, m -> ((ObjectNode) m.get("model")).remove("vocab")), "model.vocab is missing");
    }

    @Test
    void corruptModelString() throws IOException {
        expectProblem(damaged("tokenizer.json", r -> r.put("_model", "{\"model\": {\"type\": \"BPE\", "), m -> {}), "BPE model string is not valid JSON");
    }

    @Test
    void mergeReferencingAnUnknownToken() throws IOException {
        // "~" is the character of a base token, but no BPE token "~" + anything exists
        expectProblem(damaged("tokenizer.json", r -> {}, m -> ((ArrayNode) m.get("model").get("merges")).insertArray(0).add("~").add("!")),
                "merge 0");
        expectProblem(damaged("tokenizer.conf", r -> {}, m -> ((ArrayNode) m.get("model").get("merges")).add("~ !")),
                "references a token that is not in model.vocab");
        expectProblem(damaged("tokenizer.conf", r -> {}, m -> ((ArrayNode) m.get("model").get("merges")).add("no-space")),
                "expected \"a b\"");
    }

    @Test
    void inconsistentVocabulary() throws IOException {
        // a character mapped to another token than chr(id + 33) says
        expectProblem(damaged("tokenizer.json", r -> {
            ObjectNode b2t = (ObjectNode) r.get("_vocab_base_byte_to_token");
            String pitch60 = b2t.get(String.valueOf((char) (45 + 33))).asText();
            b2t.put(String.valueOf((char) (45 + 33)), b2t.get(String.valueOf((char) (46 + 33))).asText());
            b2t.put(String.valueOf((char) (46 + 33)), pitch60);
        }, m -> {}), "expected U+");
        // a base id used twice
        expectProblem(damaged("tokenizer.json", r -> ((ObjectNode) r.get("_vocab_base")).put("Pitch_60", 5), m -> {}), "repeated");
        // a BPE token made of a character that is no base token
        expectProblem(damaged("tokenizer.json", r -> {}, m -> {
            ObjectNode vocab = (ObjectNode) m.get("model").get("vocab");
            vocab.put("\u4e00", vocab.size());
        }), "vocabulary inconsistent");
        // the specials must be BPE ids 0..4, which the generation loop relies on
        expectProblem(damaged("tokenizer.json", r -> {}, m -> {
            ObjectNode vocab = (ObjectNode) m.get("model").get("vocab");
            int bos = vocab.get("#").asInt(), eos = vocab.get("$").asInt();
            vocab.put("#", eos);
            vocab.put("$", bos);
        }), "BPE id 2");
        // a token type the paper's REMI does not have
        expectProblem(damaged("tokenizer.json", r -> {
            ObjectNode base = (ObjectNode) r.get("_vocab_base");
            JsonNode id = base.remove("Position_31");
            base.set("Tempo_120", id);
            ((ObjectNode) r.get("_vocab_base_byte_to_token")).put(String.valueOf((char) (id.asInt() + 33)), "Tempo_120");
        }, m -> {}), "Tempo");
        expectProblem(damaged("tokenizer.json", r -> r.put("tokenization", "TSD"), m -> {}), "tokenization is TSD");
    }

    @Test
    void idOutsideTheVocabularyNamesTheFile() {
        Path file = DIR.resolve("tokenizer.json");
        RemiTokenizer t = RemiTokenizer.load(file);
        ModelException e = assertThrows(ModelException.class, () -> t.decode(new int[]{2, t.vocabularySize()}));
        assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().contains("outside the BPE vocabulary"), e.getMessage());
    }

    /**
     * Found by the remiMidi fuzz target: a note far out in time made a Bar token for every bar before
     * it (the encoding never ended); and a file of 1 tick per quarter failed with IllegalArgumentException.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD) // a hang guard
    void midiFilesREMICannotEncodeAreRefusedNamingTheFile() {
        RemiTokenizer t = RemiTokenizer.load(DIR.resolve("tokenizer.json"));
        Path found = dev.pianola.TestPaths.root().resolve("engine/src/test/resources/dev/pianola/fuzz/MidiFuzzTestInputs");
        for (String name : new String[] {"remiMidi/bars-without-end.mid", "smf/one-tick-per-quarter.mid"}) {
            Path file = found.resolve(name);
            dev.pianola.BadInputException e = assertThrows(dev.pianola.BadInputException.class, () -> t.encode(file), name);
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(name.endsWith("quarter.mid") ? "1 ticks per quarter" : "REMI encodes at most 20000 bars"), e.getMessage());
        }
    }
}
