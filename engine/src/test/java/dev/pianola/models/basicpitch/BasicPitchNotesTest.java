package dev.pianola.models.basicpitch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.midi.PitchBend;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Note creation and MIDI conversion against basic-pitch 0.4.0's own outputs (no model run). */
class BasicPitchNotesTest {
    private static Posteriorgrams golden() {
        return new Posteriorgrams(Fixtures.matrix("golden_model_output.npz", "note"),
                Fixtures.matrix("golden_model_output.npz", "onset"),
                Fixtures.matrix("golden_model_output.npz", "contour_near_notes"));
    }

    @Test
    void goldenPosteriorgramsGiveTheGoldenNoteEventsInTheSameOrder() {
        Posteriorgrams pg = golden();
        List<NoteEvent> got = NoteCreation.notes(pg, NoteOptions.DEFAULTS);
        List<Fixtures.Expected> want = Fixtures.events("golden_note_events.json");
        assertEquals(28, want.size());
        assertEquals(want.size(), got.size());
        double[] times = NoteCreation.framesToSeconds(pg.frames());
        double maxAmplitudeDiff = 0;
        for (int i = 0; i < want.size(); i++) {
            NoteEvent g = got.get(i);
            Fixtures.Expected w = want.get(i);
            String where = "note " + i + " " + g;
            assertEquals(w.pitch(), g.pitch(), where);
            // same frame <=> same time from the same formula; upstream's times are exact doubles
            assertEquals(w.startSeconds(), g.startSeconds(), 1e-12, where);
            assertEquals(w.endSeconds(), g.endSeconds(), 1e-12, where);
            assertEquals(times[g.startFrame()], g.startSeconds());
            assertArrayEquals(w.bends(), g.bends(), where);
            assertEquals(g.endFrame() - g.startFrame(), g.bends().length);
            maxAmplitudeDiff = Math.max(maxAmplitudeDiff, Math.abs(w.amplitude() - g.amplitude()));
        }
        System.out.printf("golden note events: 28/28 identical, max |amplitude diff| %.2e%n", maxAmplitudeDiff);
        assertTrue(maxAmplitudeDiff <= 1e-4, "amplitude differs by " + maxAmplitudeDiff);
    }

    @Test
    void optionsChangeTheNotes() {
        Posteriorgrams pg = golden();
        List<NoteEvent> all = NoteCreation.notes(pg, NoteOptions.DEFAULTS);
        // the melody spans MIDI 45..56: from D3 (146.8 Hz, MIDI 50) up keeps only its upper notes
        List<NoteEvent> high = NoteCreation.notes(pg, NoteOptions.DEFAULTS.withFrequencyRange(146.83, null));
        assertTrue(high.size() < all.size() && !high.isEmpty(), all.size() + " -> " + high.size());
        assertTrue(high.stream().allMatch(n -> n.pitch() >= 50), high.toString());
        List<NoteEvent> low = NoteCreation.notes(pg, NoteOptions.DEFAULTS.withFrequencyRange(null, 146.83));
        assertTrue(!low.isEmpty() && low.stream().allMatch(n -> n.pitch() < 50), low.toString());
        List<NoteEvent> noBends = NoteCreation.notes(pg, NoteOptions.DEFAULTS.withPitchBends(false));
        assertEquals(all.size(), noBends.size());
        assertTrue(noBends.stream().allMatch(n -> n.bends().length == 0));
        // stricter thresholds can only remove notes
        assertTrue(NoteCreation.notes(pg, NoteOptions.DEFAULTS.withThresholds(0.9, 0.6)).size() < all.size());
    }

    @Test
    void defaultsAreUpstreams() {
        assertEquals(11, NoteOptions.DEFAULTS.minNoteLengthFrames());
        assertEquals(0.5, NoteOptions.DEFAULTS.onsetThreshold());
        assertEquals(0.3, NoteOptions.DEFAULTS.frameThreshold());
        double[] t = NoteCreation.framesToSeconds(345);
        assertEquals(171 * 256 / 22050.0, t[171], 0);
        // the upstream correction of 0.0103261 s per 172 frames
        assertEquals(172 * 256 / 22050.0 - 0.0103261, t[172], 1e-7);
        assertEquals(344 * 256 / 22050.0 - 2 * 0.0103261, t[344], 1e-7);
    }

    @Test
    void silenceGivesNoNotes() {
        int frames = 300;
        Posteriorgrams silent = new Posteriorgrams(new float[frames][88], new float[frames][88], new float[frames][264]);
        assertEquals(List.of(), NoteCreation.notes(silent, NoteOptions.DEFAULTS));
        Posteriorgrams empty = new Posteriorgrams(new float[0][88], new float[0][88], new float[0][264]);
        assertEquals(List.of(), NoteCreation.notes(empty, NoteOptions.DEFAULTS));
    }

