package dev.pianola.bench;

import dev.pianola.live.AnswerRequest;
import dev.pianola.live.ContinuatorEngine;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.continuator.Continuator;
import dev.pianola.models.continuator.ContinuatorOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How long the Continuator takes to answer, the time that stands between a phrase's end and the
 * first note of its answer in the plug-in: a two-bar phrase answered for two bars (the live default)
 * and for eight; an eight-bar corpus prompt answered for eight; and the live engine after a long
 * session (its memory full: 2048 notes of phrases, each learned in twelve keys) answering two bars.
 * Each case is run warm (after the JIT has seen it) many times; median, p99 and max in ms. There is
 * no reference implementation to run beside it. Not a test: it prints figures and never fails.
 *
 * <p>usage: ContinuatorBench [CORPUS_PIANO_DIR] [--runs N]
 */
public final class ContinuatorBench {
    private ContinuatorBench() {}

    public static void main(String[] args) throws Exception {
        Path corpus = Path.of("../shared/corpus/midi/piano");
        int runs = 200;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--runs")) runs = Integer.parseInt(args[++i]);
            else corpus = Path.of(args[i]);
        }
        List<Note> phrase = line(64, 1, 62, 1, 60, 1, 62, 1, 64, 1, 64, 1, 64, 2);
        System.out.printf(Locale.ROOT, "Continuator answer times, %d runs each after %d warm-up runs (ms)%n", runs, runs / 2);
        System.out.printf(Locale.ROOT, "%-44s %8s %8s %8s %8s%n", "case", "median", "p99", "max", "notes");
        report("2-bar melody -> 2 bars (learn + answer)", runs, seed -> {
            Continuator c = new Continuator(ContinuatorOptions.DEFAULT);
            c.learn(phrase);
            return c.continueFrom(phrase, 8, 8, seed);
        });
        report("2-bar melody -> 8 bars (learn + answer)", runs, seed -> {
            Continuator c = new Continuator(ContinuatorOptions.DEFAULT);
            c.learn(phrase);
            return c.continueFrom(phrase, 8, 32, seed);
        });
        Path pop = corpus.resolve("POP909_008.mid");
        if (Files.exists(pop)) {
            List<Note> prompt = new ArrayList<>();
            for (Note n : MidiFiles.read(pop).notes()) if (n.startBeats() < 32) prompt.add(n.withChannel(0));
            Continuator c = new Continuator(ContinuatorOptions.DEFAULT);
            c.learn(prompt);
            report("POP909_008 8 bars (" + prompt.size() + " notes) -> 8 bars", runs, seed -> c.continueFrom(prompt, 32, 32, seed));

            // a long session: the piece in phrases of 4 bars, until the engine's memory is full or the piece ends
            NoteSequence song = MidiFiles.read(pop);
            ContinuatorEngine engine = new ContinuatorEngine();
            List<Note> context = new ArrayList<>();
            for (double from = 0; engine.notesRemembered() < 2048 && from < song.endBeats(); from += 16) {
                List<Note> p = new ArrayList<>();
                for (Note n : song.notes()) if (n.startBeats() >= from && n.startBeats() < from + 16) p.add(n.withChannel(0));
                if (p.isEmpty()) continue;
                engine.learn(p);
                context = p;
            }
            List<Note> last = context;
            double end = last.stream().mapToDouble(Note::endBeats).max().orElse(0);
            report("live engine, " + engine.notesRemembered() + " notes learned (x12 keys) -> 2 bars", runs,
                    seed -> engine.answer(new AnswerRequest(last, Math.ceil(end / 4) * 4, 8, 4, 120, 1.0, seed), () -> false, null));
        } else {
            System.out.println("(no corpus at " + corpus + ": the corpus cases are left out)");
        }
    }

    interface Case {
        List<Note> run(long seed);
    }

    private static void report(String name, int runs, Case c) {
        for (int i = 0; i < runs / 2; i++) c.run(i);
        double[] ms = new double[runs];
        int notes = 0;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            notes += c.run(1000 + i).size();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "%-44s %8.2f %8.2f %8.2f %8.1f%n", name, ms[runs / 2], ms[(int) (runs * 0.99)], ms[runs - 1], notes / (double) runs);
    }

    /** A line of (pitch, beats) pairs from beat 0. */
    private static List<Note> line(double... pitchAndBeats) {
        List<Note> notes = new ArrayList<>();
        double t = 0;
        for (int i = 0; i < pitchAndBeats.length; i += 2) {
            notes.add(new Note((int) pitchAndBeats[i], t, pitchAndBeats[i + 1], 80));
            t += pitchAndBeats[i + 1];
        }
        return notes;
    }
}
