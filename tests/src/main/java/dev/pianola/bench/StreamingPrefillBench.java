package dev.pianola.bench;

import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.remi.Gpt2Generator;
import dev.pianola.models.remi.RemiContinuation;
import dev.pianola.models.remi.RemiTokenizer;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.runtime.SamplingConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What streaming prefill saves at a phrase's end: GPT-2 on REMI+BPE continuing a real phrase (the
 * corpus's POP909_008, as many bars as fill the context), time from the request to the first new
 * token, cold (the whole prompt prefilled then) and primed (the phrase up to its last bar run
 * ahead while it was played, as the live session does at each bar line, so only the last bar's
 * tokens remain). Median of several runs each. Not a test: it prints figures and never fails.
 *
 * <p>usage: StreamingPrefillBench PACKAGE_DIR MIDI [--runs N] [--bars N]
 */
public final class StreamingPrefillBench {
    private StreamingPrefillBench() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]), midi = Path.of(args[1]);
        int runs = 7, bars = 16;
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--runs")) runs = Integer.parseInt(args[++i]);
            else if (args[i].equals("--bars")) bars = Integer.parseInt(args[++i]);
        }
        try (Gpt2Generator gpt = Gpt2Generator.open(dir, OnnxSessions.Device.CPU)) {
            RemiTokenizer tokenizer = RemiTokenizer.of(gpt);
            gpt.warmUp();
            NoteSequence song = MidiFiles.read(midi);
            NoteSequence phrase = bars(song, bars), played = bars(song, bars - 1);
            int[] prompt = RemiContinuation.prompt(gpt, tokenizer, phrase, 2).ids();
            int[] ahead = RemiContinuation.prompt(gpt, tokenizer, played, 2).ids();
            int shared = 0;
            while (shared < Math.min(prompt.length, ahead.length) && prompt[shared] == ahead[shared]) shared++;
            double[] cold = new double[runs], primed = new double[runs];
            for (int r = 0; r < runs; r++) {
                gpt.forget();
                cold[r] = firstTokenMs(gpt, prompt);
                gpt.forget();
                gpt.prime(ahead);
                primed[r] = firstTokenMs(gpt, prompt);
            }
            Arrays.sort(cold);
            Arrays.sort(primed);
            System.out.printf(Locale.ROOT, "GPT-2 %s, %d threads: a %d-bar phrase of %s, %d tokens; run ahead up to its last bar: %d tokens shared, %d left at the phrase's end%n",
                    dir.getFileName(), OnnxSessions.defaultThreads(), bars, midi.getFileName(), prompt.length, shared, prompt.length - shared);
            System.out.printf(Locale.ROOT, "request -> first new token, median of %d (min-max): cold %.0f ms (%.0f-%.0f), primed %.0f ms (%.0f-%.0f): %.1fx%n",
                    runs, cold[runs / 2], cold[0], cold[runs - 1], primed[runs / 2], primed[0], primed[runs - 1], cold[runs / 2] / primed[runs / 2]);
        }
    }

    private static double firstTokenMs(Gpt2Generator gpt, int[] prompt) {
        long t0 = System.nanoTime();
        gpt.generate(prompt, gpt.request(1, SamplingConfig.greedy(), 0), () -> false, Progress.NONE);
        return (System.nanoTime() - t0) / 1e6;
    }

    /** The song's first {@code bars} 4/4 bars (REMI's bars), every channel as one part. */
    private static NoteSequence bars(NoteSequence song, int bars) {
        List<Note> notes = new ArrayList<>();
        for (Note n : song.notes()) if (n.startBeats() < bars * 4.0 && n.channel() != MidiFiles.DRUM_CHANNEL) notes.add(n.withChannel(0));
        return song.withNotes(notes);
    }
}
