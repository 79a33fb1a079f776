package dev.pianola.models.basicpitch;

import ai.onnxruntime.OrtSession;
import dev.pianola.DeviceException;
import dev.pianola.ModelException;
import dev.pianola.PianolaException;
import dev.pianola.runtime.ModelStore;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.OnnxSessions.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** What a user sees when the model file is missing, damaged, or not Basic Pitch. */
class BasicPitchLoadingTest {
    @TempDir
    Path dir;

    private static ModelException expectModelError(Path file, Runnable load) {
        ModelException e = assertThrows(ModelException.class, load::run);
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertEquals(PianolaException.EXIT_MODEL, e.exitCode());
        return e;
    }

    @Test
    void missingModelInTheStoreSaysToRunSetup() {
        ModelStore store = new ModelStore(dir);
        Path expected = dir.resolve("basic-pitch/nmp.onnx");
        ModelException e = expectModelError(expected, store::basicPitch);
        assertTrue(e.getMessage().contains("./scripts/setup"), e.getMessage());
        expectModelError(expected, () -> BasicPitch.load(expected, Device.CPU));
    }

    @Test
    void wrongSha256IsRefused() throws IOException {
        Path file = dir.resolve("basic-pitch/nmp.onnx");
        Files.createDirectories(file.getParent());
        byte[] model = Files.readAllBytes(Fixtures.model());
        model[model.length / 2] ^= 1; // one flipped bit
        Files.write(file, model);
        ModelException e = expectModelError(file, () -> new ModelStore(dir).basicPitch());
        assertTrue(e.getMessage().contains("sha256") && e.getMessage().contains(ModelStore.BASIC_PITCH_SHA256), e.getMessage());
        // the intact file passes, and a changed file is hashed again, not taken from the cache
        Files.copy(Fixtures.model(), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(file, new ModelStore(dir).basicPitch());
        Files.writeString(file, "not a model");
        expectModelError(file, () -> new ModelStore(dir).basicPitch());
    }

    @Test
    void textFileIsNotAModel() throws IOException {
        Path file = Files.writeString(dir.resolve("nmp.onnx"), "this is not a model\n");
        ModelException e = expectModelError(file, () -> BasicPitch.load(file, Device.CPU));
        assertTrue(e.getMessage().contains("not a readable ONNX model"), e.getMessage());
    }

    @Test
    void truncatedModelIsRefused() throws IOException {
        byte[] model = Files.readAllBytes(Fixtures.model());
        Path file = Files.write(dir.resolve("nmp.onnx"), Arrays.copyOf(model, model.length / 3));
        expectModelError(file, () -> BasicPitch.load(file, Device.CPU));
    }

    @Test
    void unexpectedGraphNamesAndShapesAreRefused() {
        Path file = Fixtures.model();
        try (OrtSession session = OnnxSessions.open(file, Device.CPU, 1)) {
            ModelException name = expectModelError(file, () -> OnnxSessions.expectInput(session, file, "input_1", -1, 43844, 1));
            assertTrue(name.getMessage().contains("serving_default_input_2:0"), "lists the real inputs: " + name.getMessage());
            ModelException shape = expectModelError(file,
                    () -> OnnxSessions.expectOutput(session, file, BasicPitchConstants.OUTPUT_NOTE, -1, 172, 264));
            assertTrue(shape.getMessage().contains("shape"), shape.getMessage());
            ModelException rank = expectModelError(file,
                    () -> OnnxSessions.expectInput(session, file, BasicPitchConstants.INPUT, -1, 43844));
            assertTrue(rank.getMessage().contains("[-1, 43844, 1]"), rank.getMessage());
        } catch (ai.onnxruntime.OrtException e) {
            fail(e);
        }
    }

    @Test
    void cudaWithoutACudaRuntimeIsADeviceError() {
        Path file = Fixtures.model();
        if (OnnxSessions.cudaUnusableReason() == null) {
            try (BasicPitch onGpu = BasicPitch.load(file, Device.CUDA)) {
                assertEquals(file, onGpu.file());
            }
        } else {
            DeviceException e = assertThrows(DeviceException.class, () -> BasicPitch.load(file, Device.CUDA));
            assertEquals(PianolaException.EXIT_DEVICE, e.exitCode());
            assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().contains("CUDA"), e.getMessage());
            // AUTO falls back to the CPU
            try (BasicPitch auto = BasicPitch.load(file, Device.AUTO)) {
                assertEquals(Device.CPU, auto.device());
            }
        }
    }
}
