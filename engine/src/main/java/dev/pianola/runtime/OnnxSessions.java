package dev.pianola.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import dev.pianola.DeviceException;
import dev.pianola.ModelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Opens ONNX Runtime sessions from model files on a chosen execution provider, and checks that a
 * graph has the inputs and outputs its caller was written for. Every failure is a
 * {@link ModelException} naming the file, but CUDA asked for where it cannot run: a {@link DeviceException}.
 */
public final class OnnxSessions {
    /** Where a model runs. AUTO tries CUDA and falls back to the CPU with one warning line. */
    public enum Device { CPU, CUDA, AUTO }

    /** A dimension that may take any size (ORT reports symbolic dimensions as -1). */
    public static final long ANY = -1;

    private static final Logger LOG = LoggerFactory.getLogger(OnnxSessions.class);

    private OnnxSessions() {
    }

    /** The one ORT environment of the process (ORT allows only one). */
    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /**
     * Intra-op threads for a session: system property {@code pianola.threads} when set, else every
     * core up to 8 (more rarely helps the small graphs we run and starves the audio threads).
     */
    public static int defaultThreads() {
        int cores = Runtime.getRuntime().availableProcessors();
        return Math.max(1, Integer.getInteger("pianola.threads", Math.min(cores, 8)));
    }

    /** Whether this ONNX Runtime was built with the CUDA provider (the GPU build); not whether CUDA works here. */
    public static boolean cudaAvailable() {
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }

    /**
     * Why CUDA cannot be used in this process, or null while it may be. Set when the CUDA provider
     * itself does not start (its libraries, driver or GPU are missing), so that AUTO warns once and
     * every later model goes straight to the CPU instead of failing again graph by graph. A model
     * that fails on a working provider (GPU memory, an operator CUDA lacks) falls back on its own and
     * leaves CUDA to the others.
     */
    private static volatile String cudaUnusable;
    /** AUTO's fallback is said once per process, not once per graph or per model. */
    private static final AtomicBoolean warnedAuto = new AtomicBoolean();

    /** Why CUDA cannot be used in this process (null: it has not failed yet, or works). */
    public static String cudaUnusableReason() {
        // The CPU jar has no CUDA provider at all: no point in trying addCUDA.
        if (!cudaAvailable()) return "this is ONNX Runtime's CPU build, which has no CUDA (the GPU build: README, section GPU)";
        return cudaUnusable;
    }

    public static OrtSession open(Path file, Device device) {
        return open(file, device, defaultThreads());
    }

    /** A session and the device it actually runs on (AUTO resolved to CPU or CUDA). */
    public record Opened(OrtSession session, Device device) {}

    /** Opens {@code file} on {@code device} with {@code intraOpThreads} threads for the CPU provider. */
    public static OrtSession open(Path file, Device device, int intraOpThreads) {
        return openOn(file, device, intraOpThreads).session();
    }

    /**
     * As {@link #open(Path, Device, int)}, and says where the session runs. CUDA that cannot be used
     * is a {@link DeviceException} when asked for by name; AUTO then runs on the CPU and logs one
     * warning with the reason, once per process.
     */
    public static Opened openOn(Path file, Device device, int intraOpThreads) {
        if (!Files.isRegularFile(file)) throw new ModelException(file, "model file not found");
        if (intraOpThreads < 1) throw new IllegalArgumentException("intra-op threads must be >= 1: " + intraOpThreads);
        if (device == Device.CPU) return new Opened(onCpu(file, intraOpThreads), Device.CPU);
        String why = cudaUnusableReason();
        return why == null ? tryCuda(file, device, intraOpThreads) : notOnCuda(file, device, intraOpThreads, why);
    }

    /**
     * Opens {@code file} on CUDA, or says why not as {@link #openOn} does. Package-private for the
     * tests: on the CPU build, addCUDA fails here as on a GPU build whose CUDA libraries are missing.
     */
    static Opened tryCuda(Path file, Device device, int intraOpThreads) {
        try (OrtSession.SessionOptions options = options(intraOpThreads)) {
            try {
                options.addCUDA();
            } catch (OrtException | RuntimeException | LinkageError e) {
                // The GPU jar lists CUDA even where the CUDA 12 / cuDNN 9 libraries are missing: addCUDA then throws an
                // OrtException; a broken native install may surface as an UnsatisfiedLinkError or an IllegalStateException.
                OrtSession cpu = onCpu(file, intraOpThreads); // unreadable there too: the model's fault, not CUDA's
                String why = "CUDA did not start (" + reason(e) + "; it needs an NVIDIA GPU and driver, CUDA 12 and cuDNN 9)";
                cudaUnusable = why;
                return cudaFailed(file, device, cpu, why, true);
            }
            try {
                return new Opened(environment().createSession(file.toString(), options), Device.CUDA);
            } catch (OrtException | RuntimeException | LinkageError e) {
                // the provider started but this model does not run on it: only this model goes to the CPU
                OrtSession cpu = onCpu(file, intraOpThreads);
                return cudaFailed(file, device, cpu, "this model did not start on CUDA (" + reason(e) + ")", false);
            }
        } catch (OrtException e) {
            throw unreadable(file, e); // the session options themselves: nothing to do with CUDA
        }
    }

