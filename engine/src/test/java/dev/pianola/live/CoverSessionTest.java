package dev.pianola.live;

import dev.pianola.TestPaths;
import dev.pianola.arrange.ArrangeOptions;
import dev.pianola.arrange.ArrangePresets;
import dev.pianola.audio.Audio;
import dev.pianola.cover.BasicPitchCover;
import dev.pianola.eval.NoteF1;
import dev.pianola.midi.MidiFiles;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.models.basicpitch.BasicPitch;
import dev.pianola.render.MidiRenderer;
import dev.pianola.runtime.ModelStore;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live cover against the offline one on the same audio and grid: rendered piano from the
 * corpus, fed block by block with a rolling 120 BPM transport (4/4, beat 0 at the first sample),
 * the notes played shifted back by the lag, compared with {@code pianola cover --bpm 120}'s
 * pipeline on the whole file. The test waits for each bar's cover before its notes are due, as an
 * offline host would: the comparison is about what is played, not how fast (nothing is timed).
 */
class CoverSessionTest {
    static final int RATE = 48000, BLOCK = 512;
    static final double BPM = 120, BAR = 4, SECONDS = 20;
    static Audio song;
    static List<Note> offline;
    static ArrangeOptions options;

    @BeforeAll
    static void renderAndCoverOffline() throws Exception {
        Path midi = TestPaths.corpus("midi/piano/Maestro_1.mid");
        song = MidiRenderer.open(null).renderMono(MidiFiles.crop(MidiFiles.readSequence(midi), SECONDS), RATE);
        options = ArrangePresets.load("default");
        try (BasicPitch model = BasicPitch.load(ModelStore.locate().basicPitch(), OnnxSessions.Device.CPU)) {
            offline = BasicPitchCover.arrange(BasicPitchCover.hear(model, song, BasicPitchCover.NOTE_OPTIONS), TempoMap.constant(BPM), List.of(TimeSignature.FOUR_FOUR), true, options)
                    .notes().notes();
        }
    }

    /** Feeds {@code fromFrame..toFrame} of the song at song beats starting at {@code firstBeat}; waits for covers due. */
    static List<OutputEvent> feed(CoverSession s, long hostFrame, double firstBeat, int fromFrame, int toFrame) throws InterruptedException {
        List<OutputEvent> out = new ArrayList<>();
        double perFrame = BPM / 60.0 / RATE;
        for (int f = fromFrame; f + BLOCK <= toFrame; f += BLOCK) {
            TransportSnapshot t = TransportSnapshot.rolling(hostFrame + f - fromFrame, BLOCK, RATE, BPM, firstBeat + (f - fromFrame) * perFrame, BAR);
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (s.coverDueBefore(t.endBeats() + BAR) && !s.oldestCoverDone() && System.nanoTime() < deadline) Thread.sleep(2);
            out.addAll(s.onBlock(t, song.samples(), f));
        }
        return out;
    }

    static List<NoteF1.TimedPitch> onsets(Stream<double[]> beatAndPitch) {
        return beatAndPitch.map(bp -> new NoteF1.TimedPitch(bp[0] * 60 / BPM, bp[1])).toList();
    }

