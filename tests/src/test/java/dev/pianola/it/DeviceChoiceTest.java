package dev.pianola.it;

import dev.pianola.runtime.OnnxSessions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * `--device` on a machine where CUDA cannot run (this build of ONNX Runtime has no CUDA): `cuda` is a
 * one-line device error (exit 5) and writes nothing, `auto` covers on the CPU with one warning line
 * saying why. Each run is its own JVM, as from the shell: AUTO warns once per process.
 */
class DeviceChoiceTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void onlyWithoutCuda() {
        // the GPU build may run CUDA here; `tools/bench/run gpu` checks a machine with it
        assumeFalse(OnnxSessions.cudaAvailable(), "this ONNX Runtime has CUDA");
    }

    @Test
    void cudaByNameIsAOneLineDeviceError() throws Exception {
        Path out = tmp.resolve("demo.mid");
        Cli.Run r = pianola("cover", Cli.example(), "-o", out, "--device", "cuda");
        assertEquals(5, r.exitCode(), r.toString());
        String line = r.err().strip();
        assertFalse(line.contains("\n"), "one line: " + r.err());
        assertTrue(line.startsWith("pianola: ") && line.contains("nmp.onnx") && line.contains("CUDA was asked for but cannot be used"), line);
        assertFalse(line.contains("Exception"), line);
        assertFalse(Files.exists(out), "no output when the device is refused");
    }

    @Test
    void autoRunsOnTheCpuWithOneWarningLine() throws Exception {
        Path out = tmp.resolve("demo.mid");
        Cli.Run r = pianola("cover", Cli.example(), "-o", out, "--device", "auto", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().replace(" ", "").contains("\"device\":\"cpu\""), r.out());
        List<String> cuda = r.err().lines().filter(l -> l.contains("CUDA")).toList();
        assertEquals(1, cuda.size(), r.err());
        assertTrue(cuda.get(0).startsWith("[WARN]") && cuda.get(0).contains("running nmp.onnx on the CPU: "), cuda.get(0));
        assertTrue(Files.size(out) > 0);
    }

    /** The other engines, whose packages hold one to three graphs: the same one error line, the same one warning. */
    @Test
    void everyNeuralEngineFallsBackOnceOrRefusesCuda() throws Exception {
        Path phrase = Cli.corpus("midi/piano/perceiver_prompt_1.mid"), fixtures = Cli.root().resolve("tests/fixtures");
        List<List<Object>> runs = List.of(
                List.of("continue", phrase, "--engine", "remi", "--model", fixtures.resolve("remi-model/tiny"), "--bars", 2, "--seed", 3),
                List.of("continue", phrase, "--engine", "perceiver", "--model", fixtures.resolve("perceiver-ar/tiny"), "--seconds", 2, "--seed", 3),
                List.of("cover", Cli.example(), "--engine", "pop2piano", "--model", fixtures.resolve("pop2piano/tiny"), "--bpm", 108));
        for (List<Object> run : runs) {
            Path out = tmp.resolve(run.get(3) + ".mid");
            List<Object> args = new ArrayList<>(run);
            args.addAll(List.of("-o", out, "--device", "cuda"));
            Cli.Run cuda = pianola(args.toArray());
            assertEquals(5, cuda.exitCode(), cuda.toString());
            assertTrue(cuda.err().strip().startsWith("pianola: ") && !cuda.err().strip().contains("\n")
                    && cuda.err().contains(".onnx: CUDA was asked for but cannot be used"), cuda.err());
            args.set(args.size() - 1, "auto");
            Cli.Run auto = pianola(args.toArray());
            assertEquals(0, auto.exitCode(), auto.toString());
            assertEquals(1, auto.err().lines().filter(l -> l.contains("CUDA")).count(), auto.err());
            assertTrue(Files.size(out) > 0);
        }
    }

    /** The CLI in a JVM of its own, on this test's class path, at the default log level. */
    private static Cli.Run pianola(Object... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Djava.awt.headless=true", "-Dpianola.root=" + Cli.root(),
                "-cp", System.getProperty("java.class.path"), "dev.pianola.cli.Main"));
        for (Object a : args) command.add(String.valueOf(a));
        Path stdout = Files.createTempFile("pianola-out", ".txt"), stderr = Files.createTempFile("pianola-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("pianola " + List.of(args) + " did not finish in 120 s");
            }
            return new Cli.Run(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8), Files.readString(stderr, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }
}
