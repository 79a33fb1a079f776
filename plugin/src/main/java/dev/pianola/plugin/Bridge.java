package dev.pianola.plugin;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the native shim calls (by JNI, from its starter thread and from the host's cleanup; never
 * from the audio thread). Nothing thrown here reaches the host: every Throwable is caught, logged
 * as one line on stderr (only java.base is used, so this works even when the bundle's lib/ jars
 * are missing) and turned into a return value the shim reports as status 3.
 *
 * <p>Class loading: Bridge, PluginInstance, the engine and its dependencies all live on the
 * system class path (pianola.jar and lib/, shared by every instance in the process). No
 * per-instance class loader: ONNX Runtime and JNA bind their JNI libraries to the first class
 * loader that loads them, so engine classes loaded a second time would fail in every instance but
 * the first; and what a loader would isolate here is static state, which these classes do not
 * keep per instance (an instance is an object with its own thread, worker, engine and session).
 */
public final class Bridge {
    private static final Map<Long, PluginInstance> INSTANCES = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_HANDLE = new AtomicLong();
    /** How long close waits for an instance's thread to stop before reporting that it did not. */
    private static final long CLOSE_TIMEOUT_MS = 3000;

    private Bridge() {}

    /**
     * Starts an instance over the shim's memory: the input ring (C to Java), the note ring (Java
     * to C), the audio ring (C to Java: the input samples) and the control block. Returns its
     * handle (> 0), or 0 when it could not start (logged).
     */
    public static long open(ByteBuffer input, ByteBuffer notes, ByteBuffer audio, ByteBuffer control, double sampleRate, String bundlePath) {
        try {
            long handle = NEXT_HANDLE.incrementAndGet();
            PluginInstance instance = PluginInstance.start(handle, input, notes, audio, control, sampleRate, bundlePath);
            INSTANCES.put(handle, instance);
            return handle;
        } catch (Throwable t) {
            log("the Java side could not start: " + oneLine(t));
            return 0;
        }
    }

    /** Stops the instance; true once its thread no longer touches the shared memory. */
    public static boolean close(long handle) {
        try {
            PluginInstance instance = INSTANCES.remove(handle);
            return instance == null || instance.close(CLOSE_TIMEOUT_MS);
        } catch (Throwable t) {
            log("closing instance " + handle + " failed: " + oneLine(t));
            return false;
        }
    }

    /** Instances open in this process (tests and diagnostics). */
    public static int openInstances() {
        return INSTANCES.size();
    }

    static void log(String line) {
        System.err.println("pianola: " + line);
    }

    /** A throwable as one line: its class and message, and the cause's. */
    static String oneLine(Throwable t) {
        StringBuilder s = new StringBuilder(t.toString());
        if (t.getCause() != null && t.getCause() != t) s.append(" (cause: ").append(t.getCause()).append(')');
        return s.toString().replace('\n', ' ');
    }
}
