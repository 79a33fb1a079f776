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
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code pianola device}: a JACK client with a MIDI input {@code <name>:in} and a MIDI output
 * {@code <name>:out} that plays a {@link LiveSession} against JACK transport.
 *
 * <p>Each JACK cycle (on JACK's process thread) it reads the transport, turns it into a
 * {@link TransportSnapshot} for the block (MIDI clock on {@code in} while it runs, see
 * {@link MidiClock}; else bar, beat and tempo from the timebase master's BBT; without a master,
 * beats counted from frame 0 at a fixed tempo in 4/4), stamps the note events
 * on {@code in} with the beat of their frame, calls {@link LiveSession#onBlock} (which never waits:
 * the engine runs on the session's inference worker) and writes the events that fall in the block
 * to {@code out} at their own frame offsets, in time order. The session hands events out up to a
 * bar ahead; the device holds them until their block, and drops what it holds when the transport
 * stops or jumps (the session then sends the note-offs itself).
 *
 * <p>The callback allocates little (a snapshot, the input events, the session's output list) and
 * never blocks. JNAJack keeps JACK's thread attached to the JVM, so a garbage collection can
 * still delay a cycle.
 */
public final class JackMidiDevice implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JackMidiDevice.class);
    /** At one beat a note-off goes first, so a pitch struck again is not cut by its own release. */
    private static final Comparator<OutputEvent> ORDER = Comparator.comparingDouble(OutputEvent::beats).thenComparing(OutputEvent::isNoteOn);
    /** Meter assumed when no timebase master says otherwise. */
    static final double FALLBACK_BAR_BEATS = 4;
    /** The transport frame may be off by this many blocks from where the last block ended before it counts as a jump. */
    static final int XRUN_TOLERANCE_BLOCKS = 4;

    /** What the device has done, for the status line and tests. */
    public record Counts(long cycles, long notesIn, long notesOut, long eventsDropped, LiveSession.Status session) {}

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
    private final List<InputEvent> input = new ArrayList<>();
    /** Events handed out by the session and not yet written, sorted by beat. */
    private final List<OutputEvent> held = new ArrayList<>();
    private long discontinuitiesSeen;
    /** MIDI clock on the input, on a frame count of this device's own (JACK's frame time wraps). */
    private final MidiClock midiClock;
    private long clockFrames;
    private volatile long clockMessages;
    private volatile boolean clockLeads;
    /** Where the master's BBT was last taken as it is, and the frame the next block starts on if nothing jumps. */
    private TransportSnapshot anchor;
    private boolean anchored;
    private long anchorNextFrame;
    private volatile long cycles, notesIn, notesOut, eventsDropped;
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
            cycles++;
            JackMidi.clearBuffer(out);
            TransportSnapshot jackTransport = snapshot(client.transportQuery(position), frames);
            // MIDI clock on the input, while it runs, leads; then JACK transport
            TransportSnapshot t = midiClock.active(clockFrames) ? midiClock.snapshot(clockFrames, frames) : jackTransport;
            clockLeads = t != jackTransport;
            lastRolling = t.rolling();
            lastBpm = t.bpm();
            input.clear();
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
                InputEvent e = InputEvent.ofMidi(t.beats() + event.time() * t.beatsPerFrame(), inBytes[0] & 0xFF, inBytes[1] & 0x7F, size == 3 ? inBytes[2] & 0x7F : 0);
                if (e == null) continue;
                if (e.pressed()) notesIn++;
                input.add(e);
            }
            List<OutputEvent> answer = session.onBlock(t, input);
            if (!answer.isEmpty()) {
                long jumps = session.status().discontinuities();
                if (jumps != discontinuitiesSeen) {
                    // a stop, loop or seek: what is held was planned for the old position
                    discontinuitiesSeen = jumps;
                    eventsDropped += held.size();
                    held.clear();
                }
                held.addAll(answer);
                held.sort(ORDER);
            }
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

    /** Writes the held events that fall in this block at their frames, in order. */
    private void write(TransportSnapshot t, int frames) throws JackException {
        int written = 0, lastOffset = 0;
        for (OutputEvent e : held) {
            double f = t.frameOffset(e.beats());
            if (t.rolling() && f >= frames - 0.5) break; // a later block's (stopped: everything goes now)
            int offset = Math.max(lastOffset, (int) Math.min(frames - 1, Math.max(0, Math.round(f))));
            outBytes[0] = (byte) e.status();
            outBytes[1] = (byte) e.data1();
            outBytes[2] = (byte) e.data2();
            JackMidi.eventWrite(out, offset, outBytes, 3);
            lastOffset = offset;
            if (e.isNoteOn()) notesOut++;
            written++;
        }
        if (written > 0) held.subList(0, written).clear();
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
        return new Counts(cycles, notesIn, notesOut, eventsDropped, session.status());
    }

    /** Takes the client out of the graph and closes it; the session stays the caller's. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            client.deactivate();
        } finally {
            client.close();
            stopped.countDown();
        }
    }
}
