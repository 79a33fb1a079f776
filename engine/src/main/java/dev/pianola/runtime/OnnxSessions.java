package dev.pianola.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import dev.pianola.ModelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Opens ONNX Runtime sessions from model files on a chosen execution provider, and checks that a
 * graph has the inputs and outputs its caller was written for. Every failure is a
 * {@link ModelException} naming the file.
 */
public final class OnnxSessions {
    /** Where a model runs. AUTO tries CUDA and falls back to the CPU with one log line. */
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

    public static boolean cudaAvailable() {
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
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

    /** As {@link #open(Path, Device, int)}, and says where the session runs. */
    public static Opened openOn(Path file, Device device, int intraOpThreads) {
        if (!Files.isRegularFile(file)) throw new ModelException(file, "model file not found");
        if (intraOpThreads < 1) throw new IllegalArgumentException("intra-op threads must be >= 1: " + intraOpThreads);
        boolean cuda = switch (device) {
            case CPU -> false;
            case CUDA -> {
                if (!cudaAvailable()) {
                    throw new ModelException(file, "CUDA was requested but this ONNX Runtime has no CUDA provider"
                            + " (build with the GPU profile, and check the CUDA and cuDNN libraries)");
                }
                yield true;
            }
            case AUTO -> cudaAvailable();
        };
        try {
            return new Opened(create(file, cuda, intraOpThreads), cuda ? Device.CUDA : Device.CPU);
        } catch (OrtException e) {
            if (cuda && device == Device.AUTO) {
                LOG.info("CUDA could not start for {} ({}); running on the CPU", file.getFileName(), e.getMessage());
                try {
                    return new Opened(create(file, false, intraOpThreads), Device.CPU);
                } catch (OrtException cpuFailure) {
                    throw unreadable(file, cpuFailure);
                }
            }
            throw cuda ? new ModelException(file, "could not start it on CUDA: " + e.getMessage(), e) : unreadable(file, e);
        }
    }

    private static OrtSession create(Path file, boolean cuda, int threads) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (cuda) options.addCUDA();
            return environment().createSession(file.toString(), options);
        }
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
