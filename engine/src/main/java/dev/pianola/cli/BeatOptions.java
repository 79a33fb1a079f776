package dev.pianola.cli;

import dev.pianola.BadInputException;
import dev.pianola.audio.Audio;
import dev.pianola.UsageException;
import dev.pianola.cover.BeatGrid;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Where the beat grid comes from: given beat times, a given tempo, or the beat tracker. */
final class BeatOptions {
    /** A heading of its own: without one, picocli lists a mixin's group twice in the help. */
    @ArgGroup(exclusive = true, heading = "%nThe beat grid, when you know it (else it is tracked):%n")
    Source source;

    static final class Source {
        @Option(names = "--bpm", paramLabel = "BPM", description = "The song's tempo, when you know it (e.g. 96). Skips beat tracking.")
        Double bpm;

        @Option(names = "--beats", paramLabel = "FILE", description = "A text file of beat times in seconds (one per line, or separated by spaces/commas; # comments).")
        Path beatsFile;
    }

    @Option(names = "--first-beat", paramLabel = "SECONDS",
            description = "Where bar 1, beat 1 falls in the audio: the bar lines and downbeat accents start there"
                    + " (with --bpm: default 0 s; with beat tracking, the tracked beat nearest it starts bar 1).")
    Double firstBeatSeconds;

    static final double MIN_BPM = 20, MAX_BPM = 400;

    /** The grid the options say: the given tempo or beat times, else the beat tracker's on {@code audio}. */
    BeatGrid grid(Audio audio) {
        double duration = audio.seconds();
        if (firstBeatSeconds != null && source != null && source.beatsFile != null) {
            throw new UsageException("--first-beat and --beats: with --beats the first beat is the file's first time");
        }
        if (firstBeatSeconds != null && !(firstBeatSeconds >= 0 && firstBeatSeconds < Math.max(duration, 1))) {
            throw new BadInputException("--first-beat " + firstBeatSeconds + ": must be between 0 and the audio's length ("
                    + String.format(Locale.ROOT, "%.1f", duration) + " s)");
        }
        if (source != null && source.bpm != null) {
            double bpm = source.bpm;
            if (!(bpm >= MIN_BPM && bpm <= MAX_BPM)) throw new BadInputException("--bpm " + bpm + ": expected a tempo between 20 and 400 BPM");
            return BeatGrid.ofTempo(bpm, firstBeatSeconds == null ? 0 : firstBeatSeconds, duration);
        }
        if (source != null && source.beatsFile != null) return BeatGrid.ofBeatTimes(readBeatTimes(source.beatsFile));
        return BeatGrid.tracked(audio, firstBeatSeconds);
    }

    static double[] readBeatTimes(Path file) {
        // a FIFO would block the read until someone writes to it
        if (Files.exists(file) && !Files.isRegularFile(file)) throw new BadInputException(file, "not a regular file; give a text file of beat times");
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
}
