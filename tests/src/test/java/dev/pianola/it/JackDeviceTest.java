package dev.pianola.it;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.jaudiolibs.jnajack.Jack;
import org.jaudiolibs.jnajack.JackClient;
import org.jaudiolibs.jnajack.JackException;
import org.jaudiolibs.jnajack.JackMidi;
import org.jaudiolibs.jnajack.JackOptions;
import org.jaudiolibs.jnajack.JackPort;
import org.jaudiolibs.jnajack.JackPortFlags;
import org.jaudiolibs.jnajack.JackPortType;
import org.jaudiolibs.jnajack.JackPosition;
import org.jaudiolibs.jnajack.JackStatus;
import org.jaudiolibs.jnajack.JackTransportState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pianola device} on a real JACK server (jackd's dummy driver, private server name).
 * JACK transport: jack_transport rolls it as timebase master at 120 BPM, jack_midiseq plays one
 * phrase into pianola:in; the answer must start in the first beat of the first bar line after the
 * phrase's end plus the silence, last at most its bars, and every note-on must sit exactly (to the
 * frame) on the Continuator's grid of 1/24 beat counted from the bar lines: at 120 BPM and 48 kHz a
 * grid step is 1000 frames, a bar 96000. MIDI clock: with the transport stopped, a clock sender's
 * Start and clocks lead, and the answer lands on the clock's grid.
 *
 * <p>The answers are recorded by a JACK client of the test's own that reads, in the cycle that
 * delivers each message, JACK's frame time and the transport frame (jack_midi_dump counts frames
 * from its own first cycle, a clock nothing else shares).
 */
class JackDeviceTest {
    static final int RATE = 48000, PERIOD = 256;
    static final double BPM = 120;
    static final int FRAMES_PER_BEAT = (int) (RATE * 60 / BPM); // 24000
    static final int GRID = FRAMES_PER_BEAT / 24, BAR = 4 * FRAMES_PER_BEAT;

    /** Cli.run swaps System.out while the device runs: the report goes to the real one. */
    static final java.io.PrintStream REPORT = System.out;
    /**
     * A private server name. Not one per process id: jackd registers each server name in a shared
     * table of 8 (/dev/shm/jack-shm-registry) and a server that dies without unregistering keeps its
     * slot until a server of the same name starts, so fresh names would fill it for every JACK user
     * of the machine. A few fixed names are tried instead, skipping ones a live server holds.
     */
    static String SERVER;
    static final List<Process> spawned = new ArrayList<>();
    static Path work;

    @BeforeAll
    static void startServer() throws Exception {
        assertTrue(onPath("jackd") && onPath("jack_midiseq"), "jackd2 is not installed (scripts/setup installs it)");
        work = Files.createTempDirectory("pianola-jack");
        for (int k = 0; k < 4 && SERVER == null; k++) {
            SERVER = "pianola-test-" + k;
            Process jackd = spawn(work.resolve("jackd.log"), "jackd", "-R", "-S", "-t", "5000", "-d", "dummy", "-r", String.valueOf(RATE), "-p", String.valueOf(PERIOD));
            Process wait = spawn(work.resolve("wait.log"), "jack_wait", "-w", "-t", "20");
            boolean up = wait.waitFor(30, TimeUnit.SECONDS) && wait.exitValue() == 0 && jackd.isAlive();
            if (!up && read(work.resolve("jackd.log")).contains("already active")) SERVER = null; // another test's: try the next name
            else assertTrue(up, "jackd did not come up: " + read(work.resolve("jackd.log")));
        }
        assertTrue(SERVER != null, "every test server name is in use: " + read(work.resolve("jackd.log")));
        // the device and the probe run in this JVM: libjack reads the server name from the C environment
        assertEquals(0, LibC.INSTANCE.setenv("JACK_DEFAULT_SERVER", SERVER, 1), "setenv JACK_DEFAULT_SERVER");
    }

    @AfterAll
    static void stopAll() throws Exception {
        // the server last: its clients first
        for (int i = spawned.size() - 1; i >= 0; i--) {
            Process p = spawned.get(i);
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) if (Files.isExecutable(Path.of(dir, tool))) return true;
        return false;
    }

    static Process spawn(Path log, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JACK_DEFAULT_SERVER", SERVER);
        Process p = pb.start();
        spawned.add(p);
        return p;
    }

    static int run(String... command) throws Exception {
        Process p = spawn(work.resolve("cmd.log"), command);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        return p.exitValue();
    }

