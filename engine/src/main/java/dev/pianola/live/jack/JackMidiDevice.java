package dev.pianola.live.jack;

import dev.pianola.DeviceException;
import dev.pianola.live.InputEvent;
import dev.pianola.live.LiveSession;
import dev.pianola.live.MidiClock;
import dev.pianola.live.OutputEvent;
import dev.pianola.live.TransportSnapshot;
import org.jaudiolibs.jnajack.Jack;
import org.jaudiolibs.jnajack.JackClient;
import org.jaudiolibs.jnajack.JackException;
import org.jaudiolibs.jnajack.JackMidi;
import org.jaudiolibs.jnajack.JackOptions;
import org.jaudiolibs.jnajack.JackPort;
import org.jaudiolibs.jnajack.JackPortFlags;
import org.jaudiolibs.jnajack.JackPortType;
import org.jaudiolibs.jnajack.JackPosition;
import org.jaudiolibs.jnajack.JackPositionBits;
import org.jaudiolibs.jnajack.JackStatus;
import org.jaudiolibs.jnajack.JackTransportState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.lang.management.ManagementFactory;

/**
 * {@code pianola device}: a JACK client with a MIDI input {@code <name>:in} and a MIDI output
 * {@code <name>:out} that plays a {@link LiveSession} against JACK transport.
 *
 * <p>JACK's process thread does only what must happen in the cycle, as the plug-in's shim does:
 * it reads the transport (MIDI clock on {@code in} while it runs, see {@link MidiClock}; else bar,
 * beat and tempo from the timebase master's BBT; without a master, beats counted from frame 0 at a
 * fixed tempo in 4/4), stamps the note events on {@code in} with the beat of their frame and puts
 * the block (transport and notes, as numbers) into a ring; then it takes the notes the session
 * sent from a second ring into a table sorted by beat and writes those that fall in the block to
 * {@code out} at their own frame offsets. The session runs on a thread of its own
 * ({@code pianola-device}): it takes each block from the ring, calls {@link LiveSession#onBlock}
 * and puts the events it hands out (up to a bar ahead) into the note ring, with a CLEAR first when
 * the transport stopped or jumped (the table is then dropped; the session sends the note-offs
 * itself). A note the session was late with is written at the start of the next block.
 *
 * <p>The process thread never waits, sorts a list or runs the session; its rings and table are
 * arrays made when the device opens (full: the block or note is dropped and counted). It still
 * runs Java (JNAJack calls it), so a garbage collection can delay a cycle; what it allocates per
 * cycle is measured ({@link #processAllocatedBytes()}, in {@code --json}).
 */
