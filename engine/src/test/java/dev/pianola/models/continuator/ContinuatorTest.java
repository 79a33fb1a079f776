package dev.pianola.models.continuator;

import dev.pianola.BadInputException;
import dev.pianola.TestPaths;
import dev.pianola.midi.Note;
import dev.pianola.midi.NoteSequence;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Learning and back-off on tiny hand-made phrases whose continuations are known. */
class ContinuatorTest {
    /** C D E F D G in quarter notes: after D comes E or G, after C-D only E, after F-D only G. */
    static final int[] TUNE = {60, 62, 64, 65, 62, 67};

    /** Quarter notes from beat 0. */
    static List<Note> melody(int... pitches) {
        List<Note> notes = new ArrayList<>();
        for (int i = 0; i < pitches.length; i++) notes.add(new Note(pitches[i], i, 1.0, 80));
        return notes;
    }

    static Continuator learned(ContinuatorOptions options, int... pitches) {
        Continuator c = new Continuator(options);
        c.learn(melody(pitches));
        return c;
    }

    /** The first pitch of a one-beat continuation right after the phrase. */
    static int firstPitch(Continuator c, List<Note> phrase, long seed) {
        List<Note> out = c.continueFrom(phrase, 1.0, seed);
        assertEquals(1, out.size(), "one note in one beat of quarter notes: " + out);
        assertEquals(phrase.size(), out.get(0).startBeats(), 1e-9, "on the next beat");
        return out.get(0).pitch();
    }

    static Continuator.Choice nextAfter(Continuator c, List<Note> phrase) {
        return c.next(c.new Walk(phrase, 0));
    }

    @Test
    void atTemperatureZeroTheLongestContextSeenDecidesAsInPachetsRule() {
        Continuator c = learned(ContinuatorOptions.DEFAULT.withMaxOrder(2).withTemperature(0), TUNE);
        for (long seed = 0; seed < 20; seed++) {
            assertEquals(64, firstPitch(c, melody(60, 62), seed), "C D -> E, seed " + seed);
            assertEquals(67, firstPitch(c, melody(65, 62), seed), "F D -> G, seed " + seed);
        }
        Continuator.Choice choice = nextAfter(c, melody(60, 62));
        assertEquals(2, choice.order());
        assertEquals(Viewpoint.PITCH_RHYTHM, choice.viewpoint());
    }

    @Test
    void orderOneCannotTellAndDrawsBoth() {
        Continuator c = learned(ContinuatorOptions.DEFAULT.withMaxOrder(1), TUNE);
        Set<Integer> seen = new HashSet<>();
        for (long seed = 0; seed < 40; seed++) seen.add(firstPitch(c, melody(60, 62), seed));
        assertEquals(Set.of(64, 67), seen, "after D alone, E and G both followed once");
    }

    @Test
    void anUnseenContextBacksOffToAShorterOne() {
        Continuator c = learned(ContinuatorOptions.DEFAULT.withMaxOrder(2), TUNE);
        Continuator.Choice choice = nextAfter(learned(ContinuatorOptions.DEFAULT.withMaxOrder(2).withTemperature(0), TUNE), melody(70, 62)); // Bb D was never played; D was
        assertEquals(1, choice.order());
        assertEquals(Viewpoint.PITCH_RHYTHM, choice.viewpoint());
        Set<Integer> seen = new HashSet<>();
        for (long seed = 0; seed < 40; seed++) seen.add(firstPitch(c, melody(70, 62), seed));
        assertEquals(Set.of(64, 67), seen);
    }

    @Test
    void anUnseenRhythmBacksOffToThePitchesAndAnUnseenOctaveToThePitchClasses() {
        Continuator c = learned(ContinuatorOptions.DEFAULT.withMaxOrder(2).withTemperature(0), TUNE);
        // C as a half note, then D: the pitches C D were heard, in another rhythm
        List<Note> otherRhythm = List.of(new Note(60, 0, 2, 80), new Note(62, 2, 1, 80));
        Continuator.Choice choice = nextAfter(c, otherRhythm);
        assertEquals(2, choice.order(), "a longer context in pitches beats a shorter one in full detail");
        assertEquals(Viewpoint.PITCH, choice.viewpoint());
        for (long seed = 0; seed < 10; seed++) assertEquals(64, c.continueFrom(otherRhythm, 1.0, seed).get(0).pitch());

        // C D an octave up: only the pitch classes were heard; the answer is the E that was played
        choice = nextAfter(c, melody(72, 74));
        assertEquals(2, choice.order());
        assertEquals(Viewpoint.PITCH_CLASS, choice.viewpoint());
        for (long seed = 0; seed < 10; seed++) assertEquals(64, firstPitch(c, melody(72, 74), seed));
    }

