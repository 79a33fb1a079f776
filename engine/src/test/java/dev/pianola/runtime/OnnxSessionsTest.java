package dev.pianola.runtime;

import ai.onnxruntime.OrtException;
import dev.pianola.DeviceException;
import dev.pianola.ModelException;
import dev.pianola.PianolaException;
import dev.pianola.TestPaths;
import dev.pianola.runtime.OnnxSessions.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Where a session runs when CUDA cannot: AUTO on the CPU with the reason, CUDA by name a one-line
 * device error (exit 5), a bad model still a model error. On a machine where CUDA works the same
 * calls open on CUDA, and the tests check that instead.
 */
class OnnxSessionsTest {
    private static final Path MODEL = TestPaths.fixtures("gpt2").resolve("tiny/decoder.onnx");

    @TempDir
    Path dir;

    @Test
    void autoRunsOnTheCpuAndSaysWhyWhenCudaCannotRun() throws OrtException {
        OnnxSessions.Opened opened = OnnxSessions.openOn(MODEL, Device.AUTO, 1);
        try (var session = opened.session()) {
            String why = OnnxSessions.cudaUnusableReason();
            if (why == null) {
                assertEquals(Device.CUDA, opened.device());
                return;
            }
            assertEquals(Device.CPU, opened.device());
            assertFalse(why.contains("\n"), why);
            if (!OnnxSessions.cudaAvailable()) assertTrue(why.contains("CPU build"), why);
            assertFalse(session.getInputNames().isEmpty());
        }
    }

    @Test
    void cudaByNameIsAOneLineDeviceError() throws OrtException {
        if (OnnxSessions.cudaUnusableReason() == null) {
            try (var session = OnnxSessions.open(MODEL, Device.CUDA, 1)) {
                assertFalse(session.getInputNames().isEmpty());
            }
            return;
        }
        DeviceException e = assertThrows(DeviceException.class, () -> OnnxSessions.open(MODEL, Device.CUDA, 1));
        assertEquals(PianolaException.EXIT_DEVICE, e.exitCode());
        assertTrue(e.getMessage().startsWith(MODEL + ": CUDA was asked for but cannot be used: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** On the CPU build addCUDA throws as it does on the GPU build without its CUDA libraries: caught, said, CPU. */
    @Test
    void aFailingAddCudaFallsBackOrIsADeviceError() throws OrtException {
        org.junit.jupiter.api.Assumptions.assumeFalse(OnnxSessions.cudaAvailable(), "this ONNX Runtime has CUDA: addCUDA may well work, nothing to provoke");
        OnnxSessions.Opened opened = OnnxSessions.tryCuda(MODEL, Device.AUTO, 1);
        try (var session = opened.session()) {
            assertEquals(Device.CPU, opened.device());
        }
        DeviceException e = assertThrows(DeviceException.class, () -> OnnxSessions.tryCuda(MODEL, Device.CUDA, 1));
        assertEquals(PianolaException.EXIT_DEVICE, e.exitCode());
        String m = e.getMessage();
        assertTrue(m.startsWith(MODEL + ": CUDA was asked for but cannot be used: CUDA did not start (") && m.contains("CUDA 12 and cuDNN 9"), m);
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void aBrokenModelIsAModelErrorOnEveryDevice() throws IOException {
        byte[] model = Files.readAllBytes(MODEL);
        Path broken = Files.write(dir.resolve("decoder.onnx"), Arrays.copyOf(model, model.length / 3));
        for (Device device : Device.values()) {
            if (device == Device.CUDA && OnnxSessions.cudaUnusableReason() != null) continue; // the device is the first problem
            ModelException e = assertThrows(ModelException.class, () -> OnnxSessions.open(broken, device, 1), device.name());
            assertEquals(PianolaException.EXIT_MODEL, e.exitCode());
            assertTrue(e.getMessage().contains("not a readable ONNX model"), e.getMessage());
        }
        if (!OnnxSessions.cudaAvailable()) {
            // addCUDA fails first; the CPU cannot read it either: the model is at fault, not CUDA
            assertThrows(ModelException.class, () -> OnnxSessions.tryCuda(broken, Device.CUDA, 1));
        }
    }
}