    @Test
    void barByBarCoverMatchesTheOfflineCoverAndLoopsReplayInPlace(@TempDir Path dir) throws Exception {
        try (CoverSession s = CoverSession.start("test", RATE, ModelStore.locate().basicPitch(), options, 2, 0)) {
            int frames = song.samples().length - song.samples().length % BLOCK;
            List<OutputEvent> played = feed(s, 0, 0, 0, frames);
            // beats covered: every bar whose end plus the lookahead was heard
            double lastBarEnd = Math.floor((frames / (double) RATE - CoverSession.LOOKAHEAD_SECONDS) * BPM / 60 / BAR) * BAR;
            List<NoteF1.TimedPitch> live = onsets(played.stream().filter(OutputEvent::isNoteOn).map(e -> new double[] {e.beats() - 2 * BAR, e.pitch()}));
            List<NoteF1.TimedPitch> ref = onsets(offline.stream().filter(n -> n.startBeats() < lastBarEnd).map(n -> new double[] {n.startBeats(), n.pitch()}));
            NoteF1.Score f1 = NoteF1.score(ref, live, 0.05);
            CoverSession.Stats st = s.stats();
            System.out.printf("cover session vs offline cover, %.0f beats (lag 2 bars): %s; %d bars, compute per bar median %.0f ms, max %.0f ms%n",
                    lastBarEnd, f1, st.barsCovered(), median(st.computeMillis()), st.computeMillis().stream().mapToDouble(d -> d).max().orElse(0));
            assertTrue(ref.size() > 50, "the song has notes to cover: " + ref.size());
            assertTrue(f1.f1() >= 0.75, "live cover matches the offline cover: " + f1);
            assertEquals(0, st.lateNotesDropped(), "waited for every bar: nothing late");
            // every note-on has its note-off after it, same pitch
            assertEquals(played.stream().filter(OutputEvent::isNoteOn).count(), played.stream().filter(e -> !e.isNoteOn()).count());

            // loop: back to beat 0 (the frame clock goes on): bars covered on pass 1 play in place
            List<Note> bar0 = s.coveredBars().stream().filter(b -> b.startBeats() == 0).findFirst().orElseThrow().notes();
            assertFalse(bar0.isEmpty(), "bar 0 was covered");
            List<OutputEvent> pass2 = feed(s, frames, 0, 0, 4 * BLOCK);
            List<Double> replayed = pass2.stream().filter(OutputEvent::isNoteOn).filter(e -> e.beats() < BAR).map(OutputEvent::beats).sorted().toList();
            List<Double> expected = bar0.stream().map(Note::startBeats).sorted().toList();
            assertEquals(expected, replayed, "bar 0 replays in place, at its own beats, on the next pass");
            assertTrue(s.stats().replayedBars() >= 1);

            // capture: the take at the bars it covers, a fresh file each time, nothing overwritten
            Path first = s.capture(dir, line -> {}).get();
            Path second = s.capture(dir, line -> {}).get();
            assertTrue(Files.isRegularFile(first) && Files.isRegularFile(second) && !first.equals(second), first + " / " + second);
            NoteSequence back = MidiFiles.read(first);
            NoteSequence take = s.take();
            assertEquals(take.notes().size(), back.notes().size());
            List<Note> a = new ArrayList<>(take.notes()), b = new ArrayList<>(back.notes());
            Comparator<Note> order = Comparator.comparingDouble(Note::startBeats).thenComparingInt(Note::pitch);
            a.sort(order);
            b.sort(order);
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).pitch(), b.get(i).pitch());
                assertEquals(a.get(i).startBeats(), b.get(i).startBeats(), 1.0 / 480);
            }
            assertEquals(120.0, back.tempo().bpmAt(0), 1e-6);
        }
    }

    /**
     * Pop2Piano (the tiny random-weight package of the fixtures: real widths, random notes, but
     * deterministic): each bar covered live with the bar before it as context must play exactly the
     * notes the offline cover of the whole song (beats every half second from 0, rows decoded whole)
     * puts in that bar: the bar's 4-beat segment is the same audio with the same beat times, so the
     * same tokens. Bar 0 has no context and is not covered.
     */
    @Test
    void pop2pianoBarByBarPlaysTheOfflineCoversNotes() throws Exception {
        Path pkg = TestPaths.fixtures("pop2piano").resolve("tiny");
        double[] beatTimes = new double[(int) (SECONDS * BPM / 60)];
        for (int k = 0; k < beatTimes.length; k++) beatTimes[k] = k * 60.0 / BPM;
        List<Note> reference;
        try (dev.pianola.models.pop2piano.Pop2PianoModel m = dev.pianola.models.pop2piano.Pop2PianoModel.open(pkg, OnnxSessions.Device.CPU)) {
            reference = dev.pianola.models.pop2piano.Pop2PianoCover.cover(m, song, beatTimes, m.composers().get(0), 32, true, () -> false,
                    dev.pianola.runtime.Progress.NONE).notes().notes();
        }
        try (CoverSession s = CoverSession.startPop2Piano("test", RATE, pkg, null, 2, 0)) {
            assertEquals("pop2piano", s.engine());
            int frames = song.samples().length - song.samples().length % BLOCK;
            List<OutputEvent> played = feed(s, 0, 0, 0, frames);
            double lastBarEnd = Math.floor((frames / (double) RATE - CoverSession.LOOKAHEAD_SECONDS) * BPM / 60 / BAR) * BAR;
            List<String> live = played.stream().filter(OutputEvent::isNoteOn)
                    .map(e -> String.format(java.util.Locale.ROOT, "%.4f:%d", e.beats() - 2 * BAR, e.pitch())).sorted().toList();
            List<String> ref = reference.stream().filter(n -> n.startBeats() >= BAR - 1e-6 && n.startBeats() < lastBarEnd - 1e-6)
                    .map(n -> String.format(java.util.Locale.ROOT, "%.4f:%d", n.startBeats(), n.pitch())).sorted().toList();
            System.out.printf("pop2piano cover session (tiny model) vs offline, bars 1..%.0f: %d notes live, %d offline; %d bars covered, %d without context, compute per bar median %.0f ms%n",
                    lastBarEnd / BAR, live.size(), ref.size(), s.stats().barsCovered(), s.barsWithoutContext(), median(s.stats().computeMillis()));
            assertTrue(ref.size() > 10, "the tiny model plays notes in those bars: " + ref.size());
            assertEquals(1, s.barsWithoutContext(), "bar 0 has no bar before it");
            // bar 1 generates its context and its own segment; every later bar reuses the segment of the bar
            // before as its context (a silent bar, not decoded, would break the chain: the song has none)
            int decoded = s.stats().barsCovered() - s.barsWithoutContext();
            CoverSession.Pop2PianoWork work = s.pop2pianoWork();
            assertArrayEquals(new int[] {decoded + 1, decoded - 1}, new int[] {work.rowsGenerated(), work.rowsReused()}, "rows generated, rows reused");
            assertEquals(ref, live, "the notes of every bar (beat:pitch, played 2 bars later)");
        }
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) return Double.NaN;
        List<Double> s = xs.stream().sorted().toList();
        return s.get(s.size() / 2);
    }
}