public final class JackMidiDevice implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JackMidiDevice.class);
    /** Meter assumed when no timebase master says otherwise. */
    static final double FALLBACK_BAR_BEATS = 4;
    /** The transport frame may be off by this many blocks from where the last block ended before it counts as a jump. */
    static final int XRUN_TOLERANCE_BLOCKS = 4;

    /** Blocks the ring holds (at 64-frame periods, 1.3 s at 48 kHz) and the notes each may carry. */
    static final int BLOCK_RING = 1024, NOTES_PER_BLOCK = 64;
    /** Events the session may have handed out and the process thread not yet written. */
    static final int NOTE_RING = 4096, TABLE = 2048;

    /** What the device has done, for the status line and tests. */
    public record Counts(long cycles, long notesIn, long notesOut, long eventsDropped, long blocksDropped, LiveSession.Status session) {}

    private final JackClient client;
    private final JackPort in, out;
    private final LiveSession session;
    private final double fallbackBpm;
    private final int sampleRate;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String failure;

    // the process thread's own state
    private final JackPosition position = new JackPosition();
    private final JackMidi.Event event = new JackMidi.Event();
    private final byte[] inBytes = new byte[3], outBytes = new byte[3];
    /** Notes handed out by the session and not yet written, sorted by beat (note-offs first at one beat). */
    private final double[] heldBeats = new double[TABLE];
    private final int[] heldMessage = new int[TABLE];
    private int held;
    private volatile long processThreadId = -1;

    // block ring (process thread -> session thread): the block's transport and its notes, as numbers
    private final long[] bFrame = new long[BLOCK_RING];
    private final int[] bFrames = new int[BLOCK_RING], bNotes = new int[BLOCK_RING];
    private final double[] bRate = new double[BLOCK_RING], bSpeed = new double[BLOCK_RING], bBpm = new double[BLOCK_RING],
            bBeats = new double[BLOCK_RING], bBarStart = new double[BLOCK_RING], bBarBeats = new double[BLOCK_RING];
    private final double[] bNoteBeats = new double[BLOCK_RING * NOTES_PER_BLOCK];
    private final int[] bNoteMessage = new int[BLOCK_RING * NOTES_PER_BLOCK];
    private final AtomicLong blockHead = new AtomicLong(), blockTail = new AtomicLong();
    // note ring (session thread -> process thread): beat and message (status | data1 << 8 | data2 << 16), CLEAR = -1
    private static final int CLEAR = -1;
    private final double[] nBeats = new double[NOTE_RING];
    private final int[] nMessage = new int[NOTE_RING];
    private final AtomicLong noteHead = new AtomicLong(), noteTail = new AtomicLong();
    private final Thread sessionThread;
    private volatile boolean running = true;
    private long discontinuitiesSeen; // the session thread's
    /** MIDI clock on the input, on a frame count of this device's own (JACK's frame time wraps). */
    private final MidiClock midiClock;
    private long clockFrames;
    private volatile long clockMessages;
    private volatile boolean clockLeads;
    /** Where the master's BBT was last taken as it is, and the frame the next block starts on if nothing jumps. */
    private TransportSnapshot anchor;
    private boolean anchored;
    private long anchorNextFrame;
    private volatile long cycles, notesIn, notesOut, eventsDropped, blocksDropped;
    private volatile boolean lastRolling, lastHadBbt;
    private volatile double lastBpm;

    private JackMidiDevice(JackClient client, JackPort in, JackPort out, LiveSession session, double fallbackBpm, int sampleRate) {
        this.client = client;
        this.in = in;
        this.out = out;
        this.session = session;
        this.fallbackBpm = fallbackBpm;
        this.sampleRate = sampleRate;
        this.midiClock = new MidiClock(sampleRate);
        this.sessionThread = new Thread(this::sessionLoop, "pianola-device");
        this.sessionThread.setDaemon(true);
    }

    /**
     * Opens the JACK client {@code name} (exactly that name) with ports {@code in} and {@code out}
     * and starts it; {@code fallbackBpm} is the tempo when no timebase master gives one. The
     * session belongs to the caller, who closes it after this device.
     */
    public static JackMidiDevice open(String name, LiveSession session, double fallbackBpm) {
        if (!(fallbackBpm > 0 && fallbackBpm <= 1000)) throw new IllegalArgumentException("tempo must be 1..1000 BPM, got " + fallbackBpm);
        Jack jack = jack();
        JackQuiet.silenceLibjack();
        EnumSet<JackStatus> status = EnumSet.noneOf(JackStatus.class);
        JackClient client;
        try {
            client = jack.openClient(name, EnumSet.of(JackOptions.JackNoStartServer, JackOptions.JackUseExactName), status);
        } catch (JackException e) {
            // jackd 1.9 reports a taken exact name as a plain failure: a server that takes another client is running
            if (status.contains(JackStatus.JackNameNotUnique) || serverRunning(jack)) {
                throw new DeviceException("a JACK client named " + name + " is already running: choose another --name", e);
            }
            if (status.contains(JackStatus.JackServerFailed) || status.contains(JackStatus.JackFailure)) {
                throw new DeviceException("no JACK server" + serverName() + ": start one, e.g. jackd -d dummy", e);
            }
            throw new DeviceException("JACK would not open the client " + name + " (status " + status + ")", e);
        }
        JackMidiDevice device;
        try {
            JackPort in = client.registerPort("in", JackPortType.MIDI, JackPortFlags.JackPortIsInput);
            JackPort out = client.registerPort("out", JackPortType.MIDI, JackPortFlags.JackPortIsOutput);
            device = new JackMidiDevice(client, in, out, session, fallbackBpm, client.getSampleRate());
            client.setProcessCallback((c, frames) -> device.process(frames));
            client.onShutdown(c -> device.serverGone());
            device.sessionThread.start();
            client.activate();
        } catch (JackException e) {
            client.close();
            throw new DeviceException("JACK would not set up the ports of " + name + ": " + e.getMessage(), e);
        }
        return device;
    }

    private static Jack jack() {
        try {
            return Jack.getInstance();
        } catch (JackException | LinkageError e) {
            throw new DeviceException("the JACK library (libjack) is not installed: on Debian, apt-get install jackd2", e);
        }
    }

    private static boolean serverRunning(Jack jack) {
        try {
            JackClient probe = jack.openClient("pianola-probe", EnumSet.of(JackOptions.JackNoStartServer), EnumSet.noneOf(JackStatus.class));
            probe.close();
            return true;
        } catch (JackException e) {
            return false;
        }
    }

    private static String serverName() {
        String s = System.getenv("JACK_DEFAULT_SERVER");
        return s == null || s.isEmpty() ? "" : " named " + s;
    }

    /** The full name of the input port, e.g. {@code pianola:in}. */
    public String inputPort() {
        return in.getName();
    }

    public String outputPort() {
        return out.getName();
    }

    public int sampleRate() {
        return sampleRate;
    }

    /** Connects {@code source} (an output port of another client) to this device's input. */
    public void connectInput(String source) {
        connect(source, in.getName(), JackPortFlags.JackPortIsOutput, "--connect-in");
    }

    /** Connects this device's output to {@code destination} (an input port of another client). */
    public void connectOutput(String destination) {
        connect(out.getName(), destination, JackPortFlags.JackPortIsInput, "--connect-out");
    }

    private void connect(String source, String destination, JackPortFlags otherKind, String option) {
        String other = source.equals(in.getName()) || source.equals(out.getName()) ? destination : source;
        List<String> candidates;
        try {
            candidates = Arrays.asList(Jack.getInstance().getPorts(client, "", JackPortType.MIDI, EnumSet.of(otherKind)));
        } catch (JackException e) {
            throw new DeviceException("JACK would not list its ports: " + e.getMessage(), e);
        }
        if (!candidates.contains(other)) {
            List<String> others = new ArrayList<>();
            for (String p : candidates) if (!p.startsWith(client.getName() + ":")) others.add(p);
            throw new DeviceException(option + " " + other + ": no such JACK MIDI " + (otherKind == JackPortFlags.JackPortIsOutput ? "output" : "input")
                    + " port (there are: " + (others.isEmpty() ? "none" : String.join(", ", others)) + ")");
        }
        try {
            Jack.getInstance().connect(client, source, destination);
        } catch (JackException e) {
            throw new DeviceException(option + " " + other + ": JACK would not connect " + source + " to " + destination, e);
        }
    }

    /** JACK's process thread: one block. Returning false would take the client out of the graph. */
    private boolean process(int frames) {
        try {
            if (processThreadId < 0) processThreadId = Thread.currentThread().getId();
            cycles++;
            JackMidi.clearBuffer(out);
            TransportSnapshot jackTransport = snapshot(client.transportQuery(position), frames);
            // MIDI clock on the input, while it runs, leads; then JACK transport
            TransportSnapshot t = midiClock.active(clockFrames) ? midiClock.snapshot(clockFrames, frames) : jackTransport;
            clockLeads = t != jackTransport;
            lastRolling = t.rolling();
            lastBpm = t.bpm();
            publishBlock(t, frames);
            takeNotes();
            write(t, frames);
            clockFrames += frames;
            return true;
        } catch (Throwable e) {
            failure = "the device stopped: " + e;
            LOG.error("the JACK process callback failed", e);
            stopped.countDown();
            return false;
        }
    }

    /** The block's transport and input notes into the block ring (whole, or dropped and counted). */
    private void publishBlock(TransportSnapshot t, int frames) throws JackException {
        long head = blockHead.get();
        boolean room = head - blockTail.get() < BLOCK_RING;
        int slot = (int) (head & (BLOCK_RING - 1)), notes = 0;
        int n = JackMidi.getEventCount(in);
        for (int i = 0; i < n; i++) {
            JackMidi.eventGet(event, in, i);
            int size = event.size();
            if (size < 1 || size > 3) continue; // sysex and others: not notes
            event.read(inBytes);
            if (size == 1 || (inBytes[0] & 0xFF) == 0xF2) {
                if (midiClock.accept(clockFrames + event.time(), inBytes[0] & 0xFF, size > 1 ? inBytes[1] : 0, size > 2 ? inBytes[2] : 0)) clockMessages++;
                continue;
            }
            int status = inBytes[0] & 0xF0;
            if (status != 0x80 && status != 0x90) continue;
            if (status == 0x90 && size == 3 && inBytes[2] != 0) notesIn++;
            if (!room || notes == NOTES_PER_BLOCK) continue;
            bNoteBeats[slot * NOTES_PER_BLOCK + notes] = t.beats() + event.time() * t.beatsPerFrame();
            bNoteMessage[slot * NOTES_PER_BLOCK + notes] = (inBytes[0] & 0xFF) | (inBytes[1] & 0x7F) << 8 | (size == 3 ? inBytes[2] & 0x7F : 0) << 16;
            notes++;
        }
        if (!room) {
            blocksDropped++;
            return;
        }
        bFrame[slot] = t.frame();
        bFrames[slot] = frames;
        bRate[slot] = t.sampleRate();
        bSpeed[slot] = t.speed();
        bBpm[slot] = t.bpm();
        bBeats[slot] = t.beats();
        bBarStart[slot] = t.barStartBeats();
        bBarBeats[slot] = t.barBeats();
        bNotes[slot] = notes;
        blockHead.lazySet(head + 1); // release: the slot's contents before the head
        // no unpark here: it takes a lock and may make a system call; the session thread polls
    }

    /** The session's notes into the table, in beat order (a CLEAR drops the table first). */
    private void takeNotes() {
        long tail = noteTail.get(), head = noteHead.get();
        while (tail != head) {
            int slot = (int) (tail & (NOTE_RING - 1));
            int message = nMessage[slot];
            if (message == CLEAR) {
                eventsDropped += held;
                held = 0;
            } else if (held == TABLE) {
                eventsDropped++;
            } else {
                double beat = nBeats[slot];
                int at = held;
                while (at > 0 && before(beat, message, heldBeats[at - 1], heldMessage[at - 1])) at--;
                System.arraycopy(heldBeats, at, heldBeats, at + 1, held - at);
                System.arraycopy(heldMessage, at, heldMessage, at + 1, held - at);
                heldBeats[at] = beat;
                heldMessage[at] = message;
                held++;
            }
            tail++;
        }
        noteTail.lazySet(tail);
    }

    /** Table order: by beat; at one beat a note-off first, so a pitch struck again is not cut by its own release. */
    private static boolean before(double beat, int message, double otherBeat, int otherMessage) {
        if (beat != otherBeat) return beat < otherBeat;
        return !isNoteOn(message) && isNoteOn(otherMessage);
    }

    private static boolean isNoteOn(int message) {
        return (message & 0xF0) == 0x90 && (message >>> 16 & 0x7F) > 0;
    }

    /** Writes the held events that fall in this block at their frames, in order. */
    private void write(TransportSnapshot t, int frames) throws JackException {
        int written = 0, lastOffset = 0;
        double beatsPerFrame = t.beatsPerFrame();
        for (; written < held; written++) {
            double f = beatsPerFrame > 0 ? (heldBeats[written] - t.beats()) / beatsPerFrame : 0;
            if (t.rolling() && f >= frames - 0.5) break; // a later block's (stopped: everything goes now)
            int offset = Math.max(lastOffset, (int) Math.min(frames - 1, Math.max(0, Math.round(f))));
            int message = heldMessage[written];
            outBytes[0] = (byte) message;
            outBytes[1] = (byte) (message >>> 8);
            outBytes[2] = (byte) (message >>> 16);
            JackMidi.eventWrite(out, offset, outBytes, 3);
            lastOffset = offset;
            if (isNoteOn(message)) notesOut++;
        }
        if (written > 0) {
            System.arraycopy(heldBeats, written, heldBeats, 0, held - written);
            System.arraycopy(heldMessage, written, heldMessage, 0, held - written);
            held -= written;
        }
    }

    /** The session's thread: each block from the ring through the session, its events into the note ring. */
    private void sessionLoop() {
        List<InputEvent> input = new ArrayList<>();
        int idle = 0;
        while (running) {
            long tail = blockTail.get();
            if (tail == blockHead.get()) {
                // the process thread does not wake this one (that would lock on its side): it polls, briefly
                // after work, then every millisecond; answers are planned a bar ahead
                LockSupport.parkNanos(idle++ < 100 ? 50_000 : 1_000_000);
                continue;
            }
            idle = 0;
            int slot = (int) (tail & (BLOCK_RING - 1));
            try {
                TransportSnapshot t = new TransportSnapshot(bFrame[slot], bFrames[slot], bRate[slot], bSpeed[slot], bBpm[slot], bBeats[slot],
                        bBarStart[slot], bBarBeats[slot]);
                input.clear();
                for (int i = 0; i < bNotes[slot]; i++) {
                    int m = bNoteMessage[slot * NOTES_PER_BLOCK + i];
                    InputEvent e = InputEvent.ofMidi(bNoteBeats[slot * NOTES_PER_BLOCK + i], m & 0xFF, m >>> 8 & 0x7F, m >>> 16 & 0x7F);
                    if (e != null) input.add(e);
                }
                blockTail.lazySet(tail + 1); // copied out: the slot is the process thread's again
                List<OutputEvent> answer = session.onBlock(t, input);
                long jumps = session.status().discontinuities();
                if (jumps != discontinuitiesSeen) {
                    // a stop, loop or seek: what the process thread holds was planned for the old position
                    discontinuitiesSeen = jumps;
                    pushNote(0, CLEAR);
                }
                for (OutputEvent e : answer) pushNote(e.beats(), e.status() | e.data1() << 8 | e.data2() << 16);
            } catch (Throwable e) {
                failure = "the device stopped: " + e;
                LOG.error("the live session failed", e);
                stopped.countDown();
                return;
            }
        }
    }

    /** One note for the process thread; a full ring waits (bounded) for it to take some, then drops. */
    private void pushNote(double beats, int message) {
        long head = noteHead.get();
        long deadline = 0;
        while (head - noteTail.get() >= NOTE_RING) {
            if (deadline == 0) deadline = System.nanoTime() + 100_000_000L;
            if (System.nanoTime() > deadline || !running) {
                eventsDropped++;
                return;
            }
            LockSupport.parkNanos(200_000);
        }
        int slot = (int) (head & (NOTE_RING - 1));
        nBeats[slot] = beats;
        nMessage[slot] = message;
        noteHead.lazySet(head + 1);
    }

    /**
     * Bytes the JACK process thread has allocated so far (HotSpot's per-thread count), -1 before the
     * first cycle or where the JVM does not count: the figure the device's real-time claim rests on.
     */
    public long processAllocatedBytes() {
        long id = processThreadId;
        if (id < 0 || !(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean)) return -1;
        return bean.getThreadAllocatedBytes(id);
    }

    /**
     * The transport at the block's first frame. With BBT from a timebase master: its bar, beat,
     * tick, meter and tempo (bar 1 beat 1 is beat 0 of the session), taken as an anchor when the
     * transport starts, jumps (a frame more than a few blocks from where the last block ended), or
     * changes tempo or meter, and
     * carried on from there by frames, as an LV2 host's time:Position is. So a master whose ticks
     * are rounded each cycle (jack_transport's are) does not make the beat drift off the frames.
     * Without a master: beats counted from frame 0 at the fallback tempo, in 4/4.
     */
    TransportSnapshot snapshot(JackTransportState state, int frames) {
        boolean rolling = state == JackTransportState.JackTransportRolling || state == JackTransportState.JackTransportLooping;
        long frame = position.getFrame() & 0xFFFFFFFFL;
        double rate = position.getFrameRate() > 0 ? position.getFrameRate() : sampleRate;
        EnumSet<JackPositionBits> valid = position.getValid();
        TransportSnapshot t;
        boolean bbt = valid.contains(JackPositionBits.JackPositionBBT) && position.getBar() >= 1 && position.getBeat() >= 1
                && position.getTicksPerBeat() > 0 && position.getBeatsPerBar() > 0 && position.getBeatsPerMinute() > 0;
        if (bbt) {
            int unit = beatUnit(position.getBeatType());
            double barBeat = position.getBeat() - 1 + position.getTick() / position.getTicksPerBeat();
            t = TransportSnapshot.ofPosition(frame, frames, rate, rolling ? 1 : 0, position.getBar() - 1, barBeat,
                    position.getBeatsPerBar(), unit, position.getBeatsPerMinute());
            if (valid.contains(JackPositionBits.JackBBTFrameOffset) && position.getBbtOffset() != 0) {
                // the BBT is for a frame later than the block's first: step back to it
                double back = position.getBbtOffset() * t.bpm() / 60.0 / rate;
                t = new TransportSnapshot(frame, frames, rate, t.speed(), t.bpm(), t.beats() - back, t.barStartBeats(), t.barBeats());
            }
            // a cycle or two missed or repeated under load (an xrun) is no jump: the frames still tell the beat
            boolean follows = anchored && rolling && Math.abs(frame - anchorNextFrame) <= XRUN_TOLERANCE_BLOCKS * (long) frames && t.bpm() == anchor.bpm()
                    && t.barBeats() == anchor.barBeats() && t.sampleRate() == anchor.sampleRate();
            if (follows) {
                double beats = anchor.beats() + (frame - anchor.frame()) * anchor.bpm() / 60.0 / rate;
                t = new TransportSnapshot(frame, frames, rate, 1, anchor.bpm(), beats, anchor.barLineAtOrBefore(beats), anchor.barBeats());
            } else {
                // JACK's tick is an integer and masters advance it per cycle (jack_transport adds the
                // truncated ticks of the last period, and counts the "starting" cycle too), so a new
                // anchor's BBT can be a fraction of a beat off its frame, while the frame is exact. At
                // one tempo from frame 0 the frame gives the beat exactly: when the BBT agrees with it
                // to within a few periods, the frame is taken; a master with a real tempo map
                // disagrees by far more, and its BBT stands.
                double framesBeats = frame * t.bpm() / 60.0 / rate;
                if (Math.abs(framesBeats - t.beats()) <= XRUN_TOLERANCE_BLOCKS * (double) frames * t.bpm() / 60.0 / rate) {
                    double barBeats = t.barBeats();
                    t = new TransportSnapshot(frame, frames, rate, t.speed(), t.bpm(), framesBeats,
                            Math.floor(framesBeats / barBeats + 1e-9) * barBeats, barBeats);
                }
                if (rolling && anchored) LOG.debug("transport re-anchored at frame {} (expected {}): {}", frame, anchorNextFrame, t);
                anchor = t;
                anchored = rolling;
            }
            anchorNextFrame = frame + frames;
        } else {
            anchored = false;
            double beats = frame * fallbackBpm / 60.0 / rate;
            t = new TransportSnapshot(frame, frames, rate, rolling ? 1 : 0, fallbackBpm, beats,
                    Math.floor(beats / FALLBACK_BAR_BEATS) * FALLBACK_BAR_BEATS, FALLBACK_BAR_BEATS);
        }
        lastHadBbt = bbt;
        return t;
    }

    /** JACK's beat_type as a note value (4 = quarter); masters that leave it unset or odd get quarters. */
    static int beatUnit(float beatType) {
        int unit = Math.round(beatType);
        return unit >= 1 && unit <= 64 && Integer.bitCount(unit) == 1 && Math.abs(beatType - unit) < 1e-3 ? unit : 4;
    }

    private void serverGone() {
        failure = "the JACK server went away";
        stopped.countDown();
    }

    /** Waits up to {@code millis} for the device to fail (the server gone, the callback broken); true if it did. */
    public boolean awaitFailure(long millis) throws InterruptedException {
        return stopped.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Why the device stopped by itself, or null. */
    public String failure() {
        return failure;
    }

    /** Whether the transport rolled, and with a timebase master's BBT, in the latest block. */
    public boolean transportRolling() {
        return lastRolling;
    }

    public boolean transportHasBbt() {
        return lastHadBbt;
    }

    /** Whether MIDI clock on the input led the latest block, and how many clock messages came. */
    public boolean followsMidiClock() {
        return clockLeads;
    }

    public long clockMessages() {
        return clockMessages;
    }

    public double transportBpm() {
        return lastBpm;
    }

    /** Counts so far; the session's part is exact once the device is closed. */
    public Counts counts() {
        return new Counts(cycles, notesIn, notesOut, eventsDropped, blocksDropped, session.status());
    }

    /** Takes the client out of the graph and closes it; the session stays the caller's. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            client.deactivate();
        } finally {
            client.close();
            running = false;
            LockSupport.unpark(sessionThread);
            try {
                sessionThread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }
    }
}
