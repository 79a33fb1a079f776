package dev.pianola.plugin;

import org.jaudiolibs.jnajack.Jack;
import org.jaudiolibs.jnajack.JackClient;
import org.jaudiolibs.jnajack.JackException;
import org.jaudiolibs.jnajack.JackMidi;
import org.jaudiolibs.jnajack.JackOptions;
import org.jaudiolibs.jnajack.JackPort;
import org.jaudiolibs.jnajack.JackPortFlags;
import org.jaudiolibs.jnajack.JackPortType;
import org.jaudiolibs.jnajack.JackStatus;

import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The instance's virtual MIDI port: a JACK client {@code Pianola-<n>} with one MIDI output
 * {@code notes}, which plays the notes the plug-in generated (not the player's MIDI passing
 * through) as the shim played them on the plug-in's own MIDI output, so any track or application
 * can take the piano part.
 *
 * <p>Timing: the shim reports every generated message it wrote with its frame on the host's
 * timeline (PLAYED records, after the BLOCK record of their block); a message goes out in the first
 * JACK cycle after Java has it, at its own offset within its host block. Each cycle carries one
 * host block's messages, so the messages of a block keep their spacing to the frame and blocks stay
 * in order. With a host on the same JACK server (blocks are JACK periods) the port runs a whole
 * number of periods behind the plug-in's output: one while Java keeps up, more after it fell behind
 * (it catches up in a cycle with nothing to send). No clock map to learn, so xruns (after which
 * JACK's frame time and the host's frame count part) cost nothing. A host whose blocks are not
 * JACK periods gets its messages at their offsets scaled to the period.
 *
 * <p>Threads: {@link #played} and {@link #blockEnded} come from the instance thread, the JACK
 * process callback reads; they share a single-producer single-consumer ring of arrays (no
 * allocation, no lock). JNAJack keeps JACK's thread attached to the JVM, so a garbage collection
 * can delay a cycle of this client: the host's own audio thread never waits for it.
 *
 * <p>No JACK server (or no libjack): {@link #open} returns null and says why once; the plug-in
 * works without the port. {@code PIANOLA_VIRTUAL_PORT=off} turns it off.
 */
final class VirtualMidiPort implements AutoCloseable {
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    /** Messages waiting for the JACK thread (a bar of dense chords is far fewer). */
    private static final int CAPACITY = 1 << 12;

    private final JackClient client;
    private final JackPort port;
    // ring: the message's host block (its end frame), its place in the block as a fraction, the message
    private final long[] blockEnd = new long[CAPACITY];
    private final double[] placeInBlock = new double[CAPACITY];
    private final int[] message = new int[CAPACITY];
    private final AtomicLong head = new AtomicLong(), tail = new AtomicLong();
    private final byte[] bytes = new byte[3];
    // the host block being played (instance thread only)
    private long currentBlockStart, currentBlockEnd = -1;
    private volatile long written, dropped, cyclesBehind;

    private VirtualMidiPort(JackClient client, JackPort port) {
        this.client = client;
        this.port = port;
    }

    /** Opens the port on the running JACK server, or returns null (and logs why) when there is none. */
    static VirtualMidiPort open(java.util.function.Consumer<String> log) {
        String setting = System.getenv("PIANOLA_VIRTUAL_PORT");
        if (setting != null && setting.equalsIgnoreCase("off")) return null;
        // the port is JACK's, which Linux hosts run; elsewhere (macOS: CoreMIDI, Windows: Windows MIDI
        // Services) it is not built yet, and loading libjack through JNA there is no use
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            log.accept("no virtual MIDI port on " + System.getProperty("os.name") + " yet (the plug-in's own MIDI output works)");
            return null;
        }
        String wanted = "Pianola-" + INSTANCES.incrementAndGet();
        JackClient client;
        try {
            // never start a server: a plug-in must not spawn jackd behind the host's back
            client = Jack.getInstance().openClient(wanted, EnumSet.of(JackOptions.JackNoStartServer), EnumSet.noneOf(JackStatus.class));
        } catch (JackException | LinkageError e) {
            log.accept("no virtual MIDI port: " + (e instanceof LinkageError ? "the JACK library (libjack) is not installed" : "no JACK server is running")
                    + " (the plug-in's own MIDI output works)");
            return null;
        }
        try {
            JackPort port = client.registerPort("notes", JackPortType.MIDI, JackPortFlags.JackPortIsOutput);
            VirtualMidiPort v = new VirtualMidiPort(client, port);
            client.setProcessCallback((c, frames) -> v.process(frames));
            client.activate();
            log.accept("virtual MIDI port " + port.getName());
            return v;
        } catch (JackException | RuntimeException e) {
            client.close();
            log.accept("no virtual MIDI port: JACK would not set it up (" + e.getMessage() + ")");
            return null;
        }
    }

    String portName() {
        return port.getName();
    }

    /** The host has run the block of {@code frames} frames that ends at host frame {@code endFrame}. */
    void blockEnded(long endFrame, int frames) {
        currentBlockStart = endFrame - frames;
        currentBlockEnd = endFrame;
    }

    /** The shim wrote this generated message at host frame {@code hostFrame} (in the last block ended). */
    void played(long hostFrame, int status, int data1, int data2) {
        long h = head.get();
        if (currentBlockEnd < 0 || hostFrame < currentBlockStart || hostFrame >= currentBlockEnd || h - tail.get() >= CAPACITY) {
            dropped++; // outside the block it should be in (a lost BLOCK record), or the JACK thread stalled
            return;
        }
        int i = (int) (h & (CAPACITY - 1));
        blockEnd[i] = currentBlockEnd;
        placeInBlock[i] = (hostFrame - currentBlockStart) / (double) (currentBlockEnd - currentBlockStart);
        message[i] = status & 0xFF | (data1 & 0x7F) << 8 | (data2 & 0x7F) << 16;
        head.lazySet(h + 1); // release: the slot is written
    }

    /** JACK's process thread: the oldest waiting host block's messages, at their places. Returning false would take the client out of the graph. */
    private boolean process(int frames) {
        try {
            JackMidi.clearBuffer(port);
            long t = tail.get(), h = head.get();
            if (t == h) return true;
            long block = blockEnd[(int) (t & (CAPACITY - 1))];
            int lastOffset = 0;
            while (t != h) {
                int i = (int) (t & (CAPACITY - 1));
                if (blockEnd[i] != block) break; // the next block's: the next cycle
                int m = message[i];
                bytes[0] = (byte) m;
                bytes[1] = (byte) (m >>> 8);
                bytes[2] = (byte) (m >>> 16);
                int at = Math.max(lastOffset, (int) Math.min(frames - 1, Math.floor(placeInBlock[i] * frames)));
                JackMidi.eventWrite(port, at, bytes, 3);
                lastOffset = at;
                written++;
                t++;
            }
            if (t != h) cyclesBehind++; // another block waits: this port is a cycle further behind
            tail.lazySet(t);
            return true;
        } catch (JackException | RuntimeException e) {
            return true; // a full port buffer loses this cycle's rest; the client stays
        }
    }

    /** One line for the log at close. */
    String counts() {
        return written + " messages on " + port.getName() + ", " + dropped + " dropped, " + cyclesBehind + " times a block waited a cycle";
    }

    @Override
    public void close() {
        try {
            client.deactivate();
        } finally {
            client.close();
        }
    }
}