    @Test
    void midiMatchesNoteEventsToMidi() {
        List<NoteEvent> events = new ArrayList<>();
        for (Fixtures.Expected e : Fixtures.events("predict_note_events.json")) {
            events.add(new NoteEvent(-1, -1, e.startSeconds(), e.endSeconds(), e.pitch(), e.amplitude(), e.bends()));
        }
        JsonNode midi = Fixtures.json("predict_midi.json");
        for (boolean multiple : new boolean[]{false, true}) {
            NoteSequence seq = BasicPitchMidi.toNoteSequence(events, multiple);
            JsonNode instruments = midi.get(multiple ? "multiple" : "single");
            List<double[]> wantNotes = new ArrayList<>(), wantBends = new ArrayList<>();
            for (JsonNode ins : instruments) {
                // one channel per upstream instrument: every note and bend of an instrument shares one
                int channel = -1;
                for (JsonNode n : ins.get("notes")) {
                    wantNotes.add(new double[]{n.get(0).asDouble(), n.get(1).asDouble(), n.get(2).asInt(), n.get(3).asInt()});
                    Note got = seq.notes().stream().filter(x -> x.pitch() == n.get(2).asInt()
                            && Math.abs(seq.startSeconds(x) - n.get(0).asDouble()) < 1e-9).findFirst().orElseThrow();
                    if (channel < 0) channel = got.channel();
                    assertEquals(channel, got.channel(), "notes of one upstream instrument share a channel");
                }
                for (JsonNode b : ins.get("bends")) wantBends.add(new double[]{b.get(0).asDouble(), b.get(1).asInt(), channel});
            }
            assertEquals(wantNotes.size(), seq.notes().size());
            wantNotes.sort(Comparator.<double[]>comparingDouble(a -> a[0]).thenComparingDouble(a -> a[2]));
            for (int i = 0; i < wantNotes.size(); i++) {
                Note n = seq.notes().get(i);
                double[] w = wantNotes.get(i);
                assertEquals(w[0], seq.startSeconds(n), 1e-9);
                assertEquals(w[1], seq.endSeconds(n), 1e-9);
                assertEquals(w[0] * 2, n.startBeats(), 1e-9, "120 BPM: beats = seconds * 2");
                assertEquals((int) w[2], n.pitch());
                assertEquals((int) w[3], n.velocity());
            }
            assertEquals(wantBends.size(), seq.bends().size(), "multiple=" + multiple);
            // a note's last bend and the next note's first can share a time: compare as sorted multisets
            wantBends.sort(Comparator.<double[]>comparingDouble(a -> a[0]).thenComparingDouble(a -> a[2])
                    .thenComparingDouble(a -> a[1]));
            List<PitchBend> got = new ArrayList<>(seq.bends());
            got.sort(Comparator.comparingDouble(PitchBend::beats).thenComparingInt(PitchBend::channel)
                    .thenComparingInt(PitchBend::value));
            for (int i = 0; i < got.size(); i++) {
                assertEquals(wantBends.get(i)[0] * 2, got.get(i).beats(), 1e-9);
                assertEquals((int) wantBends.get(i)[1], got.get(i).value());
                assertEquals((int) wantBends.get(i)[2], got.get(i).channel());
            }
            if (multiple) assertTrue(seq.notes().stream().noneMatch(n -> n.channel() == 9), "channel 9 is drums");
        }
    }

    @Test
    void overlappingNotesLoseTheirBendsUnlessMultiple() {
        List<NoteEvent> events = List.of(
                new NoteEvent(0, 20, 0.0, 1.0, 60, 0.5, new int[]{0, 1, 2}),
                new NoteEvent(10, 30, 0.5, 1.5, 64, 0.5, new int[]{-1, -2}),   // overlaps the first
                new NoteEvent(40, 60, 2.0, 3.0, 67, 0.001, new int[]{9, -9}));  // alone
        NoteSequence single = BasicPitchMidi.toNoteSequence(events, false);
        assertEquals(List.of(new PitchBend(4.0, 0, 8191), new PitchBend(6.0, 0, -8192)), single.bends());
        assertEquals(1, single.notes().get(2).velocity(), "round(0.127) = 0 is clamped to 1");
        NoteSequence multiple = BasicPitchMidi.toNoteSequence(events, true);
        assertEquals(7, multiple.bends().size());
        assertEquals(List.of(0, 1, 2), multiple.notes().stream().map(Note::channel).toList());
        assertEquals(new PitchBend(1.0, 0, 1365), multiple.bends().get(1)); // linspace(0, 1, 3)[1] = 0.5 s; round(4096/3)
        assertEquals(2731, BasicPitchMidi.bendValue(2));
        assertEquals(-1365, BasicPitchMidi.bendValue(-1));
    }
}
