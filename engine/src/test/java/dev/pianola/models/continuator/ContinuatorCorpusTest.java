package dev.pianola.models.continuator;

import dev.pianola.TestPaths;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.time.TimeSignature;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Continuator on real piano music nobody here wrote: the first 8 bars of each corpus file are
 * the prompt, and each continuation of 8 bars (3 seeds) is measured against the prompt, next to a
 * uniformly random continuation of the same pitch range and note density, so the figures mean
 * something.
 */
class ContinuatorCorpusTest {
    static final int PROMPT_BARS = 8, CONTINUATION_BARS = 8;
    static final long[] SEEDS = {1, 2, 3};

    /** Figures of one continuation against its prompt. */
    record Figures(double pitchClassSimilarity, boolean sameKey, double onGrid) {
        static Figures of(List<Note> prompt, List<Note> continuation, ContinuationMetrics.OnsetGrid grid) {
            return new Figures(ContinuationMetrics.pitchClassSimilarity(prompt, continuation),
                    ContinuationMetrics.sameKey(prompt, continuation), grid.fractionOn(continuation));
        }
    }

    /** Mean figures over seeds (and files). */
    static final class Tally {
        double similarity, sameKey, onGrid;
        int n;

        void add(Figures f) {
            similarity += f.pitchClassSimilarity();
            sameKey += f.sameKey() ? 1 : 0;
            onGrid += f.onGrid();
            n++;
        }

        void add(Tally t) {
            similarity += t.similarity;
            sameKey += t.sameKey;
            onGrid += t.onGrid;
            n += t.n;
        }

        double similarity() { return similarity / n; }
        double sameKey() { return sameKey / n; }
        double onGrid() { return onGrid / n; }

        String cells() {
            return String.format(Locale.ROOT, "%5.3f %4.0f%% %5.0f%%", similarity(), 100 * sameKey(), 100 * onGrid());
        }
    }

