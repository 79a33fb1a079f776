package dev.pianola.models.continuator;

import dev.pianola.TestPaths;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.time.TimeSignature;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a player gives live: two-bar phrases (melodies, a repeated-note riff, chord comping, a blues
 * lick, a minor tune, and the opening bars of corpus pieces), each continued for eight bars with
 * three seeds. Every answer is scored on what a listener hears first: does it loop (the longest run
 * of one repeated pitch in the top voice, against the phrase's own), does it use the phrase's
 * pitches (how many distinct ones, pitch-class similarity), does it develop or replay (the share of
 * its four-note figures quoted verbatim from the phrase), does it keep the phrase's rhythm grid, and
 * do different seeds give different answers. A uniformly random answer of the phrase's range and
 * density is scored beside it so the figures mean something.
 */
class ShortPhraseTest {
    static final int ANSWER_BARS = 8;
    static final long[] SEEDS = {1, 2, 3};
    static final double PHRASE_BEATS = 8;

    record Phrase(String name, List<Note> notes) {}

    /** A line of (pitch, beats) pairs from beat 0. */
    static List<Note> line(double... pitchAndBeats) {
        List<Note> notes = new ArrayList<>();
        double t = 0;
        for (int i = 0; i < pitchAndBeats.length; i += 2) {
            // accents on the beat, as a player's touch
            int velocity = Math.abs(t - Math.rint(t)) < 1e-9 ? 88 : 72;
            notes.add(new Note((int) pitchAndBeats[i], t, pitchAndBeats[i + 1], velocity));
            t += pitchAndBeats[i + 1];
        }
        return notes;
    }

    /** Chords of the given pitches, each held for its beats. */
    static List<Note> chords(Object... chordsAndBeats) {
        List<Note> notes = new ArrayList<>();
        double t = 0;
        for (int i = 0; i < chordsAndBeats.length; i += 2) {
            int[] pitches = (int[]) chordsAndBeats[i];
            double beats = ((Number) chordsAndBeats[i + 1]).doubleValue();
            for (int p : pitches) notes.add(new Note(p, t, beats * 0.9, 76));
            t += beats;
        }
        return notes;
    }

    static List<Phrase> phrases() {
        int[] c = {60, 64, 67}, f = {60, 65, 69}, g = {59, 62, 67};
        List<Phrase> list = new ArrayList<>(List.of(
                // the example: it answered with the phrase and then 24 E4 in a row
                new Phrase("melody E D C D|E E E", line(64, 1, 62, 1, 60, 1, 62, 1, 64, 1, 64, 1, 64, 2)),
                new Phrase("repeated-note riff", line(57, .5, 57, .5, 57, .5, 57, .5, 60, .5, 57, .5, 57, .5, 57, .5,
                        55, .5, 55, .5, 55, .5, 55, .5, 57, 2)),
                new Phrase("chord comping C F G", chords(c, 1, c, 1, c, 1, c, 1, f, 1, f, 1, g, 1, g, 1)),
                new Phrase("blues lick in C", line(60, .5, 63, .5, 65, .5, 66, .5, 67, .5, 70, .5, 67, .5, 65, .5,
                        63, .5, 60, .5, 58, 1, 60, 2)),
                new Phrase("A minor tune", line(69, 1, 72, 1, 71, 1, 69, 1, 68, 1, 69, 1, 64, 2)),
                new Phrase("arpeggio C-Am", line(48, .5, 52, .5, 55, .5, 60, .5, 64, .5, 60, .5, 55, .5, 52, .5,
                        45, .5, 48, .5, 52, .5, 57, .5, 60, .5, 57, .5, 52, 1))));
        list.addAll(corpusPhrases());
        return list;
    }

    /** The first two bars (from the bar of the first note) of two corpus pieces, when the corpus is there. */
    static List<Phrase> corpusPhrases() {
        Path dir = TestPaths.corpusRoot().resolve("midi/piano");
        if (!Files.isDirectory(dir)) {
            System.out.println("ShortPhraseTest: no corpus at " + dir + "; the corpus phrases are left out (see ../shared/corpus/SOURCES.md)");
            return List.of();
        }
        List<Phrase> list = new ArrayList<>();
        for (String file : List.of("POP909_008.mid", "Maestro_1.mid")) {
            NoteSequence song = ContinuatorCorpusTest.merged(dir.resolve(file));
            double first = song.notes().get(0).startBeats();
            List<Double> bars = TimeSignature.barLines(song.timeSignatures(), song.endBeats());
            double from = 0;
            for (double b : bars) if (b <= first + 1e-9) from = b;
            List<Note> notes = new ArrayList<>();
            for (Note n : song.notes()) {
                if (n.startBeats() >= from && n.startBeats() < from + PHRASE_BEATS) {
                    notes.add(n.withTiming(n.startBeats() - from, Math.min(n.durationBeats(), from + PHRASE_BEATS - n.startBeats())));
                }
            }
            list.add(new Phrase(file.replace(".mid", "") + " bars 1-2", notes));
        }
        return list;
    }

    /** One answer's figures. */
    record Score(int longestRepeat, int distinctPitches, double pitchClassSimilarity, double copyShare, double onGrid) {
        static Score of(List<Note> phrase, List<Note> answer, ContinuationMetrics.OnsetGrid grid) {
            return new Score(ContinuationMetrics.longestRepeat(answer), ContinuationMetrics.distinctPitches(answer),
                    ContinuationMetrics.pitchClassSimilarity(phrase, answer), ContinuationMetrics.copyShare(phrase, answer), grid.fractionOn(answer));
        }
    }

    /** The worst figure over seeds, for each check. */
    static final class Worst {
        int longestRepeat, distinctPitches = Integer.MAX_VALUE;
        double similarity = 1, copy, onGrid = 1;

        void add(Score s) {
            longestRepeat = Math.max(longestRepeat, s.longestRepeat());
            distinctPitches = Math.min(distinctPitches, s.distinctPitches());
            similarity = Math.min(similarity, s.pitchClassSimilarity());
            copy = Math.max(copy, s.copyShare());
            onGrid = Math.min(onGrid, s.onGrid());
        }

        String cells() {
            return String.format(Locale.ROOT, "%4d %5d %6.2f %5.0f%% %5.0f%%", longestRepeat, distinctPitches, similarity, 100 * copy, 100 * onGrid);
        }
    }

    @Test
    void answersToShortPhrasesDevelopThemWithoutLoopingAndSeedsMatter() {
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%n%-24s %5s %4s %5s %5s | %-30s %5s | %-30s%n%-24s %5s %4s %5s %5s | %s %5s | %s%n",
                "phrase (2 bars -> 8)", "notes", "run", "pitch", "grid", "continuator, worst of 3 seeds", "diff.", "uniform random, worst of 3 seeds",
                "", "", "", "", "", " run pitch pcSim  copy  grid", "seeds", " run pitch pcSim  copy  grid"));
        List<String> failures = new ArrayList<>();
        for (Phrase phrase : phrases()) {
            List<Note> notes = phrase.notes();
            int ownRepeat = ContinuationMetrics.longestRepeat(notes), ownDistinct = ContinuationMetrics.distinctPitches(notes);
            ContinuationMetrics.OnsetGrid grid = ContinuationMetrics.dominantGrid(notes);
            double ownOnGrid = grid.fractionOn(notes);
            boolean gridded = ownOnGrid - grid.chanceFraction() > 0.3;
            Worst model = new Worst(), random = new Worst();
            Set<List<Note>> different = new HashSet<>();
            for (long seed : SEEDS) {
                Continuator continuator = new Continuator(ContinuatorOptions.DEFAULT);
                continuator.learn(notes);
                double lengthBeats = ANSWER_BARS * 4;
                List<Note> answer = continuator.continueFrom(notes, PHRASE_BEATS, lengthBeats, seed);
                Score s = Score.of(notes, answer, grid);
                model.add(s);
                different.add(answer);
                random.add(Score.of(notes, ContinuatorCorpusTest.randomContinuation(notes, PHRASE_BEATS, PHRASE_BEATS, lengthBeats, seed), grid));
                String at = phrase.name() + " seed " + seed + ": ";
                if (s.longestRepeat() > ownRepeat + 2) failures.add(at + "loops: a run of " + s.longestRepeat() + " repeated notes (the phrase's own longest: " + ownRepeat + ")");
                if (s.distinctPitches() < Math.min(4, ownDistinct)) failures.add(at + "only " + s.distinctPitches() + " distinct pitches");
                if (s.pitchClassSimilarity() < 0.8) failures.add(at + "pitch-class similarity " + s.pitchClassSimilarity());
                if (s.copyShare() >= 0.8) failures.add(at + "replays the phrase: " + Math.round(100 * s.copyShare()) + "% of its four-note figures are quotes");
                // a phrase with no grid above chance has none to keep; a played one keeps it about as well as the phrase
                if (gridded && s.onGrid() < Math.min(0.8, ownOnGrid) - 0.15) failures.add(at + "off the phrase's rhythm grid: " + s.onGrid() + " (the phrase: " + ownOnGrid + ")");
            }
            if (different.size() < 2) failures.add(phrase.name() + ": the same answer for every seed");
            table.append(String.format(Locale.ROOT, "%-24s %5d %4d %5d %4.0f%% | %s %5d | %s%n", phrase.name(), notes.size(), ownRepeat, ownDistinct, 100 * ownOnGrid,
                    model.cells(), different.size(), random.cells()));
        }
        table.append("run: longest run of one repeated pitch in the top voice; pitch: distinct pitches; copy: share of four-note figures quoted from the phrase;\n"
                + "grid: share of onsets on the phrase's own grid; diff.: different answers among the seeds\n");
        System.out.print(table);
        assertTrue(failures.isEmpty(), String.join("\n", failures) + table);
    }
}
