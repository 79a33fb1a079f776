package dev.pianola.cli;

import dev.pianola.BadInputException;
import dev.pianola.audio.Audio;
import dev.pianola.audio.BeatTracker;
import dev.pianola.audio.Beats;
import dev.pianola.time.TempoMap;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where the beat grid comes from: given beat times, a given tempo, or the beat tracker. */
final class BeatOptions {
    @ArgGroup(exclusive = true)
    Source source;

    static final class Source {
        @Option(names = "--bpm", paramLabel = "BPM", description = "The song's tempo, when you know it (e.g. 96). Skips beat tracking.")
        Double bpm;

        @Option(names = "--beats", paramLabel = "FILE", description = "A text file of beat times in seconds (one per line, or separated by spaces/commas; # comments).")
        Path beatsFile;
    }

    @Option(names = "--first-beat", paramLabel = "SECONDS", defaultValue = "0",
            description = "With --bpm: where the first beat falls in the audio (default: ${DEFAULT-VALUE} s).")
    double firstBeatSeconds;

    /** The beat grid and how it was found ("given", "tempo", "tracked"). */
    record Grid(TempoMap tempo, double bpm, String source, int beatCount) {}

    Grid grid(Audio audio) {
        double duration = audio.seconds();
        if (source != null && source.bpm != null) {
            double bpm = source.bpm;
            if (!(bpm >= 20 && bpm <= 400)) throw new BadInputException("--bpm " + bpm + ": expected a tempo between 20 and 400 BPM");
            if (!(firstBeatSeconds >= 0 && firstBeatSeconds < Math.max(duration, 1))) {
                throw new BadInputException("--first-beat " + firstBeatSeconds + ": must be between 0 and the audio's length (" + String.format("%.1f", duration) + " s)");
            }
            Beats beats = Beats.fromTempo(bpm, firstBeatSeconds, duration);
            return new Grid(tempoOf(beats.beatSeconds(), bpm), bpm, "tempo", beats.beatSeconds().length);
        }
        if (source != null && source.beatsFile != null) {
            double[] times = readBeatTimes(source.beatsFile);
            return new Grid(TempoMap.fromBeatTimes(times), medianBpm(times), "given", times.length);
        }
        Beats tracked = BeatTracker.track(audio);
        if (tracked.beatSeconds().length < 2) {
            // silence or too short to find a pulse: a plain 120 BPM grid keeps the output usable
            return new Grid(TempoMap.constant(TempoMap.DEFAULT_BPM), TempoMap.DEFAULT_BPM, "none found (120 BPM)", 0);
        }
        return new Grid(TempoMap.fromBeatTimes(tracked.beatSeconds()), tracked.bpm(), "tracked", tracked.beatSeconds().length);
    }

    private static TempoMap tempoOf(double[] beatSeconds, double bpm) {
        return beatSeconds.length >= 2 ? TempoMap.fromBeatTimes(beatSeconds) : TempoMap.constant(bpm);
    }

    static double[] readBeatTimes(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new BadInputException(file, Files.exists(file) ? "cannot read (" + e.getMessage() + ")" : "no such file");
        }
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceAll("#.*", "").trim();
            if (line.isEmpty()) continue;
            for (String tok : line.split("[\\s,;]+")) {
                double t;
                try {
                    t = Double.parseDouble(tok);
                } catch (NumberFormatException e) {
                    throw new BadInputException(file, "line " + (i + 1) + ": '" + tok + "' is not a time in seconds");
                }
                if (!(t >= 0) || !Double.isFinite(t)) throw new BadInputException(file, "line " + (i + 1) + ": beat time " + tok + " is negative or not finite");
                if (!times.isEmpty() && t <= times.get(times.size() - 1)) {
                    throw new BadInputException(file, "line " + (i + 1) + ": beat times must increase (" + tok + " after " + times.get(times.size() - 1) + ")");
                }
                times.add(t);
            }
        }
        if (times.size() < 2) throw new BadInputException(file, "needs at least two beat times, found " + times.size());
        return times.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double medianBpm(double[] times) {
        double[] d = new double[times.length - 1];
        for (int i = 0; i < d.length; i++) d[i] = times[i + 1] - times[i];
        java.util.Arrays.sort(d);
        return 60.0 / d[d.length / 2];
    }
}