    static List<Path> files() {
        try (Stream<Path> s = Files.list(TestPaths.corpus("midi/piano"))) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".mid")).sorted().toList();
            assertFalse(files.isEmpty(), "no .mid files in the piano corpus");
            return files;
        } catch (IOException e) {
            throw new AssertionError("cannot list the piano corpus", e);
        }
    }

    /** Every note of every non-drum channel, as the player's one part. */
    static NoteSequence merged(Path file) {
        NoteSequence s = MidiFiles.read(file);
        List<Note> notes = new ArrayList<>();
        for (Note n : s.notes()) if (n.channel() != MidiFiles.DRUM_CHANNEL) notes.add(n.withChannel(0));
        return s.withNotes(notes);
    }

    /**
     * The baseline: as many notes as the prompt has per beat, pitches uniform over the prompt's
     * range, onsets uniform over the window, durations and velocities drawn from the prompt's.
     */
    static List<Note> randomContinuation(List<Note> prompt, double promptBeats, double startBeats, double lengthBeats, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int low = 127, high = 0;
        for (Note n : prompt) {
            low = Math.min(low, n.pitch());
            high = Math.max(high, n.pitch());
        }
        int count = (int) Math.round(prompt.size() / promptBeats * lengthBeats);
        List<Note> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Note model = prompt.get(rng.nextInt(prompt.size()));
            out.add(new Note(low + rng.nextInt(high - low + 1), startBeats + rng.nextDouble() * lengthBeats,
                    model.durationBeats(), model.velocity()));
        }
        return out;
    }

    static double barBeatsAt(NoteSequence song, double beats) {
        TimeSignature meter = TimeSignature.FOUR_FOUR;
        for (TimeSignature ts : song.timeSignatures()) if (ts.beats() <= beats + 1e-9) meter = ts;
        return meter.barBeats();
    }

    /**
     * Three ways of continuing, each learning the prompt: the prompt itself continued; then a player
     * who repeats the prompt three semitones higher, continued with and without transposition
     * (measured against the moved prompt: an answer in the player's new key is the right one).
     */
    static final int MOVED_SEMITONES = 3;

    @Test
    void continuationsKeepThePromptsPitchClassesKeyAndOnsetGridFarBetterThanRandom() {
        String[] columns = {"continuator", "moved +3, transp.", "moved +3, none", "uniform random"};
        Tally[] totals = {new Tally(), new Tally(), new Tally(), new Tally()};
        Tally modelGridded = new Tally(), randomGridded = new Tally();
        StringBuilder table = new StringBuilder();
        String head = "%-30s %6s %6s %9s";
        table.append(String.format(Locale.ROOT, head, "file (prompt -> 8 bars)", "notes", "grid", "prompt-on"));
        for (String c : columns) table.append(String.format(Locale.ROOT, " | %-17s", c));
        table.append(String.format(Locale.ROOT, "%n" + head, "", "", "", "grid"));
        for (String c : columns) table.append(" | pcSim key  grid  ");
        table.append('\n');
        for (Path file : files()) {
            NoteSequence song = merged(file);
            List<Double> bars = TimeSignature.barLines(song.timeSignatures(), song.endBeats());
            // a short file (the Perceiver prompt) is the prompt whole, up to its last full bar
            int promptBars = Math.min(PROMPT_BARS, bars.size() - 1);
            assertTrue(promptBars >= 2, file + " has at least 2 bars");
            double startBeats = bars.get(promptBars), lengthBeats = CONTINUATION_BARS * barBeatsAt(song, startBeats);
            List<Note> prompt = new ArrayList<>(), moved = new ArrayList<>();
            for (Note n : song.notes()) {
                if (n.startBeats() >= startBeats) continue;
                prompt.add(n);
                moved.add(n.withPitch(Math.min(127, n.pitch() + MOVED_SEMITONES)));
            }
            assertTrue(prompt.size() >= 8, file + ": a prompt of at least 8 notes");
            ContinuationMetrics.OnsetGrid grid = ContinuationMetrics.dominantGrid(prompt);
            double promptOnGrid = grid.fractionOn(prompt);
            boolean gridded = promptOnGrid - grid.chanceFraction() > 0.3;
            String name = file.getFileName().toString();

            Tally[] row = {new Tally(), new Tally(), new Tally(), new Tally()};
            Continuator plain = new Continuator(ContinuatorOptions.DEFAULT), transposing = new Continuator(ContinuatorOptions.DEFAULT.withTranspose(true));
            plain.learn(prompt);
            transposing.learn(prompt);
            for (long seed : SEEDS) {
                List<Note> out = plain.continueFrom(prompt, startBeats, lengthBeats, seed);
                assertTrue(out.size() >= prompt.size() / 4, name + " seed " + seed + ": a continuation, not silence: " + out.size() + " notes");
                for (Note n : out) {
                    assertTrue(n.startBeats() >= startBeats - 1e-9 && n.endBeats() <= startBeats + lengthBeats + 1e-9, name + ": inside the window: " + n);
                }
                row[0].add(Figures.of(prompt, out, grid));
                row[1].add(Figures.of(moved, transposing.continueFrom(moved, startBeats, lengthBeats, seed), grid));
                row[2].add(Figures.of(moved, plain.continueFrom(moved, startBeats, lengthBeats, seed), grid));
                row[3].add(Figures.of(prompt, randomContinuation(prompt, startBeats, startBeats, lengthBeats, seed), grid));
            }
            for (int i = 0; i < row.length; i++) totals[i].add(row[i]);
            if (gridded) {
                modelGridded.add(row[0]);
                randomGridded.add(row[3]);
            }
            table.append(String.format(Locale.ROOT, "%-30s %6d %6s %8.0f%%", name + " (" + promptBars + " bars)", prompt.size(),
                    "1/" + grid.subdivisionsPerBeat() + (grid.offsetBeats() > 0 ? "+" : ""), 100 * promptOnGrid));
            for (Tally t : row) table.append(" | ").append(t.cells());
            table.append('\n');
        }
        table.append(String.format(Locale.ROOT, head, "mean", "", "", ""));
        for (Tally t : totals) table.append(" | ").append(t.cells());
        table.append(String.format(Locale.ROOT, "%n" + head + " | %s | %17s | %17s | %s%n", "mean, gridded prompts", "", "", "",
                modelGridded.cells(), "", "", randomGridded.cells()));
        table.append("grid: the subdivision of the beat most prompt onsets sit on (+: shifted from beat 0); key: share of seeds whose key (Krumhansl) matches the prompt's\n");
        System.out.print(table);

        Tally model = totals[0], random = totals[3];
        assertTrue(model.similarity() > 0.9, "pitch classes like the prompt's:\n" + table);
        assertTrue(model.similarity() > random.similarity() + 0.2, "pitch classes far closer than random:\n" + table);
        assertTrue(model.sameKey() >= 0.7, "same key as the prompt in most continuations:\n" + table);
        assertTrue(model.sameKey() > random.sameKey() + 0.4, "key kept far more often than random:\n" + table);
        assertTrue(totals[1].similarity() > 0.9 && totals[1].sameKey() >= 0.7, "with transposition, an answer in the player's new key:\n" + table);
        assertTrue(totals[1].similarity() > totals[2].similarity() + 0.1, "transposition answers a moved phrase better than none:\n" + table);
        assertTrue(modelGridded.n > 0, "the corpus has prompts with an onset grid");
        assertTrue(modelGridded.onGrid() > 0.8, "onsets on the prompt's grid:\n" + table);
        assertTrue(modelGridded.onGrid() > randomGridded.onGrid() + 0.4, "onsets on the grid far more than random:\n" + table);
    }
}
