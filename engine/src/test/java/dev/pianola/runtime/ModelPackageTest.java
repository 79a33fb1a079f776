package dev.pianola.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pianola.ModelException;
import dev.pianola.PianolaException;
import dev.pianola.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Package checks on copies of the tiny GPT-2 package, each damaged in one way. */
class ModelPackageTest {
    private static final Path TINY = TestPaths.fixtures("gpt2").resolve("tiny");
    private static final Path TINY_INT8 = TestPaths.fixtures("gpt2").resolve("tiny-int8");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path copy(String name) throws IOException {
        return copy(TINY, name);
    }

    private Path copy(Path from, String name) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        return dir;
    }

    private static void editManifest(Path dir, Consumer<ObjectNode> edit) throws IOException {
        Path file = dir.resolve(ModelManifest.FILE);
        ObjectNode m = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(m);
        JSON.writeValue(file.toFile(), m);
    }

    private static String refused(Path dir) {
        ModelException e = assertThrows(ModelException.class, () -> ModelPackage.load(dir).close());
        assertEquals(PianolaException.EXIT_MODEL, e.exitCode());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void theTinyPackageVerifies() {
        ModelPackage.VerifyReport r = ModelPackage.verify(TINY);
        assertTrue(r.ok(), r.problem());
        assertEquals(dev.pianola.models.ModelFamilies.REMI.manifestFamily(), r.family());
        assertNull(r.problem());
        assertTrue(r.checked().stream().anyMatch(s -> s.startsWith("decoder.onnx: sha256 ok")), r.checked().toString());
        try (ModelPackage p = ModelPackage.load(TINY)) {
            assertEquals(512, p.manifest().vocabSize());
            assertEquals(2, p.config("n_layer"));
        }
    }

    @Test
    void aMissingFileIsNamed() throws IOException {
        Path dir = copy("missing");
        Files.delete(dir.resolve("decoder.onnx"));
        String m = refused(dir);
        assertTrue(m.contains("decoder.onnx") && m.contains("missing"), m);
        ModelPackage.VerifyReport r = ModelPackage.verify(dir);
        assertFalse(r.ok());
        assertEquals(m, r.problem());
    }

    @Test
    void aDamagedFileFailsItsSha256() throws IOException {
        Path dir = copy("damaged");
        Files.write(dir.resolve("decoder.onnx"), new byte[] {0}, StandardOpenOption.APPEND);
        String m = refused(dir);
        assertTrue(m.contains("decoder.onnx") && m.contains("sha256 is") && m.contains("expected"), m);
    }

    @Test
    void aWrongSha256InTheManifestIsRefused() throws IOException {
        Path dir = copy("wrong-sha");
        editManifest(dir, m -> ((ObjectNode) m.get("files").get(0)).put("sha256", "0".repeat(64)));
        String m = refused(dir);
        assertTrue(m.contains("decoder.onnx") && m.contains("expected " + "0".repeat(64)), m);
    }

    @Test
    void wrongOnnxInputNamesAreRefused() throws IOException {
        Path dir = copy("wrong-inputs");
        editManifest(dir, m -> {
            ArrayNode inputs = (ArrayNode) m.get("graphs").get("decoder").get("inputs");
            inputs.set(0, "input_idz");
        });
        String m = refused(dir);
        assertTrue(m.contains("decoder.onnx") && m.contains("declared but absent [input_idz]")
                && m.contains("present but undeclared [input_ids]"), m);
    }

    @Test
    void aWrongVocabularySizeIsRefused() throws IOException {
        Path dir = copy("wrong-vocab");
        editManifest(dir, m -> m.put("vocabSize", 20000));
        String m = refused(dir);
        assertTrue(m.contains("decoder.onnx") && m.contains("512 token ids wide") && m.contains("vocabSize 20000"), m);
    }

    @Test
    void anUnknownFamilyIsRefused() throws IOException {
        Path dir = copy("family");
        editManifest(dir, m -> m.put("family", "gpt5"));
        String m = refused(dir);
        assertTrue(m.contains(ModelManifest.FILE) && m.contains("unknown model family 'gpt5'"), m);
    }

    @Test
    void aFolderWithoutManifestIsRefused() throws IOException {
        Path dir = copy("no-manifest");
        Files.delete(dir.resolve(ModelManifest.FILE));
        assertTrue(refused(dir).contains(ModelManifest.FILE + ": missing"));
        Files.writeString(dir.resolve(ModelManifest.FILE), "{\"family\": ");
        assertTrue(refused(dir).contains("not a valid model manifest"));
    }

    @Test
    void aPackageWithoutPrecisionIsFloat32AndTheInt8OneSaysHowItWasMade() {
        try (ModelPackage p = ModelPackage.load(TINY)) {
            assertEquals(ModelManifest.FLOAT32, p.manifest().precision());
            assertNull(p.manifest().conversion());
        }
        ModelPackage.VerifyReport r = ModelPackage.verify(TINY_INT8);
        assertTrue(r.ok(), r.problem());
        assertEquals(ModelManifest.INT8_DYNAMIC, r.precision());
        assertTrue(r.checked().get(0).contains("precision int8-dynamic {tool=onnxruntime.quantization.quantize_dynamic"), r.checked().toString());
        try (ModelPackage p = ModelPackage.load(TINY_INT8)) {
            assertEquals("QInt8", p.manifest().conversion().get("weightType"));
            assertTrue(p.manifest().conversion().get("tool").toString().startsWith("onnxruntime.quantization.quantize_dynamic"));
        }
    }

    @Test
    void anUnknownPrecisionIsRefused() throws IOException {
        Path dir = copy("bf16");
        editManifest(dir, m -> m.put("precision", "bfloat16"));
        String m = refused(dir);
        assertTrue(m.contains(ModelManifest.FILE) && m.contains("unknown precision 'bfloat16'"), m);
    }

    @Test
    void aFamilyRefusesAPrecisionItDoesNotRun() throws IOException {
        // pop2piano runs float32 and int8 (its exporter writes no float16)
        Path dir = copy(TINY_INT8, "pop2piano-fp16");
        editManifest(dir, m -> {
            m.put("family", dev.pianola.models.ModelFamilies.POP2PIANO.manifestFamily());
            m.put("precision", ModelManifest.FLOAT16);
        });
        String m = refused(dir);
        assertTrue(m.contains(ModelManifest.FILE) && m.contains("is a pop2piano package in float16, which this build runs only in [float32, int8-dynamic]"), m);
    }

    @Test
    void aFloat16PackageVerifiesButIsRefusedOnTheCpu() throws IOException {
        // the manifest's word is enough: the CPU refusal is about where it runs, not the graph's bytes
        Path dir = copy("fp16");
        editManifest(dir, m -> m.put("precision", ModelManifest.FLOAT16));
        assertTrue(ModelPackage.verify(dir).ok());
        String m = refused(dir);
        assertTrue(m.contains(ModelManifest.FILE) && m.contains("float16 package, made for GPUs"), m);
    }

    @Test
    void listFindsInstalledPackagesAndTheirState() throws IOException {
        copy("store/gpt2/good");
        Path bad = copy("store/gpt2/bad");
        Files.delete(bad.resolve("decoder.onnx"));
        List<ModelPackage.Installed> found = ModelPackage.list(new ModelStore(tmp.resolve("store")), true);
        assertEquals(2, found.size());
        assertEquals(bad, found.get(0).dir());
        assertFalse(found.get(0).report().ok());
        assertTrue(found.get(1).report().ok(), found.get(1).report().problem());
        copy(TINY_INT8, "store/gpt2/int8");
        List<ModelPackage.Installed> listed = ModelPackage.list(new ModelStore(tmp.resolve("store")), false);
        assertEquals(List.of("float32", "float32", "int8-dynamic"), listed.stream().map(ModelPackage.Installed::precision).toList());
        assertTrue(ModelPackage.list(new ModelStore(tmp.resolve("nowhere")), false).isEmpty());
    }

    /** Found by the manifest fuzz target: JSON nulls where the manifest has objects threw NullPointerException (exit 1). */
    @Test
    void nullsInTheManifestAreRefusedAsModelProblems() throws IOException {
        List<Consumer<ObjectNode>> edits = List.of(
                m -> ((ObjectNode) m.get("graphs")).putNull("decoder"),
                m -> ((ArrayNode) m.get("files")).addNull(),
                m -> ((ArrayNode) ((ObjectNode) m.get("graphs").get("decoder")).get("inputs")).addNull(),
                m -> ((ObjectNode) m.get("generation")).put("temperature", -1.0),
                m -> ((ArrayNode) m.get("files")).insert(0, JSON.createObjectNode().put("path", "bad\u0000name").put("sha256", "0".repeat(64))));
        List<String> expected = List.of("graph 'decoder' is null", "the files list holds a null entry", "inputs and outputs, as names",
                "generation.temperature -1.0", "is not a valid path");
        for (int i = 0; i < edits.size(); i++) {
            Path dir = copy("nulls" + i);
            editManifest(dir, edits.get(i));
            String problem = refused(dir);
            assertTrue(problem.contains(expected.get(i)), problem);
            assertTrue(problem.contains(ModelManifest.FILE), problem);
        }
        Path dir = copy("null-manifest");
        Files.writeString(dir.resolve(ModelManifest.FILE), "null");
        assertTrue(refused(dir).contains("JSON null"));
    }

    /** One package with a broken manifest used to end all of {@code models list} with a NullPointerException. */
    @Test
    void listShowsAPackageWithNullsAsBrokenAndGoesOn() throws IOException {
        copy("store/gpt2/good");
        Path bad = copy("store/gpt2/nulls");
        editManifest(bad, m -> ((ObjectNode) m.get("graphs")).putNull("decoder"));
        for (boolean verify : new boolean[] {false, true}) {
            List<ModelPackage.Installed> found = ModelPackage.list(new ModelStore(tmp.resolve("store")), verify);
            assertEquals(2, found.size());
            assertFalse(found.get(1).report().ok());
            assertTrue(found.get(1).report().problem().contains("graph 'decoder' is null"), found.get(1).report().problem());
            assertEquals("gpt2-remi", found.get(0).family());
        }
    }
}
