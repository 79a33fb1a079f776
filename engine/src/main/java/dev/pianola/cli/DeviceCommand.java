package dev.pianola.cli;

import dev.pianola.models.ModelFamilies;
import dev.pianola.models.ModelFamily;

import dev.pianola.BadInputException;
import dev.pianola.UsageException;
import dev.pianola.live.LiveEngine;
import dev.pianola.live.LiveEngines;
import dev.pianola.live.LiveParameters;
import dev.pianola.live.LiveSession;
import dev.pianola.live.jack.JackMidiDevice;
import dev.pianola.runtime.InferenceWorker;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.runtime.Seeds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

@Command(name = "device", sortOptions = false, mixinStandardHelpOptions = true,
        header = "Play along live, as a JACK MIDI device that answers what you play.",
        description = {"Opens the ports NAME:in and NAME:out, follows JACK transport, and answers what it hears on in with "
                + "continuations on out. When you stop playing (--silence-beats with no key held), the answer starts on the next bar "
                + "(or beat) and is in time with the transport; playing again cuts it off.",
                "",
                "Tempo and bars come from JACK's timebase master (a DAW, or: jack_transport, then master, tempo 120, play). With no "
                        + "master the transport still rolls, and the beat is counted from frame 0 at --bpm in 4/4. Nothing is played while "
                        + "the transport is stopped: press play. MIDI clock on the input (Start/Continue/Stop, 24 clocks a beat, Song "
                        + "Position) leads while it runs: tempo from the clocks, bars of 4/4 from Start. Without it, JACK transport.",
                "Runs until Ctrl-C (or SIGTERM, or --seconds), then closes its ports and prints what it did."},
        footer = {"", "Examples:",
                "  jackd -d dummy &                           # any JACK server; dummy needs no sound card",
                "  pianola device --connect-in a2j:keyboard --connect-out fluidsynth:midi_00",
                "  pianola device --bars 4 --start-on beat --temperature 0.7 --verbose",
                "  (echo master; echo tempo 100; echo play; cat) | jack_transport  # roll it",
                "",
                "Exit codes as for pianola; 5: a JACK problem (no server, no such port, the name taken)."})
final class DeviceCommand implements Callable<Integer> {
    @Option(names = "--name", paramLabel = "NAME", defaultValue = "pianola", description = "JACK client name; the ports are NAME:in and NAME:out (default ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--engine", paramLabel = "NAME", defaultValue = "continuator",
            completionCandidates = ContinueEngines.class,
            description = {"One of: ${COMPLETION-CANDIDATES}. continuator (the default) learns from what you play",
                    "and needs no model; the others are trained models and need --model."})
    String engine;

    @Option(names = "--model", paramLabel = "DIR", description = "The model package of a trained --engine (default: the installed one, see pianola models list; pianola models install NAME installs one).")
    Path model;

    @Option(names = "--bars", paramLabel = "N", defaultValue = "2", description = "Length of an answer in bars, 1..64 (default ${DEFAULT-VALUE}).")
    int bars;

    @Option(names = "--silence-beats", paramLabel = "B", defaultValue = "2",
            description = "Your phrase has ended after this many beats with no key held (default ${DEFAULT-VALUE}).")
    double silenceBeats;

    @Option(names = "--answer-on-bar", description = "Instead: a phrase ends at the first bar line after your last release.")
    boolean answerOnBar;

    @Option(names = "--start-on", paramLabel = "beat|bar", defaultValue = "bar",
            description = "The answer starts on the next bar line (default) or the next beat after your phrase.")
    String startOn;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1",
            description = "1 plays what you played makes likely; lower is safer, higher is freer, 0..10 (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--key-lock", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Keep answers in the key of your phrase (default on; --no-key-lock turns it off).")
    boolean keyLock;

    @Option(names = "--velocity-scale", paramLabel = "X", defaultValue = "1", description = "Answer velocities times X, more than 0 and at most 4 (default ${DEFAULT-VALUE}).")
    double velocityScale;

    @Option(names = "--follow", description = "Play along bar by bar while you play, instead of taking turns (no cut-off).")
    boolean follow;

