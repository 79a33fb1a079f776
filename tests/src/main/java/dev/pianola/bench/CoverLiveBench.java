package dev.pianola.bench;

import dev.pianola.arrange.ArrangePresets;
import dev.pianola.audio.Audio;
import dev.pianola.audio.AudioFiles;
import dev.pianola.live.CoverSession;
import dev.pianola.live.TransportSnapshot;
import dev.pianola.runtime.ModelStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The plug-in's live cover, bar by bar, on a song: how long each bar's cover takes to compute
 * against the time it has (the bar plays {@code lag} bars after the one it covers; the cover can
 * start once the bar and the lookahead have been heard). The song is fed block by block as the
 * plug-in's capture thread feeds it, waiting for each cover before the next bar is cut (so bars do
 * not queue up: each figure is one bar alone on the worker). Basic Pitch by default, or a Pop2Piano
 * package. Not a test: it prints figures and never fails on them.
 *
 * <p>usage: CoverLiveBench AUDIO BPM BARS [--pop2piano PACKAGE_DIR] [--lag 1|2]
 */
public final class CoverLiveBench {
    private CoverLiveBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: CoverLiveBench AUDIO BPM BARS [--pop2piano PACKAGE_DIR] [--lag 1|2]");
            System.exit(2);
        }
        Path audioFile = Path.of(args[0]);
        double bpm = Double.parseDouble(args[1]);
        int bars = Integer.parseInt(args[2]);
        Path pop2piano = null;
        int lag = 2;
        for (int i = 3; i < args.length; i++) {
            switch (args[i]) {
                case "--pop2piano" -> pop2piano = Path.of(args[++i]);
                case "--lag" -> lag = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Audio song = AudioFiles.read(audioFile); // mono, as the plug-in hears it
        int rate = song.sampleRate(), block = 512;
        double barBeats = 4, barSeconds = barBeats * 60 / bpm;
        int frames = (int) Math.min(song.samples().length, Math.round((bars + 1) * barSeconds * rate + CoverSession.LOOKAHEAD_SECONDS * rate));
        frames -= frames % block;
        long t0 = System.nanoTime();
        try (CoverSession s = pop2piano != null
                ? CoverSession.startPop2Piano("bench", rate, pop2piano, null, lag, 0)
                : CoverSession.start("bench", rate, ModelStore.locate().basicPitch(), ArrangePresets.load("default"), lag, 0)) {
            double perFrame = bpm / 60.0 / rate;
            for (int f = 0; f < frames; f += block) {
                TransportSnapshot t = TransportSnapshot.rolling(f, block, rate, bpm, f * perFrame, barBeats);
                while (!s.oldestCoverDone()) Thread.sleep(1); // one bar at a time on the worker
                s.onBlock(t, song.samples(), f);
            }
            while (!s.oldestCoverDone()) Thread.sleep(1);
            s.onBlock(TransportSnapshot.rolling(frames, block, rate, bpm, frames * perFrame, barBeats), new float[block], 0);
            List<Double> ms = new ArrayList<>(s.stats().computeMillis());
            ms.sort(Double::compare);
            // a bar's notes start to play lag bars after its start; its cover can begin a bar and the lookahead after its start
            double budgetMs = (lag - 1) * barSeconds * 1000 - CoverSession.LOOKAHEAD_SECONDS * 1000;
            int over = 0;
            for (double m : ms) if (m > budgetMs) over++;
            System.out.printf(Locale.ROOT,
                    "cover live (%s), %s at %.1f BPM, lag %d bar(s): %d bars covered in %.1f s wall; compute per bar median %.0f ms, p90 %.0f ms, max %.0f ms;"
                            + " budget before the bar's first beat must play %.0f ms (lag bars minus a bar minus the %.1f s lookahead): %d of %d bars over%n",
                    s.engine(), audioFile.getFileName(), bpm, lag, ms.size(), (System.nanoTime() - t0) / 1e9, pct(ms, 0.5), pct(ms, 0.9),
                    ms.isEmpty() ? Double.NaN : ms.get(ms.size() - 1), budgetMs, CoverSession.LOOKAHEAD_SECONDS, over, ms.size());
            CoverSession.Pop2PianoWork w = s.pop2pianoWork();
            int covered = ms.size();
            if (pop2piano != null && covered > 0) {
                System.out.printf(Locale.ROOT, "pop2piano per bar: features %.0f ms, model (encoder + decoder) %.0f ms, rest %.0f ms; %.2f rows generated"
                                + " and %.2f taken from the bar before (%d / %d in all)%n", w.featuresMillis() / covered, w.modelMillis() / covered,
                        ms.stream().mapToDouble(Double::doubleValue).sum() / covered - (w.featuresMillis() + w.modelMillis()) / covered,
                        w.rowsGenerated() / (double) covered, w.rowsReused() / (double) covered, w.rowsGenerated(), w.rowsReused());
            }
        }
    }

    private static double pct(List<Double> sorted, double p) {
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(p * sorted.size())));
    }
}
