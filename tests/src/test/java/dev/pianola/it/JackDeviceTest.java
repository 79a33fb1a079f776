package dev.pianola.it;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.jaudiolibs.jnajack.Jack;
import org.jaudiolibs.jnajack.JackClient;
import org.jaudiolibs.jnajack.JackException;
import org.jaudiolibs.jnajack.JackOptions;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pianola device} on a real JACK server (jackd's dummy driver, private server name):
 * jack_transport rolls the transport as timebase master at 120 BPM, jack_midiseq plays one phrase
 * into pianola:in, jack_midi_dump records pianola:out with absolute frames. The answer must come
 * after the phrase, start no earlier than the first bar line after the phrase's end plus the
 * silence, and every note-on must sit exactly (to the frame) on the Continuator's grid of 1/24
 * beat counted from the bar lines: at 120 BPM and 48 kHz a grid step is 1000 frames, a bar 96000.
 *
 * <p>jack_midi_dump stamps events in JACK's frame time; the transport frame (where the bar lines
 * are) is a different clock, which can even stall for a cycle under load. So the test also runs a
 * tiny JACK client that records, for every cycle, the frame time and the transport frame at its
 * start, and maps each recorded note-on to the transport frame of its own cycle.
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

    /** A JACK client that records frame time -> transport frame at the start of every cycle. */
    static final class ClockProbe implements AutoCloseable {
        final long[] frameTime = new long[1 << 15], transportFrame = new long[1 << 15];
        final boolean[] rolling = new boolean[1 << 15];
        volatile int cycles;
        final JackClient client;
        final JackPosition position = new JackPosition();

        ClockProbe() throws JackException {
            client = Jack.getInstance().openClient("clockprobe", EnumSet.of(JackOptions.JackNoStartServer), EnumSet.noneOf(JackStatus.class));
            client.setProcessCallback((c, frames) -> {
                try {
                    int i = cycles;
                    if (i < frameTime.length) {
                        rolling[i] = c.transportQuery(position) == JackTransportState.JackTransportRolling;
                        transportFrame[i] = position.getFrame() & 0xFFFFFFFFL;
                        frameTime[i] = c.getLastFrameTime();
                        cycles = i + 1;
                    }
                } catch (JackException e) {
                    return false;
                }
                return true;
            });
            client.activate();
        }

        /** The transport frame of a frame-time stamp, from the cycle it fell in; -1 if unknown or not rolling. */
        long transportFrameAt(long stamp) {
            int n = cycles;
            for (int i = n - 1; i >= 0; i--) {
                if (frameTime[i] <= stamp) return stamp - frameTime[i] < PERIOD && rolling[i] ? transportFrame[i] + (stamp - frameTime[i]) : -1;
            }
            return -1;
        }

        @Override
        public void close() {
            client.deactivate();
            client.close();
        }
    }

    record Event(long frame, boolean noteOn, int pitch) {}

    static final Pattern DUMP = Pattern.compile("^\\s*(\\d+):\\s+([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2})");

    static List<Event> dump(Path file) throws IOException {
        List<Event> events = new ArrayList<>();
        for (String line : read(file).split("\n")) {
            Matcher m = DUMP.matcher(line);
            if (!m.find()) continue;
            int status = Integer.parseInt(m.group(2), 16), velocity = Integer.parseInt(m.group(4), 16);
            events.add(new Event(Long.parseLong(m.group(1)), (status & 0xF0) == 0x90 && velocity > 0, Integer.parseInt(m.group(3), 16)));
        }
        return events;
    }

    @Test

    void answersAPhraseOnTheTransportsBeatGrid() throws Exception {
        CompletableFuture<Cli.Run> device = CompletableFuture.supplyAsync(() -> Cli.run("device", "--seconds", 40, "--bars", 2, "--silence-beats", 2, "--json"));
        ClockProbe probe = null;
        try {
            awaitPort("pianola:out", 60);
            probe = new ClockProbe();
            spawn(work.resolve("out.dump"), "jack_midi_dump", "-a", "outdump");
            spawn(work.resolve("in.dump"), "jack_midi_dump", "-a", "indump");
            awaitPort("outdump:input", 20);
            awaitPort("indump:input", 20);
            assertEquals(0, run("jack_connect", "pianola:out", "outdump:input"));
            // timebase master at 120 BPM from transport frame 0; its stdin stays open so it stays master
            Process transport = spawn(work.resolve("transport.log"), "jack_transport");
            OutputStream tc = transport.getOutputStream();
            tc.write("master\ntempo 120\nlocate 0\nplay\n".getBytes(StandardCharsets.US_ASCII));
            tc.flush();
            // one phrase 3 s into a 20 s loop, so it plays once: six notes a quarter beat apart, the last one longer
            spawn(work.resolve("seq.log"), "jack_midiseq", "seq", "960000",
                    "144000", "60", "5000", "150000", "64", "5000", "156000", "67", "5000",
                    "162000", "72", "5000", "168000", "67", "5000", "174000", "64", "11000");
            awaitPort("seq:out", 20);
            assertEquals(0, run("jack_connect", "seq:out", "pianola:in"));
            assertEquals(0, run("jack_connect", "seq:out", "indump:input"));
            // bounded wait for the answer: two bars (8 s at 120 BPM) after the phrase
            long end = System.nanoTime() + 30_000_000_000L;
            List<Event> in = List.of(), out = List.of();
            while (System.nanoTime() < end) {
                in = dump(work.resolve("in.dump"));
                out = dump(work.resolve("out.dump"));
                if (in.size() >= 12 && out.stream().anyMatch(Event::noteOn)) break;
                Thread.sleep(250);
            }
            Thread.sleep(5000); // the rest of the answer: 2 bars are 4 s at 120 BPM, handed out a bar ahead
            out = dump(work.resolve("out.dump"));
            run("jack_disconnect", "seq:out", "pianola:in");
            assertTrue(in.size() >= 12, "the phrase (6 notes) reached indump: " + in);
            in = in.subList(0, 12); // the loop is 20 s: later repeats are not this phrase
            List<Long> onsets = new ArrayList<>();
            for (Event e : out) {
                if (!e.noteOn()) continue;
                long t = probe.transportFrameAt(e.frame());
                assertTrue(t >= 0, "note-on at frame time " + e.frame() + " fell in no rolling cycle the probe saw");
                onsets.add(t);
            }
            assertFalse(onsets.isEmpty(), "no answer on pianola:out; device: " + device.getNow(null));
            long phraseEnd = probe.transportFrameAt(in.get(in.size() - 1).frame());
            long phraseStart = probe.transportFrameAt(in.get(0).frame());
            // phrase end + 2 beats of silence, then the next bar line
            long silenceOver = phraseEnd + 2L * FRAMES_PER_BEAT;
            long answerBar = (silenceOver / BAR + 1) * BAR;
            REPORT.printf("JackDeviceTest: phrase transport frames %d..%d; answer bar line at %d; %d answer note-ons at transport frames %s%n",
                    phraseStart, phraseEnd, answerBar, onsets.size(), onsets);
            REPORT.printf("JackDeviceTest: note-ons in grid steps (1/24 beat = %d frames) from that bar line: %s%n", GRID,
                    onsets.stream().map(f -> String.format(java.util.Locale.ROOT, "%.3f", (f - answerBar) / (double) GRID)).toList());
            REPORT.printf("JackDeviceTest: out dump %s; in dump %s%n", out, in);
            // every note-on on one grid of 1/24 beat, to the frame; that grid's phase against the frame-true bar
            // line (transport frame 0 after locate 0) within one period: jack_transport, the timebase master, hands
            // out its BBT for the first rolling cycle one cycle late, and the device anchors the beat there
            long phase = Math.floorMod(onsets.get(0) - answerBar, (long) GRID);
            for (long f : onsets) {
                assertTrue(f >= answerBar && f < answerBar + 2L * BAR, "note-on at transport frame " + f + " is outside the answer's bars " + answerBar + ".." + (answerBar + 2L * BAR));
                assertEquals(phase, Math.floorMod(f - answerBar, (long) GRID), "note-on at transport frame " + f + " is off the answer's 1/24-beat grid; onsets " + onsets);
            }
            assertEquals(0, phase, "the answer's grid is " + phase + " frames off the bar lines; onsets " + onsets);
        } finally {
            if (probe != null) probe.close();
        }
        Cli.Run r = device.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("\"answersPlayed\" : 1"), r.toString());
    }

    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int setenv(String name, String value, int overwrite);
    }
}