    @Option(names = "--channel", paramLabel = "1-16", defaultValue = "1", description = "MIDI channel of the answer (default ${DEFAULT-VALUE}).")
    int channel;

    @Option(names = "--bpm", paramLabel = "BPM", defaultValue = "120",
            description = "Tempo when no JACK timebase master gives one (beats then count from frame 0, in 4/4; default ${DEFAULT-VALUE}).")
    double bpm;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of the first answer; each later one uses the next (default: a new one each session, printed when it starts).")
    Long seedGiven;

    @Option(names = "--connect-in", paramLabel = "PORT", description = "Connect this JACK MIDI output (e.g. a keyboard) to NAME:in once running; may repeat.")
    List<String> connectIn = new ArrayList<>();

    @Option(names = "--connect-out", paramLabel = "PORT", description = "Connect NAME:out to this JACK MIDI input (e.g. a synth) once running; may repeat.")
    List<String> connectOut = new ArrayList<>();

    @Option(names = "--seconds", paramLabel = "S", description = "Stop after S seconds (default: run until Ctrl-C or SIGTERM).")
    Double seconds;

    @Option(names = "--json", description = "Print a JSON summary on standard output when done.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Only errors: no status line.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "A status line whenever something changes, and stack traces on errors.")
    boolean verbose;

    LiveParameters parameters() {
        String which = engine.toLowerCase(Locale.ROOT);
        ModelFamily e = ModelFamilies.named(which, ModelFamily.Job.CONTINUE, "--engine");
        LiveParameters.Start start = switch (startOn.toLowerCase(Locale.ROOT)) {
            case "bar" -> LiveParameters.Start.BAR;
            case "beat" -> LiveParameters.Start.BEAT;
            default -> throw new BadInputException("--start-on " + startOn + ": expected beat or bar");
        };
        if (!e.needsPackage() && model != null) throw new UsageException("--model is for --engine " + ModelFamilies.packagedNames(ModelFamily.Job.CONTINUE));
        if (e.needsPackage() && model == null) model = dev.pianola.models.ModelCatalog.installedPackage(e);
        if (bars < 1 || bars > 64) throw new BadInputException("--bars " + bars + ": expected 1 to 64");
        if (!(silenceBeats > 0 && silenceBeats <= 64)) throw new BadInputException("--silence-beats " + silenceBeats + ": expected more than 0, at most 64");
        if (!(temperature >= 0 && temperature <= 10)) throw new BadInputException("--temperature " + temperature + ": expected 0 to 10");
        if (!(velocityScale > 0 && velocityScale <= 4)) throw new BadInputException("--velocity-scale " + velocityScale + ": expected more than 0, at most 4");
        if (channel < 1 || channel > 16) throw new BadInputException("--channel " + channel + ": expected 1 to 16");
        return new LiveParameters(e, bars, silenceBeats, answerOnBar, start, temperature, keyLock, velocityScale, follow, channel - 1, seedGiven != null ? seedGiven : Seeds.fresh());
    }

    @Override
    public Integer call() throws Exception {
        LiveParameters p = parameters();
        if (!(bpm >= 1 && bpm <= 1000)) throw new BadInputException("--bpm " + bpm + ": expected 1 to 1000");
        if (seconds != null && !(seconds > 0)) throw new BadInputException("--seconds " + seconds + ": expected more than 0");
        if (name.isEmpty() || name.contains(":") || name.length() > 60) {
            throw new BadInputException("--name " + name + ": expected 1 to 60 characters, no ':'");
        }
        InferenceWorker worker = new InferenceWorker("device-" + p.engine().name().toLowerCase(Locale.ROOT), () -> { });
        LiveEngine liveEngine = null;
        LiveSession session = null;
        JackMidiDevice device = null;
        CountDownLatch stop = new CountDownLatch(1), finished = new CountDownLatch(1);
        // Ctrl-C / SIGTERM: the main thread closes the client; the JVM waits (bounded) for it
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                finished.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pianola-device-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            // a model loads on the thread that will run it, on the GPU when one works (as in the plug-in)
            liveEngine = worker.submit((cancelled, progress) -> LiveEngines.open(p.engine(), model, OnnxSessions.Device.AUTO), Progress.NONE).get();
            session = new LiveSession(worker, liveEngine, p);
            device = JackMidiDevice.open(name, session, bpm);
            for (String port : connectIn) device.connectInput(port);
            for (String port : connectOut) device.connectOutput(port);
            if (!quiet) System.err.printf(Locale.ROOT, "pianola: device %s and %s at %d Hz, engine %s, seed %d; waiting for the transport to roll%s%n",
                    device.inputPort(), device.outputPort(), device.sampleRate(), p.engine().name().toLowerCase(Locale.ROOT), p.seed(),
                    seconds == null ? " (Ctrl-C to stop)" : String.format(Locale.ROOT, " (for %s s)", seconds));
            long deadline = seconds == null ? Long.MAX_VALUE : System.nanoTime() + (long) (seconds * 1e9);
            String shown = "";
            // what JACK's process thread allocates per cycle, from 2 s in (after the JIT's first compiles)
            long baseBytes = -1, baseCycles = 0;
            final long warm = System.nanoTime() + 2_000_000_000L;
            while (!stop.await(Math.max(1, Math.min(250, (deadline - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS)) {
                if (device.failure() != null || System.nanoTime() >= deadline) break;
                if (baseBytes < 0 && System.nanoTime() > warm) {
                    baseCycles = device.counts().cycles();
                    baseBytes = device.processAllocatedBytes();
                }
                if (verbose) {
                    String line = statusLine(device);
                    if (!line.equals(shown)) System.err.println(line);
                    shown = line;
                }
            }
            long endCycles = device.counts().cycles(), endBytes = device.processAllocatedBytes();
            Double bytesPerCycle = baseBytes >= 0 && endBytes >= 0 && endCycles > baseCycles ? (endBytes - baseBytes) / (double) (endCycles - baseCycles) : null;
            String failure = device.failure();
            device.close();
            if (failure != null) throw new dev.pianola.DeviceException(failure);
            JackMidiDevice.Counts c = device.counts();
            if (json) {
                System.out.println(new Summary().put("command", "device").put("name", name).put("engine", p.engine().name().toLowerCase(Locale.ROOT)).put("seed", p.seed())
                        .put("notesIn", c.notesIn()).put("notesOut", c.notesOut()).put("answersAsked", c.session().answersAsked())
                        .put("answersPlayed", c.session().answersPlayed()).put("answersShifted", c.session().answersShifted())
                        .put("answersDropped", c.session().answersDropped()).put("notesLate", c.session().notesLate()).put("bargeIns", c.session().bargeIns()).put("cycles", c.cycles())
                        .put("midiClockMessages", device.clockMessages()).put("stopsOrJumps", c.session().discontinuities())
                        .put("eventsDropped", c.eventsDropped()).put("blocksDropped", c.blocksDropped())
                        .put("processBytesPerCycle", bytesPerCycle).toJson());
            }
            if (!quiet) System.err.println(statusLine(device));
            return 0;
        } finally {
            if (device != null) device.close();
            if (session != null) session.close();
            worker.close();
            if (liveEngine != null) liveEngine.close();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is what is running now
            }
        }
    }

    private static String statusLine(JackMidiDevice d) {
        JackMidiDevice.Counts c = d.counts();
        LiveSession.Status s = c.session();
        String transport = !d.transportRolling() ? "transport stopped"
                : String.format(Locale.ROOT, "transport rolling at %.1f BPM (%s)", d.transportBpm(),
                        d.followsMidiClock() ? "MIDI clock" : d.transportHasBbt() ? "timebase master" : "--bpm, no master");
        return String.format(Locale.ROOT, "pianola: %d answers (%d late, %d dropped, %d cut off, %d notes too late to play), %d notes in, %d notes out, %s, %d stops or jumps",
                s.answersPlayed(), s.answersShifted(), s.answersDropped(), s.bargeIns(), s.notesLate(), c.notesIn(), c.notesOut(), transport, s.discontinuities());
    }
}