    @Test
    void whenNothingMatchesItRestartsWithinThePitchClassesJustHeard() {
        Continuator c = learned(ContinuatorOptions.DEFAULT, TUNE);
        List<Note> phrase = melody(72, 61); // C# was never played, in any octave or context
        assertEquals(0, nextAfter(c, phrase).order());
        // of the remembered events only C uses nothing but the pitch classes heard (C and C#)
        for (long seed = 0; seed < 10; seed++) assertEquals(60, c.continueFrom(phrase, 1.0, seed).get(0).pitch());
    }

    @Test
    void contextsDoNotRunFromOnePhraseIntoTheNextButBackToItsOwnStart() {
        Continuator c = new Continuator();
        c.learn(melody(60, 62));
        c.learn(melody(64, 65));
        assertEquals(4, c.eventsLearned());
        for (long seed = 0; seed < 10; seed++) {
            assertEquals(60, firstPitch(c, melody(62), seed), "D ended the first phrase: it leads back to its C, not on to the E of the next");
            assertEquals(65, firstPitch(c, melody(64), seed), "what the player played live is learned");
        }
    }

    @Test
    void temperatureZeroTakesTheMostFrequentContinuation() {
        Continuator c = learned(ContinuatorOptions.DEFAULT.withMaxOrder(1).withTemperature(0), 60, 62, 64, 60, 62, 64, 60, 62, 67);
        for (long seed = 0; seed < 20; seed++) assertEquals(64, firstPitch(c, melody(62), seed));
    }

    @Test
    void chordsStayChordsAndAPlayedSpreadStillMatches() {
        List<Note> chords = new ArrayList<>();
        int[][] progression = {{60, 64, 67}, {65, 69, 72}, {67, 71, 74}, {60, 64, 67}};
        for (int i = 0; i < progression.length; i++) for (int p : progression[i]) chords.add(new Note(p, i * 2.0, 2.0, 70));
        // temperature 0: after the C chord came the F chord, and (the phrase starting over) the C chord
        Continuator c = new Continuator(ContinuatorOptions.DEFAULT.withMaxOrder(2).withTemperature(0));
        c.learn(chords);
        // the C chord rolled over 40 ms at 120 BPM, as a hand plays it
        List<Note> rolled = List.of(new Note(60, 0, 2, 70), new Note(64, 0.04, 1.96, 70), new Note(67, 0.08, 1.92, 70));
        List<Note> out = c.continueFrom(rolled, 0, 4, 5);
        assertEquals(List.of(new Note(65, 2, 2, 70), new Note(69, 2, 2, 70), new Note(72, 2, 2, 70)), out, "the F chord, together, two beats later");
    }

    @Test
    void theSameSeedGivesTheSameNotesAndOtherSeedsOthers() {
        NoteSequence song = ContinuatorCorpusTest.merged(TestPaths.corpus("midi/piano/POP909_008.mid"));
        List<Note> prompt = song.notes().stream().filter(n -> n.startBeats() < 32).toList();
        Continuator a = new Continuator(), b = new Continuator();
        a.learn(prompt);
        b.learn(prompt);
        List<Note> first = a.continueFrom(prompt, 32, 32, 7);
        assertEquals(first, a.continueFrom(prompt, 32, 32, 7), "run to run");
        assertEquals(first, b.continueFrom(prompt, 32, 32, 7), "model to model");
        Set<List<Note>> distinct = new HashSet<>();
        for (long seed = 1; seed <= 4; seed++) distinct.add(a.continueFrom(prompt, 32, 32, seed));
        assertTrue(distinct.size() > 1, "different seeds, different continuations");
        assertEquals(a.continueFrom(prompt, 32, 0), a.continueFrom(prompt, 32), "the options' seed (0) when none is given");
    }

    @Test
    void transpositionAnswersInAKeyItNeverHeard() {
        int[] moved = {64, 66, 68}; // C D E played a major third higher: E F# G#
        Continuator transposing = learned(ContinuatorOptions.DEFAULT.withTranspose(true), TUNE);
        assertEquals(12 * TUNE.length, transposing.eventsLearned(), "the tune in all twelve keys");
        for (long seed = 0; seed < 10; seed++) assertEquals(69, firstPitch(transposing, melody(moved), seed), "F moved up a third: A");
        Set<Integer> keyOfE = new HashSet<>();
        for (int p : TUNE) keyOfE.add((p + 4) % 12);
        for (Note n : transposing.continueFrom(melody(moved), 16, 3)) assertTrue(keyOfE.contains(n.pitch() % 12), "stays in the moved key: " + n);

        // without the copies, the steps of the tune still lead there: after the whole tone F#-G# the
        // tune went up a semitone (E-F), which in E major is G#-A
        Continuator plain = learned(ContinuatorOptions.DEFAULT.withTemperature(0), TUNE);
        assertEquals(TUNE.length, plain.eventsLearned());
        assertEquals(Viewpoint.INTERVAL, nextAfter(plain, melody(moved)).viewpoint());
        assertEquals(69, firstPitch(plain, melody(moved), 0));
    }

