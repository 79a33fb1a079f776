package dev.pianola.arrange;

import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import dev.pianola.time.TempoMap;
import dev.pianola.time.TimeSignature;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.pianola.arrange.Playability.assertPlayable;
import static dev.pianola.arrange.Playability.hand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The left hand's textures on a hand-made C-F-G-C progression: which bass and chord, on which beats. */
class TextureTest {
    private static final TempoMap TEMPO = TempoMap.constant(100);
    private static final int[] BASS = {36, 41, 43, 36}; // C2 F2 G2 C2
    private static final int[][] CHORD = {{40, 43, 48}, {45, 48, 53}, {47, 50, 55}, {40, 43, 48}}; // within an octave of the bass
    private static final int[][] TUNE = {{72, 76, 79, 76}, {77, 81, 77, 72}, {74, 79, 83, 79}, {84, 79, 76, 72}};

    /**
     * Four bars of 4/4: a loud tune in quarters on top; under it the left hand as a transcription hears
     * it: the bass re-struck on beat 3, the chord struck twice (detached), a short quiet stray note a tone over
     * the bass on beat 4.
     */
    static List<Note> progression() {
        List<Note> in = new ArrayList<>();
        for (int bar = 0; bar < 4; bar++) {
            int at = 4 * bar;
            for (int beat = 0; beat < 4; beat++) in.add(new Note(TUNE[bar][beat], at + beat, 1, 100));
            in.add(new Note(BASS[bar], at, 2, 70));
            in.add(new Note(BASS[bar], at + 2, 2, 66));
            for (int p : CHORD[bar]) for (int half = 0; half < 2; half++) in.add(new Note(p, at + 2 * half, 1.75, 50));
            in.add(new Note(BASS[bar] + 2, at + 3, 0.25, 30));
        }
        return in;
    }

    static ArrangeOptions texture(ArrangeOptions.Texture t, Map<String, ?> more) {
        Map<String, Object> all = new java.util.HashMap<>(Map.of("leftHandTexture", t.name(), "velocityMode", "RAW"));
        all.putAll(more);
        return ArrangePresets.withOverrides(ArrangeOptions.defaults(), all);
    }

    static Arrangement arrange(ArrangeOptions o) {
        return Arranger.arrange(new NoteSequence(progression(), TEMPO), o);
    }

    /** Left-hand notes starting at {@code beats}, pitches ascending. */
    static List<Integer> struckAt(Arrangement a, double beats) {
        return hand(a.notes().notes(), Hands.LEFT).stream().filter(n -> Math.abs(n.startBeats() - beats) < 1e-9).map(Note::pitch).sorted().toList();
    }

    static List<Note> left(Arrangement a) {
        return hand(a.notes().notes(), Hands.LEFT);
    }

    @Test
    void sustainedHoldsTheBassAndAnOpenChordForEachBar() {
        ArrangeOptions o = texture(ArrangeOptions.Texture.SUSTAINED, Map.of());
        Arrangement a = arrange(o);
        assertPlayable(a, o, "sustained");
        // a bass under C3 takes its fifth and octave (a close third down there is mud)
        int[][] expected = {{36, 43, 48}, {41, 48, 53}, {43, 50, 55}, {36, 43, 48}};
        for (int bar = 0; bar < 4; bar++) {
            assertEquals(List.of(expected[bar][0], expected[bar][1], expected[bar][2]), struckAt(a, 4 * bar), "bar " + (bar + 1));
            for (Note n : left(a)) {
                if (n.startBeats() == 4 * bar) assertEquals(4, n.durationBeats(), 1e-9, "one harmony a bar: held the bar: " + n);
            }
        }
        assertEquals(12, left(a).size(), "nothing else: the stray notes and the re-struck bass are gone");
        for (int bar = 0; bar < 4; bar++) {
            final int b = bar;
            List<Integer> velocities = left(a).stream().filter(n -> n.startBeats() == 4 * b).map(Note::velocity).distinct().toList();
            assertEquals(1, velocities.size(), "one velocity a segment: " + velocities);
            assertTrue(velocities.get(0) > 30 && velocities.get(0) < 70, "the mean of the bass (70), chord (50) and stray note (30): " + velocities);
        }
        int asPlayed = arrange(texture(ArrangeOptions.Texture.AS_PLAYED, Map.of())).report().leftHandNotes();
        assertEquals(asPlayed, a.report().replacedByTexture());
        assertEquals(12, a.report().writtenByTexture());
    }

    @Test
    void popPlaysTheBassOnOneAndThreeAndTheTriadUnderTheRightHandOnTwoAndFour() {
        ArrangeOptions o = texture(ArrangeOptions.Texture.POP, Map.of());
        Arrangement a = arrange(o);
        assertPlayable(a, o, "pop");
        int[][] stab = {{48, 52, 55}, {48, 53, 57}, {50, 55, 59}, {48, 52, 55}}; // C, F/C, G/D: close, near the right hand
        for (int bar = 0; bar < 4; bar++) {
            for (int beat = 0; beat < 4; beat++) {
                List<Integer> expected = beat % 2 == 0 ? List.of(BASS[bar]) : List.of(stab[bar][0], stab[bar][1], stab[bar][2]);
                assertEquals(expected, struckAt(a, 4 * bar + beat), "bar " + (bar + 1) + " beat " + (beat + 1));
            }
        }
        assertTrue(left(a).stream().allMatch(n -> n.durationBeats() == 1), "each held to the next beat");
    }

