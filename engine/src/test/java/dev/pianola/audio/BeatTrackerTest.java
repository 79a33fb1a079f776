package dev.pianola.audio;

import dev.pianola.TestPaths;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.BadInputException;
import dev.pianola.eval.BeatFMeasure;
import dev.pianola.time.TempoMap;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BeatTrackerTest {
    private static final Path DIR = TestPaths.root().resolve("tests/fixtures").resolve("beats");
    private static JsonNode clips;

    @BeforeAll
    static void load() throws IOException {
        clips = new ObjectMapper().readTree(DIR.resolve("beats.json").toFile()).get("clips");
        assertTrue(clips.size() >= 3);
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asDouble();
        return out;
    }

    /** Synthetic songs with a known grid: Java's F-measure next to librosa's on the same audio. */
    @Test
    void beatsMatchTheKnownGridAsWellAsLibrosa() {
        System.out.println("clip        true BPM  Java BPM  librosa BPM   F Java  F librosa");
        for (JsonNode clip : clips) {
            String name = clip.get("file").asText();
            Audio audio = AudioFiles.read(DIR.resolve(name));
            Beats beats = BeatTracker.track(audio);
            double[] truth = doubles(clip.get("beats"));
            double f = fMeasure(truth, beats.beatSeconds());
            double reference = clip.get("librosa").get("f_measure").asDouble();
            System.out.printf("%-12s %7.1f %9.2f %12.2f %8.3f %10.3f%n", name, clip.get("bpm").asDouble(), beats.bpm(),
                    clip.get("librosa").get("bpm").asDouble(), f, reference);
            assertTrue(f >= reference - 0.05, name + ": F " + f + " clearly below librosa's " + reference);
            if (!name.startsWith("soft")) assertTrue(f >= 0.8, name + ": F " + f + " on clean material");
            for (double b : beats.beatSeconds()) assertTrue(b >= 0 && b <= audio.seconds(), name + ": beat at " + b);
        }
    }

    /**
     * Same algorithm and parameters as librosa: its onset envelope, tempo and beats are
     * reproduced. librosa computes the spectrogram in float32, so envelopes agree to about 1e-6
     * of their peak rather than exactly; that never moves a beat by a frame.
     */
    @Test
    void reproducesLibrosaOnsetsTempoAndBeats() {
        for (JsonNode clip : clips) {
            String name = clip.get("file").asText();
            Audio audio = AudioFiles.read(DIR.resolve(name));
            double[] expected = doubles(clip.get("librosa").get("onset_envelope"));
            double[] actual = BeatTracker.onsetStrength(audio.samples());
            assertEquals(expected.length, actual.length, name + ": onset frames");
            double peak = 0, worst = 0;
            for (int i = 0; i < expected.length; i++) {
                peak = Math.max(peak, expected[i]);
                worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
            }
            Beats beats = BeatTracker.trackLikeLibrosa(audio);
            double[] librosaBeats = doubles(clip.get("librosa").get("beats"));
            System.out.printf("%s: onset envelope max |diff| %.2e (peak %.2f); tempo %.2f vs %.2f; %d vs %d beats%n",
                    name, worst, peak, beats.bpm(), clip.get("librosa").get("bpm").asDouble(),
                    beats.count(), librosaBeats.length);
            assertTrue(worst <= 1e-5 * peak, name + ": onset envelope differs by " + worst);
            assertEquals(clip.get("librosa").get("bpm").asDouble(), beats.bpm(), 1e-6, name + ": tempo");
            assertArrayEquals(librosaBeats, beats.beatSeconds(), 1e-5, name + ": beat times"); // fixture has 6 decimals
        }
    }

    /** track() is librosa's result with every beat one frame (512 / 22050 s) earlier, nothing else. */
    @Test
    void trackIsLibrosaOneFrameEarlier() {
        for (JsonNode clip : clips) {
            Audio audio = AudioFiles.read(DIR.resolve(clip.get("file").asText()));
            Beats librosa = BeatTracker.trackLikeLibrosa(audio), ours = BeatTracker.track(audio);
            assertEquals(librosa.bpm(), ours.bpm(), 0.0);
            double[] expected = Arrays.stream(librosa.beatSeconds()).map(t -> t - 512 / 22050.0).filter(t -> t >= 0).toArray();
            assertArrayEquals(expected, ours.beatSeconds(), 1e-12, clip.get("file").asText());
        }
    }

    @Test
    void threeMinuteSong() {
        JsonNode clip = clips.get(1);
        float[] part = AudioFiles.read(DIR.resolve(clip.get("file").asText())).samples();
        float[] song = new float[180 * 22050];
        for (int i = 0; i < song.length; i++) song[i] = part[i % part.length];
        long t0 = System.nanoTime();
        Beats beats = BeatTracker.track(new Audio(song, 22050));
        System.out.printf("3-minute song: %d beats at %.2f BPM in %.0f ms%n", beats.count(), beats.bpm(), (System.nanoTime() - t0) / 1e6);
        assertEquals(clip.get("bpm").asDouble(), beats.bpm(), 1.0);
        assertTrue(beats.count() > 150 * 123 / 60, beats.toString());
    }

    @Test
    void otherSampleRatesAreResampledFirst() {
        JsonNode clip = clips.get(0);
        Audio audio = AudioFiles.read(DIR.resolve(clip.get("file").asText()));
        Audio at44k = Resampler.toRate(audio, 44100);
        Beats beats = BeatTracker.track(at44k);
        double f = fMeasure(doubles(clip.get("beats")), beats.beatSeconds());
        System.out.printf("%s at 44.1 kHz: %.2f BPM, F %.3f%n", clip.get("file").asText(), beats.bpm(), f);
        assertTrue(f >= 0.8, "F " + f);
    }

    @Test
    void silenceAndTinyClipsGiveNoBeats() {
        assertEquals(Beats.NONE, BeatTracker.track(new Audio(new float[22050 * 10], 22050)));
        assertEquals(Beats.NONE, BeatTracker.track(new Audio(new float[0], 22050)));
        assertEquals(Beats.NONE, BeatTracker.track(new Audio(new float[1000], 44100)));
        float[] blip = new float[1000];
        blip[500] = 1;
        assertEquals(Beats.NONE, BeatTracker.track(new Audio(blip, 22050))); // shorter than one frame step of flux
    }

    /** Audio from elsewhere than AudioFiles (which refuses it) may still hold NaN or infinities. */
    @Test
    void nonFiniteSamplesGiveNoBeatsInsteadOfCrashing() {
        JsonNode clip = clips.get(1);
        float[] song = AudioFiles.read(DIR.resolve(clip.get("file").asText())).samples();
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] x = song.clone();
            x[x.length / 2] = bad;
            assertEquals(Beats.NONE, BeatTracker.track(new Audio(x, 22050)), "sample " + bad);
        }
        double[] nanOnsets = new double[2000];
        Arrays.fill(nanOnsets, Double.NaN);
        assertTrue(Double.isNaN(BeatTracker.estimateBpm(nanOnsets)));
    }

    @Test
    void shortClipsDoNotBreakIt() {
        for (double seconds : new double[] {0.2, 0.5, 1.0, 2.0}) {
            int n = (int) (seconds * 22050);
            float[] clicks = new float[n];
            for (int i = 0; i < n; i += 11025) for (int j = 0; j < 200 && i + j < n; j++) clicks[i + j] = (float) Math.sin(j * 0.3) * (1 - j / 200f);
            Beats beats = BeatTracker.track(new Audio(clicks, 22050));
            assertTrue(beats.bpm() >= 0, seconds + " s");
            for (double b : beats.beatSeconds()) assertTrue(b <= seconds + 0.05, seconds + " s: beat at " + b);
        }
        // one click in silence: a tempo cannot come from one onset, but the result stays sane
        float[] one = new float[22050 * 3];
        for (int j = 0; j < 300; j++) one[22050 + j] = (float) Math.sin(j * 0.2);
        Beats beats = BeatTracker.track(new Audio(one, 22050));
        assertTrue(beats.count() <= 10, beats.toString());
    }

    @Test
    void fromTempoMakesASteadyGrid() {
        assertArrayEquals(new double[] {0.5, 1.0, 1.5}, Beats.fromTempo(120, 0.5, 2.0).beatSeconds(), 1e-12);
        assertArrayEquals(new double[] {0.5, 1.0, 1.5, 2.0}, Beats.fromTempo(120, 0.5, 2.01).beatSeconds(), 1e-12);
        Beats grid = Beats.fromTempo(97, 0.123, 60);
        assertEquals(97, grid.bpm());
        assertEquals(97, grid.count()); // 0.123 + 96 * 60/97 = 59.5 s < 60 s
        assertEquals(0, Beats.fromTempo(120, 5, 4).count());
        assertThrows(BadInputException.class, () -> Beats.fromTempo(0, 0, 10));
        assertThrows(BadInputException.class, () -> Beats.fromTempo(Double.NaN, 0, 10));
        assertThrows(BadInputException.class, () -> Beats.fromTempo(120, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> new Beats(new double[] {1, 0.5}, 120));
    }

    /** A steady 108 BPM click track: the grid is one tempo, not a tempo per beat (39 on examples/demo.wav before). */
    @Test
    void aSteadyClickTrackIsOneTempo() {
        Beats beats = BeatTracker.track(TestSignals.struck(TestSignals.steady(108, 0, 30), 30, 440));
        TempoMap grid = beats.tempoMap();
        System.out.printf("108 BPM clicks: tracker %.2f BPM, grid %s%n", beats.bpm(), grid);
        assertEquals(1, grid.changes().size(), grid.toString());
        assertEquals(108, grid.bpmAt(0), 0.3);
        // every click is on a whole beat of the grid
        for (double t : TestSignals.steady(108, 0, 29)) assertEquals(Math.rint(grid.beatsAt(t)), grid.beatsAt(t), 0.05, "click at " + t);
    }

    /** A chord every 2 s at 120 BPM (one per bar, nothing between) autocorrelates at 2 s: it was a 30 BPM grid. */
    @Test
    void sparseChordsGetATempoInThePreferredRange() {
        Beats beats = BeatTracker.track(TestSignals.struck(TestSignals.steady(30, 0.5, 40), 40, 261.6, 329.6, 392.0));
        System.out.printf("a chord every 2 s: %.2f BPM, librosa %.2f BPM%n", beats.bpm(),
                BeatTracker.trackLikeLibrosa(TestSignals.struck(TestSignals.steady(30, 0.5, 40), 40, 261.6, 329.6, 392.0)).bpm());
        assertEquals(120, beats.bpm(), 3, beats.toString());
        assertEquals(120, beats.tempoMap().mainBpm(80), 3, beats.tempoMap().toString());
    }

    /** 30 s of clicks at 100 BPM, then 30 s at 130: the beats follow, and the grid has the two tempi. */
    @Test
    void aRealTempoChangeIsFollowed() {
        double[] slow = TestSignals.steady(100, 0.3, 30), fast = TestSignals.steady(130, slow[slow.length - 1] + 60 / 100.0, 60);
        double[] clicks = java.util.stream.DoubleStream.concat(Arrays.stream(slow), Arrays.stream(fast)).toArray();
        Audio audio = TestSignals.struck(clicks, 60, 440);
        Beats beats = BeatTracker.track(audio);
        double f = fMeasure(clicks, beats.beatSeconds()), librosa = fMeasure(clicks, BeatTracker.trackLikeLibrosa(audio).beatSeconds());
        TempoMap grid = beats.tempoMap();
        System.out.printf("100 then 130 BPM: F %.3f (librosa's one tempo: %.3f), grid %s%n", f, librosa, grid);
        assertTrue(f >= 0.9, "F " + f);
        assertEquals(100, grid.bpmAt(10), 2, grid.toString());
        assertEquals(130, grid.bpmAt(grid.beatsAt(50)), 2, grid.toString());
        assertTrue(grid.changes().size() <= 4, "a few tempo events around the change, not one per beat: " + grid);
    }

    @Test
    void temposOutsideTheRangeMoveByOctaves() {
        double[] flat = new double[400]; // no lag stands out: the octave nearest 120 BPM wins
        java.util.Arrays.fill(flat, 0.5);
        assertEquals(120, BeatTracker.inPreferredOctave(30, flat), 1e-9);
        assertEquals(100, BeatTracker.inPreferredOctave(200, flat), 1e-9);
        assertEquals(96, BeatTracker.inPreferredOctave(96, flat), 0);
        assertEquals(140, BeatTracker.inPreferredOctave(35, flat), 1e-9); // 70 and 140 fit: 140 is nearer 120
    }

    private static double fMeasure(double[] reference, double[] estimated) {
        return BeatFMeasure.f(reference, estimated);
    }
}