    @Test
    void temperatureAndMaxOrderChangeTheAnswer() {
        List<Note> phrase = ShortPhraseTest.line(64, 1, 62, 1, 60, 1, 62, 1, 64, 1, 64, 1, 64, 2);
        Set<List<Note>> answers = new HashSet<>();
        for (ContinuatorOptions o : List.of(ContinuatorOptions.DEFAULT, ContinuatorOptions.DEFAULT.withTemperature(0),
                ContinuatorOptions.DEFAULT.withTemperature(3), ContinuatorOptions.DEFAULT.withMaxOrder(1))) {
            Continuator c = new Continuator(o);
            c.learn(phrase);
            answers.add(c.continueFrom(phrase, 8, 32, 5));
        }
        assertEquals(4, answers.size(), "each setting its own answer, with one seed");
    }

    @Test
    void anAnswerEndsOnAStableDegreeHeldToItsEnd() {
        // C major: the answer's last onset is on C, E or G (the tonic triad), and it sounds to the end
        List<Note> phrase = ShortPhraseTest.line(60, 2, 64, 1, 67, 1, 65, 1, 62, 1, 59, .5, 62, .5, 64, 1);
        assertEquals(new dev.pianola.arrange.Key(0, dev.pianola.arrange.Key.Mode.MAJOR), dev.pianola.arrange.KeyDetector.detect(phrase).withoutCorrelation());
        for (long seed = 0; seed < 10; seed++) {
            Continuator c = new Continuator();
            c.learn(phrase);
            List<Note> answer = c.continueFrom(phrase, 8, 16, seed);
            assertFalse(answer.isEmpty());
            double lastOnset = answer.get(answer.size() - 1).startBeats();
            for (Note n : answer) {
                if (n.startBeats() < lastOnset - 1e-9) continue;
                assertEquals(24, n.endBeats(), 1e-9, "held to the end of the answer, seed " + seed);
                if (n.pitch() == answer.stream().filter(m -> m.startBeats() >= lastOnset - 1e-9).mapToInt(Note::pitch).max().orElseThrow()) {
                    assertTrue(Set.of(0, 4, 7).contains(n.pitch() % 12), "ends on the tonic triad, seed " + seed + ": " + n);
                }
            }
        }
    }

    @Test
    void emptyPhrasesAreRefusedClearly() {
        Continuator c = new Continuator();
        BadInputException e = assertThrows(BadInputException.class, () -> c.learn(List.of()));
        assertTrue(e.getMessage().contains("no notes"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> c.continueFrom(melody(60), 4, 0));
        assertTrue(e.getMessage().contains("learned nothing"), e.getMessage());
        c.learn(melody(TUNE));
        e = assertThrows(BadInputException.class, () -> c.continueFrom(List.of(), 4, 0));
        assertTrue(e.getMessage().contains("no notes"), e.getMessage());
        assertEquals(3, e.exitCode(), "bad input exit code");
    }

    @Test
    void absurdOptionsAreRefused() {
        for (int order : new int[] {0, -1, 17}) {
            assertThrows(BadInputException.class, () -> ContinuatorOptions.DEFAULT.withMaxOrder(order), "order " + order);
        }
        for (double t : new double[] {-1, Double.NaN, 11, Double.POSITIVE_INFINITY}) {
            assertThrows(BadInputException.class, () -> ContinuatorOptions.DEFAULT.withTemperature(t), "temperature " + t);
        }
        Continuator c = learned(ContinuatorOptions.DEFAULT, TUNE);
        List<Note> phrase = melody(60, 62);
        for (double length : new double[] {0, -4, Double.NaN, 1e6}) {
            assertThrows(BadInputException.class, () -> c.continueFrom(phrase, length, 0), "length " + length);
        }
        assertThrows(BadInputException.class, () -> c.continueFrom(phrase, -1, 4, 0), "start before beat 0");
        assertThrows(BadInputException.class, () -> c.continueFrom(phrase, 1e12, 4, 0), "start far beyond the phrase");
        NoteSequence prompt = new NoteSequence(phrase, dev.pianola.time.TempoMap.constant(120));
        assertThrows(BadInputException.class, () -> c.continueFrom(prompt, 0, 0), "0 bars");
        assertEquals(8, c.continueFrom(prompt, 2, 0).size(), "2 bars of 4/4 in quarter notes");
    }
}
