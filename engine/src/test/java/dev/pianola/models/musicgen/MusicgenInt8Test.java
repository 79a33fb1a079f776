package dev.pianola.models.musicgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pianola.ModelException;
import dev.pianola.TestPaths;
import dev.pianola.runtime.ModelManifest;
import dev.pianola.runtime.ModelPackage;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.runtime.SamplingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.pianola.models.musicgen.MusicgenFixtures.longs3;
import static dev.pianola.models.musicgen.MusicgenFixtures.strings;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The int8 MusicGen package (export_musicgen.py --precision int8) against ONNX Runtime's Python loop
 * on the same package (tools/reference/musicgen_int8_fixtures.py): it loads as int8-dynamic and its
 * greedy codes, with and without guidance, equal the reference's. The int8 codes are not the float32
 * model's (the fixture prints how many agree), so the float32 graph in its place fails this test.
 */
class MusicgenInt8Test {
    private static final Path DIR = TestPaths.fixtures("musicgen");
    private static final Path PACKAGE = DIR.resolve("tiny-int8");

    @Test
    void int8PackageGivesOnnxRuntimesCodes() throws IOException {
        JsonNode doc = new ObjectMapper().readTree(DIR.resolve("generations-int8.json").toFile());
        ModelPackage.VerifyReport report = ModelPackage.verify(PACKAGE);
        assertTrue(report.ok(), report.problem());
        assertEquals(ModelManifest.INT8_DYNAMIC, report.precision());
        try (MusicgenModel model = MusicgenModel.open(PACKAGE, OnnxSessions.Device.CPU)) {
            assertEquals(ModelManifest.INT8_DYNAMIC, model.modelPackage().manifest().precision());
            assertEquals(2, doc.get("cases").size());
            for (JsonNode c : doc.get("cases")) {
                int steps = c.get("max_new_tokens").asInt();
                MusicgenModel.Generation g = model.generate(strings(c.get("prompts")), null,
                        new MusicgenModel.Settings(steps, SamplingConfig.greedy(), 0, c.get("guidance_scale").asDouble()),
                        () -> false, Progress.NONE);
                assertArrayEquals(longs3(c.get("codes")), g.codes(), c.get("name").asText() + ": codes");
            }
        }
    }

    @Test
    void float16IsRefusedAsForTheOtherFamilies(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("fp16");
        Files.createDirectories(dir);
        try (var files = Files.list(PACKAGE)) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        ObjectMapper json = new ObjectMapper();
        Path manifest = dir.resolve(ModelManifest.FILE);
        ObjectNode m = (ObjectNode) json.readTree(manifest.toFile());
        m.put("precision", ModelManifest.FLOAT16);
        json.writeValue(manifest.toFile(), m);
        ModelException e = assertThrows(ModelException.class, () -> MusicgenModel.open(dir, OnnxSessions.Device.CPU));
        assertTrue(e.getMessage().contains("is a musicgen package in float16, which this build runs only in [float32, int8-dynamic]"),
                e.getMessage());
    }
}