    /**
     * CUDA failed for {@code file}: AUTO runs it on the CPU session given (said once per process when
     * the provider failed, for each model when only this model did); CUDA by name is an error.
     */
    private static Opened cudaFailed(Path file, Device device, OrtSession cpu, String why, boolean providerFailed) {
        if (device == Device.AUTO && !providerFailed) {
            LOG.warn("running {} on the CPU: {}", file.getFileName(), why);
            return new Opened(cpu, Device.CPU);
        }
        if (device == Device.AUTO) return fallBack(file, cpu, why);
        try {
            cpu.close();
        } catch (OrtException ignored) {
            // it was only opened to tell a bad model from a bad CUDA
        }
        throw notUsable(file, why);
    }

    private static String reason(Throwable e) {
        return firstLine(e.getMessage() != null ? e.getMessage() : e.toString());
    }

    /** CUDA asked for by name is an error; AUTO runs on the CPU. */
    private static Opened notOnCuda(Path file, Device device, int intraOpThreads, String why) {
        if (device == Device.CUDA) throw notUsable(file, why);
        return fallBack(file, onCpu(file, intraOpThreads), why);
    }

    private static DeviceException notUsable(Path file, String why) {
        return new DeviceException(file + ": CUDA was asked for but cannot be used: " + why);
    }

    private static Opened fallBack(Path file, OrtSession cpu, String why) {
        if (warnedAuto.compareAndSet(false, true)) LOG.warn("running {} on the CPU: {}", file.getFileName(), why);
        return new Opened(cpu, Device.CPU);
    }

    private static OrtSession onCpu(Path file, int threads) {
        try {
            return create(file, threads);
        } catch (OrtException e) {
            throw unreadable(file, e);
        }
    }

    private static OrtSession create(Path file, int threads) throws OrtException {
        try (OrtSession.SessionOptions options = options(threads)) {
            return environment().createSession(file.toString(), options);
        }
    }

    private static OrtSession.SessionOptions options(int threads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return options;
    }

    private static ModelException unreadable(Path file, OrtException e) {
        return new ModelException(file, "not a readable ONNX model (" + firstLine(e.getMessage()) + ")", e);
    }

    /** Fails unless the graph has a float tensor input {@code name} of {@code shape} ({@link #ANY} matches any size). */
    public static void expectInput(OrtSession session, Path file, String name, long... shape) {
        try {
            expect(session.getInputInfo(), file, "input", name, shape);
        } catch (OrtException e) {
            throw new ModelException(file, "cannot read its inputs: " + e.getMessage(), e);
        }
    }

    /** Fails unless the graph has a float tensor output {@code name} of {@code shape}. */
    public static void expectOutput(OrtSession session, Path file, String name, long... shape) {
        try {
            expect(session.getOutputInfo(), file, "output", name, shape);
        } catch (OrtException e) {
            throw new ModelException(file, "cannot read its outputs: " + e.getMessage(), e);
        }
    }

    private static void expect(Map<String, NodeInfo> nodes, Path file, String kind, String name, long[] shape) {
        NodeInfo node = nodes.get(name);
        if (node == null) {
            throw new ModelException(file, "expected an " + kind + " named '" + name + "', the graph has " + nodes.keySet());
        }
        ValueInfo info = node.getInfo();
        if (!(info instanceof TensorInfo tensor) || tensor.type != ai.onnxruntime.OnnxJavaType.FLOAT) {
            throw new ModelException(file, kind + " '" + name + "' should be a float tensor, it is " + info);
        }
        long[] actual = tensor.getShape();
        boolean ok = actual.length == shape.length;
        for (int i = 0; ok && i < shape.length; i++) {
            ok = shape[i] == ANY || actual[i] == ANY || actual[i] == shape[i];
        }
        if (!ok) {
            throw new ModelException(file, kind + " '" + name + "' should have shape " + Arrays.toString(shape)
                    + " (-1 = any), it has " + Arrays.toString(actual));
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "unknown error";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