    @Test
    void brokenPlaysTheBassFifthAndOctaveInEighths() {
        ArrangeOptions o = texture(ArrangeOptions.Texture.BROKEN, Map.of());
        Arrangement a = arrange(o);
        assertPlayable(a, o, "broken");
        int[][] chord = {{36, 43, 48}, {41, 48, 53}, {43, 50, 55}, {36, 43, 48}};
        int[] pattern = {0, 1, 2, 1}; // 1-5-8-5 over an open chord
        for (int bar = 0; bar < 4; bar++) {
            for (int eighth = 0; eighth < 8; eighth++) {
                assertEquals(List.of(chord[bar][pattern[eighth % 4]]), struckAt(a, 4 * bar + 0.5 * eighth), "bar " + (bar + 1) + " eighth " + (eighth + 1));
            }
        }
        assertTrue(left(a).stream().allMatch(n -> n.durationBeats() == 0.5), "eighths");
    }

    @Test
    void aBassFromC3UpTakesAClosePositionTriadAndBreaksItAlberti() {
        // the progression an octave up in the left hand: room for the third over the bass
        List<Note> in = progression().stream().map(n -> n.pitch() < 60 ? n.withPitch(n.pitch() + 12) : n).toList();
        // the chord's notes now sound in the right hand too: room for three more fingers
        Map<String, Integer> roomy = Map.of("maxPolyphony", 8);
        ArrangeOptions sustained = texture(ArrangeOptions.Texture.SUSTAINED, roomy), broken = texture(ArrangeOptions.Texture.BROKEN, roomy);
        Arrangement held = Arranger.arrange(new NoteSequence(in, TEMPO), sustained), alberti = Arranger.arrange(new NoteSequence(in, TEMPO), broken);
        assertPlayable(held, sustained, "sustained, higher");
        assertPlayable(alberti, broken, "broken, higher");
        assertEquals(List.of(48, 52, 55), struckAt(held, 0), "C3 E3 G3");
        List<Integer> firstBeats = new ArrayList<>();
        for (int eighth = 0; eighth < 4; eighth++) firstBeats.addAll(struckAt(alberti, 0.5 * eighth));
        assertEquals(List.of(48, 55, 52, 55), firstBeats, "Alberti: low, high, middle, high");
    }

    @Test
    void theRightHandIsUntouched() {
        List<Note> asPlayed = hand(arrange(texture(ArrangeOptions.Texture.AS_PLAYED, Map.of())).notes().notes(), Hands.RIGHT);
        assertTrue(asPlayed.size() >= 16, "the tune: " + asPlayed);
        for (ArrangeOptions.Texture t : ArrangeOptions.Texture.values()) {
            assertEquals(asPlayed, hand(arrange(texture(t, Map.of())).notes().notes(), Hands.RIGHT), t.name());
        }
    }

    @Test
    void theChordIsTheTriadNearestTheSegmentsPitchClassesRootedOnTheBass() {
        double[] cAdd6 = new double[12];
        cAdd6[0] = 2; // C
        cAdd6[4] = 1; // E
        cAdd6[7] = 1; // G
        cAdd6[9] = 1; // A
        assertEquals(new LeftHand.Chord(0, false), LeftHand.chordOf(cAdd6, 0), "C E G A over C: C");
        assertEquals(new LeftHand.Chord(9, true), LeftHand.chordOf(cAdd6, 9), "the same over A: A minor");
        double[] aMinor = new double[12];
        aMinor[9] = 2;
        aMinor[0] = 1;
        aMinor[4] = 1;
        assertEquals(new LeftHand.Chord(9, true), LeftHand.chordOf(aMinor, 4), "A C E over E: A minor (an inversion), not E");
    }

    @Test
    void everyTextureStaysPlayableUnderEveryPreset() {
        Random random = new Random(11);
        List<Note> noisy = new ArrayList<>(progression());
        for (int i = 0; i < 80; i++) {
            noisy.add(new Note(30 + random.nextInt(60), random.nextInt(64) / 4.0, 0.25 + random.nextInt(12) / 4.0, 20 + random.nextInt(100), 0));
        }
        List<TimeSignature> threeFour = List.of(new TimeSignature(0, 3, 4));
        for (String preset : List.of("default", "simple", "full")) {
            for (ArrangeOptions.Texture t : ArrangeOptions.Texture.values()) {
                ArrangeOptions o = ArrangePresets.withOverrides(ArrangePresets.load(preset), Map.of("leftHandTexture", t.name()));
                for (List<TimeSignature> meters : List.of(List.of(TimeSignature.FOUR_FOUR), threeFour, TimeSignature.fourFourFrom(1))) {
                    String what = preset + " " + t + " " + meters;
                    Arrangement a = Arranger.arrange(new NoteSequence(noisy, TEMPO, meters, List.of(), List.of()), o);
                    assertPlayable(a, o, what);
                    assertTrue(left(a).size() >= 5, what + ": a left hand");
                }
            }
        }
    }

    @Test
    void theTexturePresetsSayWhatTheyPlay() {
        assertEquals(ArrangeOptions.Texture.POP, ArrangePresets.load("pop", ArrangePresetsTest.repoRoot()).leftHandTexture());
        assertEquals(ArrangeOptions.Texture.BROKEN, ArrangePresets.load("ballad", ArrangePresetsTest.repoRoot()).leftHandTexture());
        assertEquals(ArrangeOptions.Texture.AS_PLAYED, ArrangeOptions.defaults().leftHandTexture());
    }
}
