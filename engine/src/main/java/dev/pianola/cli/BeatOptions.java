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

    @Option(names = "--first-beat", paramLabel = "SECONDS",
            description = "With --bpm: where the first beat (bar 1, beat 1) falls in the audio (default: 0 s).")
    Double firstBeatSeconds;

    static final double MIN_BPM = 20, MAX_BPM = 400;

    /** The beat grid, its beat times (seconds; empty when none were found) and how it was found ("given", "tempo", "tracked"). */
    record Grid(TempoMap tempo, double bpm, String source, double[] beatSeconds) {
        int beatCount() {
            return beatSeconds.length;
        }

        /** Whether beat 0 is a downbeat: the user said where beats are; the tracker only finds beats. */
        boolean knowsBarOne() {
            return source.equals("given") || source.equals("tempo");
        }
    }

    Grid grid(Audio audio) {
        double duration = audio.seconds();
        if (firstBeatSeconds != null && (source == null || source.bpm == null)) {
            throw new BadInputException("--first-beat needs --bpm (with --beats the first beat is the file's first time)");
        }
        if (source != null && source.bpm != null) {
            double bpm = source.bpm;
            if (!(bpm >= MIN_BPM && bpm <= MAX_BPM)) throw new BadInputException("--bpm " + bpm + ": expected a tempo between 20 and 400 BPM");
            double first = firstBeatSeconds == null ? 0 : firstBeatSeconds;
            if (!(first >= 0 && first < Math.max(duration, 1))) {
                throw new BadInputException("--first-beat " + first + ": must be between 0 and the audio's length (" + String.format("%.1f", duration) + " s)");
            }
            Beats beats = Beats.fromTempo(bpm, first, duration);
            return new Grid(tempoOf(beats.beatSeconds(), bpm), bpm, "tempo", beats.beatSeconds());
        }
        if (source != null && source.beatsFile != null) {
            double[] times = readBeatTimes(source.beatsFile);
            return new Grid(TempoMap.fromBeatTimes(times), medianBpm(times), "given", times);
        }
        Beats tracked = BeatTracker.track(audio);
        if (tracked.beatSeconds().length < 2) {
            // silence or too short to find a pulse: a plain 120 BPM grid keeps the output usable
            return new Grid(TempoMap.constant(TempoMap.DEFAULT_BPM), TempoMap.DEFAULT_BPM, "none found (120 BPM)", new double[0]);
        }
        return new Grid(TempoMap.fromBeatTimes(tracked.beatSeconds()), tracked.bpm(), "tracked", tracked.beatSeconds());
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
                if (!times.isEmpty()) {
                    double gap = t - times.get(times.size() - 1);
                    if (!(gap > 0)) throw new BadInputException(file, "line " + (i + 1) + ": beat times must increase (" + tok + " after " + times.get(times.size() - 1) + ")");
                    if (60 / gap < MIN_BPM || 60 / gap > MAX_BPM) {
                        throw new BadInputException(file, "line " + (i + 1) + ": " + String.format("%.3f", gap) + " s between beats is a tempo of "
                                + String.format("%.1f", 60 / gap) + " BPM; expected 20 to 400");
                    }
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
