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
 * through) exactly as the shim played them on the plug-in's own MIDI output, so any track or
 * application can take the piano part.
 *
 * <p>The shim reports every generated message it wrote with its frame on the host's timeline
 * (PLAYED records); this class maps host frames to JACK frames and writes each message one JACK
 * period after the host played it. The map is learned from the BLOCK records: when one arrives
 * (the host has just run that block), JACK's current frame time minus the block's end frame is
 * the host-to-JACK offset plus how late Java saw it; the smallest of the first blocks is taken.
 * Later blocks only tighten it, and only while the port is quiet (nothing queued, nothing played
 * for a second), so within an answer the spacing of the notes is the host's, to the frame, while
 * host and JACK run on one clock (a host on the same JACK server); Java is slowest in its first
 * blocks, just after it starts. The map is learned again if a message would fall in the past
 * (another clock drifted, an xrun, a restarted transport), which is counted.
 *
 * <p>Threads: {@link #played} and {@link #blockEnded} come from the instance thread, the JACK
 * process callback reads; they share a single-producer single-consumer ring of long arrays
 * (no allocation, no lock). JNAJack keeps JACK's thread attached to the JVM, so a garbage
 * collection can delay a cycle of this client: the host's own audio thread never waits for it.
 *
 * <p>No JACK server (or no libjack): {@link #open} returns null and says why once; the plug-in
 * works without the port. {@code PIANOLA_VIRTUAL_PORT=off} turns it off.
 */
final class VirtualMidiPort implements AutoCloseable {
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    /** Messages waiting for the JACK thread (a bar of dense chords is far fewer). */
    private static final int CAPACITY = 1 << 12;
    /** Blocks whose smallest lag becomes the clock map. */
    private static final int LEARN_BLOCKS = 32;

    private final JackClient client;
    private final JackPort port;
    private final double jackPerHostFrame;
    private final int periodFrames;
    // ring: JACK frame (low 32 bits meaningful) and the packed message
    private final long[] atJackFrame = new long[CAPACITY];
    private final int[] message = new int[CAPACITY];
    private final AtomicLong head = new AtomicLong(), tail = new AtomicLong();
    private final byte[] bytes = new byte[3];
    // the clock map, instance thread only
    private long offsetFrames;
    private int learnedBlocks;
    private long learningMinLag = Long.MAX_VALUE;
    /** Host frame of the last message played, for "quiet". */
    private long lastPlayedHostFrame = Long.MIN_VALUE / 2;
    private final long quietHostFrames;
    private volatile long written, late, dropped, relearned;
    /** Set by the JACK thread when a message came more than a period late: learn the map again. */
    private volatile boolean relearn;

    private VirtualMidiPort(JackClient client, JackPort port, double hostRate) throws JackException {
        this.client = client;
        this.port = port;
        this.jackPerHostFrame = client.getSampleRate() / hostRate;
        this.periodFrames = client.getBufferSize();
        this.quietHostFrames = Math.round(hostRate);
    }

    /** Opens the port on the running JACK server, or returns null (and logs why) when there is none. */
    static VirtualMidiPort open(double hostRate, java.util.function.Consumer<String> log) {
        String setting = System.getenv("PIANOLA_VIRTUAL_PORT");
        if (setting != null && setting.equalsIgnoreCase("off")) return null;
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
            VirtualMidiPort v = new VirtualMidiPort(client, port, hostRate);
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

    /** The host has just run the block that ends at host frame {@code endFrame}: a sample of the clock map. */
    void blockEnded(long endFrame) {
        if (relearn) {
            relearn = false;
            relearned++;
            learnedBlocks = 0;
            learningMinLag = Long.MAX_VALUE;
        }
        long lag;
        try {
            lag = client.getFrameTime() - Math.round(endFrame * jackPerHostFrame);
        } catch (JackException e) {
            return;
        }
        if (learnedBlocks >= LEARN_BLOCKS) {
            boolean quiet = head.get() == tail.get() && endFrame - lastPlayedHostFrame > quietHostFrames;
            if (quiet) offsetFrames = Math.min(offsetFrames, lag + 2L * periodFrames);
            return;
        }
        learningMinLag = Math.min(learningMinLag, lag);
        if (++learnedBlocks == LEARN_BLOCKS) {
            // the block ended at most `lag` frames ago; its first frame played one period before the
            // JACK cycle Java saw it in, and this client can write one period later still
            offsetFrames = learningMinLag + 2L * periodFrames;
        }
    }

    /** The shim wrote this generated message at host frame {@code hostFrame}. */
    void played(long hostFrame, int status, int data1, int data2) {
        if (learnedBlocks < LEARN_BLOCKS) {
            dropped++; // the first blocks after start: no clock map yet (the player has not played)
            return;
        }
        lastPlayedHostFrame = hostFrame;
        long h = head.get();
        if (h - tail.get() >= CAPACITY) {
            dropped++;
            return;
        }
        int i = (int) (h & (CAPACITY - 1));
        atJackFrame[i] = Math.round(hostFrame * jackPerHostFrame) + offsetFrames;
        message[i] = status & 0xFF | (data1 & 0x7F) << 8 | (data2 & 0x7F) << 16;
        head.lazySet(h + 1); // release: the slot is written
    }

    /** JACK's process thread. Returning false would take the client out of the graph. */
    private boolean process(int frames) {
        try {
            JackMidi.clearBuffer(port);
            long cycleStart = client.getLastFrameTime();
            long t = tail.get(), h = head.get();
            int lastOffset = 0;
            while (t != h) {
                int i = (int) (t & (CAPACITY - 1));
                long offset = (int) (atJackFrame[i] - cycleStart); // frame times are 32-bit and wrap
                if (offset >= frames) break; // a later cycle's
                if (offset < 0) {
                    late++;
                    if (offset < -frames) relearn = true; // more than a period behind: the map is wrong
                    offset = 0;
                }
                int m = message[i];
                bytes[0] = (byte) m;
                bytes[1] = (byte) (m >>> 8);
                bytes[2] = (byte) (m >>> 16);
                int at = (int) Math.max(offset, lastOffset);
                JackMidi.eventWrite(port, at, bytes, 3);
                lastOffset = at;
                written++;
                t++;
            }
            tail.lazySet(t);
            return true;
        } catch (JackException | RuntimeException e) {
            return true; // a full port buffer loses this cycle's rest; the client stays
        }
    }

    /** One line for the log at close. */
    String counts() {
        return written + " messages on " + port.getName() + ", " + late + " late, " + dropped + " dropped, clock map learned again " + relearned + " times";
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