    static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }

    /** Polls until a JACK port exists (bounded). */
    static void awaitPort(String port, long seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (run("jack_lsp", port) == 0 && read(work.resolve("cmd.log")).contains(port)) return;
            Thread.sleep(100);
        }
        throw new AssertionError("JACK port " + port + " did not appear within " + seconds + " s");
    }

    /** One recorded message: JACK frame time, the transport frame then (-1 when not rolling), which port. */
    record Event(long frameTime, long transportFrame, boolean noteOn, int status, int pitch, int port) {}

    /**
     * A JACK client recording its MIDI inputs with, for each message, its JACK frame time and the
     * transport frame of the same instant (both read in the cycle that delivered it). jack_midi_dump
     * counts frames from its own first cycle, a clock nothing else shares, so it cannot place notes
     * against the transport.
     */
    static final class Recorder implements AutoCloseable {
        final JackClient client;
        final JackPort[] ports;
        final JackPosition position = new JackPosition();
        final JackMidi.Event event = new JackMidi.Event();
        final byte[] bytes = new byte[3];
        final List<Event> events = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile int rollingCycles;

        Recorder(String name, String... portNames) throws JackException {
            client = Jack.getInstance().openClient(name, EnumSet.of(JackOptions.JackNoStartServer), EnumSet.noneOf(JackStatus.class));
            ports = new JackPort[portNames.length];
            for (int i = 0; i < ports.length; i++) ports[i] = client.registerPort(portNames[i], JackPortType.MIDI, JackPortFlags.JackPortIsInput);
            client.setProcessCallback((c, frames) -> {
                try {
                    boolean rolling = c.transportQuery(position) == JackTransportState.JackTransportRolling;
                    if (rolling) rollingCycles++;
                    long transport = position.getFrame() & 0xFFFFFFFFL, cycleStart = c.getLastFrameTime();
                    for (int p = 0; p < ports.length; p++) {
                        int n = JackMidi.getEventCount(ports[p]);
                        for (int i = 0; i < n; i++) {
                            JackMidi.eventGet(event, ports[p], i);
                            if (event.size() != 3) continue;
                            event.read(bytes);
                            int status = bytes[0] & 0xFF;
                            boolean on = (status & 0xF0) == 0x90 && bytes[2] != 0;
                            events.add(new Event(cycleStart + event.time(), rolling ? transport + event.time() : -1, on, status, bytes[1], p));
                        }
                    }
                } catch (JackException e) {
                    return false;
                }
                return true;
            });
            client.activate();
        }

        List<Event> on(int port) {
            synchronized (events) {
                return events.stream().filter(e -> e.port() == port).toList();
            }
        }

        @Override
        public void close() {
            client.deactivate();
            client.close();
        }
    }

    /**
     * A JACK client playing MIDI clock: Start, then a Timing Clock every {@code clockFrames} frames
     * (1000 = 120 BPM at 48 kHz), and notes at given beats of that clock; all on exact frames from
     * the first cycle after {@link #go}. The notes' frames are known, so the test knows every beat's frame.
     */
    static final class ClockSender implements AutoCloseable {
        final JackClient client;
        final JackPort port;
        final int clockFrames;
        final long[] noteFrames; // relative to the start
        final byte[][] notes;
        volatile long startFrameTime = -1;
        volatile boolean armed;
        long nextClock;
        int nextNote;

        ClockSender(int clockFrames, double[] noteBeats, int[][] noteMessages) throws JackException {
            this.clockFrames = clockFrames;
            noteFrames = new long[noteBeats.length];
            notes = new byte[noteBeats.length][];
            for (int i = 0; i < noteBeats.length; i++) {
                noteFrames[i] = Math.round(noteBeats[i] * 24 * clockFrames);
                notes[i] = new byte[] {(byte) noteMessages[i][0], (byte) noteMessages[i][1], (byte) noteMessages[i][2]};
            }
            client = Jack.getInstance().openClient("clocksender", EnumSet.of(JackOptions.JackNoStartServer), EnumSet.noneOf(JackStatus.class));
            port = client.registerPort("out", JackPortType.MIDI, JackPortFlags.JackPortIsOutput);
            client.setProcessCallback((c, frames) -> {
                try {
                    JackMidi.clearBuffer(port);
                    if (!armed) return true;
                    long cycle = c.getLastFrameTime();
                    if (startFrameTime < 0) {
                        startFrameTime = cycle;
                        JackMidi.eventWrite(port, 0, new byte[] {(byte) 0xFA}, 1);
                    }
                    long from = cycle - startFrameTime, to = from + frames;
                    // in time order: a note and a clock on one frame, the clock first
                    while (true) {
                        long clock = nextClock * clockFrames;
                        long note = nextNote < noteFrames.length ? noteFrames[nextNote] : Long.MAX_VALUE;
                        long at = Math.min(clock, note);
                        if (at >= to) break;
                        if (clock <= note) {
                            JackMidi.eventWrite(port, (int) (clock - from), new byte[] {(byte) 0xF8}, 1);
                            nextClock++;
                        } else {
                            JackMidi.eventWrite(port, (int) (note - from), notes[nextNote], 3);
                            nextNote++;
                        }
                    }
                } catch (JackException e) {
                    return false;
                }
                return true;
            });
            client.activate();
        }

        void go() {
            armed = true;
        }

        @Override
        public void close() {
            client.deactivate();
            client.close();
        }
    }

    /** Waits (bounded) until {@code done} holds, polling. */
    static void await(java.util.function.BooleanSupplier done, long seconds, String what) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
            Thread.sleep(20);
        }
    }

    static String grid(List<Long> frames, long from) {
        return frames.stream().map(f -> String.format(java.util.Locale.ROOT, "%.3f", (f - from) / (double) GRID)).toList().toString();
    }

    @Test
    void answersAPhraseOnTheTransportsBeatGrid() throws Exception {
        CompletableFuture<Cli.Run> device = CompletableFuture.supplyAsync(() -> Cli.run("device", "--seconds", 40, "--bars", 2, "--silence-beats", 2, "--json"));
        Process transport = null;
        try {
            awaitPort("pianola:out", 60);
            try (Recorder rec = new Recorder("recorder", "answer", "phrase")) {
                assertEquals(0, run("jack_connect", "pianola:out", "recorder:answer"));
                // timebase master at 120 BPM from transport frame 0; its stdin stays open so it stays master
                transport = spawn(work.resolve("transport.log"), "jack_transport");
                OutputStream tc = transport.getOutputStream();
                tc.write("master\ntempo 120\nlocate 0\nplay\n".getBytes(StandardCharsets.US_ASCII));
                tc.flush();
                // the phrase must reach a rolling transport
                await(() -> rec.rollingCycles > 50, 20, "jack_transport to roll the transport");
                // one phrase 3 s into a 20 s loop, so it plays once: six notes a quarter beat apart, the last one longer
                spawn(work.resolve("seq.log"), "jack_midiseq", "seq", "960000",
                        "144000", "60", "5000", "150000", "64", "5000", "156000", "67", "5000",
                        "162000", "72", "5000", "168000", "67", "5000", "174000", "64", "11000");
                awaitPort("seq:out", 20);
                assertEquals(0, run("jack_connect", "seq:out", "recorder:phrase"));
                assertEquals(0, run("jack_connect", "seq:out", "pianola:in"));
                await(() -> rec.on(1).size() >= 12, 30, "the phrase (6 notes) at the recorder");
                run("jack_disconnect", "seq:out", "pianola:in");
                // the answer: on the bar after the phrase and 2 beats of silence, 2 bars (4 s) long, handed out a bar ahead
                await(() -> rec.on(0).stream().anyMatch(Event::noteOn), 20, "an answer on pianola:out");
                Thread.sleep(5000);
                List<Event> phrase = rec.on(1).subList(0, 12), answer = rec.on(0);
                assertTrue(phrase.stream().allMatch(e -> e.transportFrame() >= 0), "the phrase reached a rolling transport: " + phrase);
                List<Long> onsets = answer.stream().filter(Event::noteOn).map(Event::transportFrame).toList();
                long phraseEnd = phrase.get(phrase.size() - 1).transportFrame();
                long answerBar = ((phraseEnd + 2L * FRAMES_PER_BEAT) / BAR + 1) * BAR; // phrase end + silence, then the next bar line
                REPORT.printf("JackDeviceTest: phrase transport frames %d..%d; answer bar line at %d; %d answer note-ons at transport frames %s%n",
                        phrase.get(0).transportFrame(), phraseEnd, answerBar, onsets.size(), onsets);
                REPORT.printf("JackDeviceTest: note-ons in grid steps (1/24 beat = %d frames) from that bar line: %s%n", GRID, grid(onsets, answerBar));
                assertFalse(onsets.isEmpty(), "no answer on pianola:out");
                for (long f : onsets) {
                    assertTrue(f >= answerBar && f < answerBar + 2L * BAR, "note-on at transport frame " + f + " is outside the answer's bars " + answerBar + ".." + (answerBar + 2L * BAR));
                    assertEquals(0, Math.floorMod(f - answerBar, (long) GRID), "note-on at transport frame " + f + " is off the 1/24-beat grid of the bar lines; onsets " + onsets);
                }
                assertTrue(onsets.get(0) < answerBar + FRAMES_PER_BEAT, "the answer did not start in the first beat of bar line " + answerBar + "; onsets " + onsets);
            }
        } finally {
            if (transport != null) {
                transport.getOutputStream().write("stop\nlocate 0\nquit\n".getBytes(StandardCharsets.US_ASCII));
                transport.getOutputStream().flush();
                transport.waitFor(5, TimeUnit.SECONDS);
            }
        }
        Cli.Run r = device.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("\"answersPlayed\":1"), r.toString());
    }

    /**
     * MIDI clock instead of JACK transport (stopped, no timebase master): a clock sender plays Start
     * and 24 clocks per beat at 120 BPM with a phrase on its beats; the device takes tempo and beat
     * from the clock, and its answer lands on the clock's bar lines and 1/24-beat grid, to the frame.
     */
    @Test
    void followsMidiClockOnItsInput() throws Exception {
        // phrase: beats 4, 4.5, 5, 5.5 (eighths), each a quarter beat long; its end (5.75) + 2 beats -> bar line 8
        double[] beats = {4, 4.25, 4.5, 4.75, 5, 5.25, 5.5, 5.75};
        int[][] messages = {{0x90, 60, 90}, {0x80, 60, 0}, {0x90, 62, 90}, {0x80, 62, 0}, {0x90, 64, 90}, {0x80, 64, 0}, {0x90, 67, 90}, {0x80, 67, 0}};
        CompletableFuture<Cli.Run> device = CompletableFuture.supplyAsync(() -> Cli.run("device", "--seconds", 16, "--bars", 1, "--silence-beats", 2, "--json", "--verbose"));
        awaitPort("pianola:out", 60);
        try (Recorder rec = new Recorder("clockrecorder", "answer");
             ClockSender clock = new ClockSender(GRID, beats, messages)) {
            assertEquals(0, run("jack_connect", "clocksender:out", "pianola:in"));
            assertEquals(0, run("jack_connect", "pianola:out", "clockrecorder:answer"));
            Thread.sleep(300); // a new connection joins the graph at a later cycle: Start must not go out before it
            clock.go();
            try {
                await(() -> rec.on(0).stream().anyMatch(Event::noteOn), 20, "an answer on pianola:out");
            } catch (AssertionError e) {
                StringBuilder threads = new StringBuilder();
                Thread.getAllStackTraces().forEach((t, st) -> {
                    threads.append("\n--- ").append(t.getName()).append(' ').append(t.getState());
                    for (int i = 0; i < Math.min(12, st.length); i++) threads.append("\n    ").append(st[i]);
                });
                REPORT.println("JackDeviceTest: threads at the timeout:" + threads);
                REPORT.println("JackDeviceTest: recorder saw " + rec.events);
                throw new AssertionError(e.getMessage() + "; the device said: " + device.get(30, TimeUnit.SECONDS), e);
            }
            Thread.sleep(2500); // the rest of the 1-bar answer (2 s)
            long start = clock.startFrameTime;
            List<Long> onsets = rec.on(0).stream().filter(Event::noteOn).map(e -> e.frameTime() - start).toList();
            long answerBar = 8L * FRAMES_PER_BEAT;
            REPORT.printf("JackDeviceTest (MIDI clock): answer note-ons at clock frames %s; in grid steps from bar line %d: %s%n", onsets, answerBar, grid(onsets, answerBar));
            assertFalse(onsets.isEmpty(), "no answer");
            for (long f : onsets) {
                assertTrue(f >= answerBar && f < answerBar + BAR, "note-on at clock frame " + f + " is outside the answer's bar " + answerBar + ".." + (answerBar + BAR) + "; " + onsets);
                assertEquals(0, Math.floorMod(f - answerBar, (long) GRID), "note-on at clock frame " + f + " is off the clock's 1/24-beat grid; " + onsets);
            }
        }
        Cli.Run r = device.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("\"answersPlayed\":1"), r.toString());
    }

    @Test
    void refusesANameAnotherClientHas() throws Exception {
        try (Recorder taken = new Recorder("pianola-taken", "in")) {
            Cli.Run r = Cli.run("device", "--name", "pianola-taken", "--seconds", 1);
            assertEquals(5, r.exitCode(), r.toString());
            assertTrue(r.err().contains("a JACK client named pianola-taken is already running"), r.toString());
        }
    }

    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int setenv(String name, String value, int overwrite);
    }
}
