package dev.pianola.live;

import dev.pianola.arrange.Key;
import dev.pianola.midi.Note;
import dev.pianola.models.continuator.Continuator;
import dev.pianola.models.continuator.ContinuatorOptions;
import dev.pianola.runtime.InferenceWorker;
import dev.pianola.runtime.Progress;
import dev.pianola.time.TempoMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Drives real sessions (a real Continuator on a real InferenceWorker) through simulated blocks at 120 BPM. */
class LiveSessionTest {
    /** 512 frames at 48 kHz and 120 BPM: 0.0213 beats, so no phrase or bar line falls on a block edge by accident. */
    static final int BLOCK_FRAMES = 512;
    /** G major, so that a C-major answer would show. */
    static final int[] G_MAJOR_MELODY = {67, 71, 74, 72, 71, 69, 67, 66, 67, 69, 71, 72, 74, 76, 78, 79};
    static final Key G_MAJOR = new Key(7, Key.Mode.MAJOR);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) c.close();
    }

    private LiveSession session(LiveParameters p) {
        InferenceWorker worker = new InferenceWorker("live-test", () -> { });
        ContinuatorEngine engine = new ContinuatorEngine();
        LiveSession s = new LiveSession(worker, engine, p);
        toClose.add(s);
        toClose.add(worker);
        toClose.add(engine);
        return s;
    }

    /** Two bars of eighth notes from {@code fromBeats} (a 0.45-beat touch, so the last release is at +7.95). */
    static void playPhrase(SimulatedHost host, double fromBeats) {
        for (int i = 0; i < G_MAJOR_MELODY.length; i++) host.note(G_MAJOR_MELODY[i], fromBeats + i * 0.5, 0.45, 80 + (i % 4) * 8);
    }

    /** Note-on beat -> note-off beat of each answer note, pairing events by pitch in order. */
    static List<double[]> notes(List<OutputEvent> events) {
        List<double[]> out = new ArrayList<>();
        Map<Integer, double[]> sounding = new HashMap<>();
        for (OutputEvent e : events) {
            if (e.isNoteOn()) {
                double[] n = {e.beats(), Double.NaN, e.pitch()};
                sounding.put(e.pitch(), n);
                out.add(n);
            } else {
                double[] n = sounding.remove(e.pitch());
                if (n != null) n[1] = e.beats();
            }
        }
        return out;
    }

    @Test
    void aPhraseThenSilenceIsAnsweredOnTheNextBarForTheRequestedLengthInItsKey() {
        LiveSession s = session(LiveParameters.DEFAULT.withKeyLock(false));
        SimulatedHost host = new SimulatedHost(s, BLOCK_FRAMES);
        playPhrase(host, 0);
        host.runUntil(24);

        // last release 7.95, silence 2 beats: the phrase ends at 9.95, the next bar line is 12
        List<double[]> answer = notes(host.events());
        assertTrue(answer.size() >= 8, "an answer of two bars of eighths, got " + answer.size() + " notes");
        assertEquals(12.0, answer.get(0)[0], 1e-9, "the answer starts on the next bar line");
        int inKey = 0;
        for (double[] n : answer) {
            assertTrue(n[0] >= 12 - 1e-9 && n[0] < 20, "onset inside the 2 requested bars: " + n[0]);
            assertFalse(Double.isNaN(n[1]), "every answer note is released");
            assertTrue(n[1] <= 20 + 1e-9 && n[1] > n[0], "released inside the 2 bars: " + n[1]);
            if (G_MAJOR.contains((int) n[2])) inKey++;
        }
        assertTrue(answer.get(answer.size() - 1)[0] >= 16, "the answer reaches its second bar");
        // no key lock: the Continuator's own choice of the transposed copy keeps it in the phrase's key
        assertTrue(inKey >= 0.9 * answer.size(), inKey + " of " + answer.size() + " answer notes in G major");
        // the horizon: each event handed out before it is due and no more than a bar ahead of its block
        for (SimulatedHost.Emitted e : host.emitted) {
            assertTrue(e.event().beats() >= e.block().beats() - 1e-9, "handed out late: " + e);
            assertTrue(e.event().beats() < e.block().endBeats() + 4 + 1e-9, "handed out beyond the one-bar horizon: " + e);
        }
        assertEquals(new LiveSession.Status(1, 1, 0, 0, 0, 0, 0, 16, false), s.status());
    }

    static final int SEEDS_TRIED = 8;

    /** The phrase with a chromatic G# under its last bar and at its end, answered for 2 bars from the next beat. */
    private List<double[]> answerWithChromaticNote(boolean keyLock, long seed) {
        LiveSession s = session(LiveParameters.DEFAULT.withStartOn(LiveParameters.Start.BEAT).withTemperature(3).withKeyLock(keyLock).withSeed(seed));
        SimulatedHost host = new SimulatedHost(s, BLOCK_FRAMES);
        playPhrase(host, 0);
        // G# under the last bar's melody and at its end, so an answer in the player's own notes plays it too
        for (double b = 6; b < 8; b += 0.5) host.note(56, b, 0.45, 70);
        host.note(68, 8, 0.2, 70);
        host.runUntil(24);
        return notes(host.events());
    }

    @Test
    void startOnBeatAnswersOnTheNextBeatAndKeyLockKeepsEveryNoteInKey() {
        // the Continuator plays a chromatic note of the phrase only now and then: some seeds do
        int chromatic = 0;
        for (long seed = 0; seed < SEEDS_TRIED; seed++) {
            if (answerWithChromaticNote(false, seed).stream().anyMatch(n -> !G_MAJOR.contains((int) n[2]))) chromatic++;
            List<double[]> answer = answerWithChromaticNote(true, seed);
            // last release 8.2, silence to 10.2: the next beat is 11, and two bars last to 19
            assertFalse(answer.isEmpty());
            assertEquals(11.0, answer.get(0)[0], 1e-9);
            for (double[] n : answer) {
                assertTrue(n[0] < 19 && n[1] <= 19 + 1e-9);
                assertTrue(G_MAJOR.contains((int) n[2]), "key lock snaps " + (int) n[2] + " into G major, seed " + seed);
            }
        }
        assertTrue(chromatic > 0, "without the lock some answers play the phrase's chromatic notes");
    }

    @Test
    void answerOnBarEndsThePhraseAtTheFirstBarLineAfterTheLastRelease() {
        LiveSession s = session(LiveParameters.DEFAULT.withAnswerOnBar(true).withSilenceBeats(16));
        SimulatedHost host = new SimulatedHost(s, BLOCK_FRAMES);
        playPhrase(host, 0);
        host.runUntil(16);
        // released at 7.95: the phrase ends on bar line 8 (not after 16 beats of silence), the answer on the next, 12
        assertEquals(12.0, notes(host.events()).get(0)[0], 1e-9);
    }

    @Test
    void playingOverTheAnswerCancelsTheRestAndReleasesWhatSounds() {
        LiveSession s = session(LiveParameters.DEFAULT.withKeyLock(false));
        SimulatedHost host = new SimulatedHost(s, BLOCK_FRAMES);
        playPhrase(host, 0);
        double bargeIn = 14.25;
        host.note(60, bargeIn, 0.5, 90);
        while (host.snapshot().endBeats() <= bargeIn) host.block(); // up to the block the key goes down in
        double horizon = s.committedUpToBeats();
        List<OutputEvent> before = host.events();
        host.runUntil(16.5);
        List<OutputEvent> after = host.events().subList(before.size(), host.events().size());

        assertEquals(1, s.status().bargeIns());
        assertFalse(s.answerPending());
        for (OutputEvent e : after) assertFalse(e.isNoteOn(), "no answer note starts after the barge-in: " + e);
        // every note sounding at the barge-in gets its note-off there; the ones handed out but not started end by the horizon
        List<double[]> answer = notes(host.events());
        int sounding = 0;
        for (double[] n : answer) {
            assertTrue(n[0] < horizon, "note-on beyond the horizon at the barge-in: " + n[0]);
            assertFalse(Double.isNaN(n[1]), "an answer note is never left hanging");
            if (n[0] < bargeIn) {
                if (n[1] < bargeIn - 1e-9) continue;
                // sounding: its own note-off may have been handed out already; then an extra one comes at the barge-in
                OutputEvent release = OutputEvent.noteOff(bargeIn, 0, (int) n[2]);
                assertTrue(n[1] <= bargeIn + 1e-9 || after.contains(release), "a note sounding at the barge-in ends there, not at " + n[1]);
                sounding++;
            } else {
                assertTrue(n[1] <= horizon + 1e-9, "a handed-out note ends by the horizon, not at " + n[1]);
            }
        }
        assertTrue(sounding >= 1, "eighths in the answer: a note was sounding at 14.25");
    }

    @Test
    void aLoopBackCancelsTheAnswerReleasesItsNotesAndClearsTheContext() {
        LiveSession s = session(LiveParameters.DEFAULT);
        SimulatedHost host = new SimulatedHost(s, BLOCK_FRAMES);
        playPhrase(host, 0);
        host.runUntil(14);
        assertTrue(host.noteOns().size() > 0, "the answer has begun");
        int before = host.emitted.size();
        host.jumpTo(0);
        host.block();
        List<OutputEvent> atJump = host.events().subList(before, host.events().size());
        assertFalse(atJump.isEmpty(), "handed-out answer notes are released");
        for (OutputEvent e : atJump) {
            assertFalse(e.isNoteOn());
            assertEquals(0.0, e.beats(), 1e-12, "released at the new position");
        }
        assertEquals(1, s.status().discontinuities());
        assertEquals(0, s.status().contextNotes());
        int afterJump = host.emitted.size();
        host.runUntil(11.9);
        for (OutputEvent e : host.events().subList(afterJump, host.events().size())) fail("nothing of the old answer plays after the loop: " + e);

        // the phrase played again on the next pass is answered again: the learned style was kept
        playPhrase(host, 12);
        host.runUntil(32);
        assertEquals(24.0, notes(host.events().subList(afterJump, host.events().size())).get(0)[0], 1e-9);
    }

    @Test
    void stoppingReleasesAndCancelsAPendingAnswer() {
        LiveSession s = session(LiveParameters.DEFAULT);
        SimulatedHost host = new SimulatedHost(s, BLOCK_FRAMES);
        playPhrase(host, 0);
        host.waitForAnswers = false;
        host.runUntil(10); // the phrase ended at 9.95: the answer is asked for and not yet picked up
        assertTrue(s.answerPending());
        host.speed = 0;
        host.block();
        assertFalse(s.answerPending());
        host.speed = 1;
        host.waitForAnswers = true;
        host.runUntil(24);
        assertTrue(host.noteOns().isEmpty(), "a cancelled answer never plays");
        assertEquals(0, s.status().answersPlayed());
    }

    @Test
    void aTempoChangeMidAnswerKeepsEveryBeatAndTheFramesFollowTheNewTempo() {
        SimulatedHost steady = new SimulatedHost(session(LiveParameters.DEFAULT), BLOCK_FRAMES);
        playPhrase(steady, 0);
        steady.runUntil(24);

        SimulatedHost changing = new SimulatedHost(session(LiveParameters.DEFAULT), BLOCK_FRAMES);
        playPhrase(changing, 0);
        changing.runUntil(14);
        double changeBeats = changing.beats;
        changing.bpm = 90;
        changing.runUntil(24);

        assertEquals(steady.events(), changing.events(), "the same notes at the same beats");
        // and a scheduler placing them with each block's transport puts them where the tempo map says
        TempoMap tempo = new TempoMap(List.of(new TempoMap.Change(0, 120), new TempoMap.Change(changeBeats, 90)));
        for (OutputEvent e : changing.events()) {
            TransportSnapshot block = changing.blocks.stream().filter(b -> b.beats() <= e.beats() && e.beats() < b.endBeats()).findFirst().orElseThrow();
            double frame = block.frame() + block.frameOffset(e.beats());
            assertEquals(tempo.framesAt(e.beats(), SimulatedHost.SAMPLE_RATE), frame, 1e-6, "frame of " + e);
        }
        assertTrue(changing.noteOns().stream().anyMatch(e -> e.beats() > changeBeats), "notes after the change");
    }

    @Test
    void followModeAnswersEveryBarWithoutBargeIn() {
        LiveSession s = session(LiveParameters.DEFAULT.withFollow(true));
        SimulatedHost host = new SimulatedHost(s, BLOCK_FRAMES);
        // eight bars of eighths (beats 0-32)
        for (int pass = 0; pass < 4; pass++) playPhrase(host, pass * 8);
        host.runUntil(52);
        List<double[]> answer = notes(host.events());
        // asked at each bar line from 0 for the bar after the next, while the player played within 2 bars:
        // bars from 4 to 44; the first (asked before anything was learned) may be thin
        for (int bar = 8; bar < 44; bar += 4) {
            final int b = bar;
            assertTrue(answer.stream().anyMatch(n -> n[0] >= b && n[0] < b + 4), "an answer in the bar at beat " + bar);
            for (double[] n : answer) if (n[0] >= b && n[0] < b + 4) assertTrue(n[1] <= b + 4 + 1e-9, "each bar's answer ends with its bar");
        }
        assertTrue(answer.stream().noneMatch(n -> n[0] >= 44), "it stops two bars after the player");
        assertEquals(0, s.status().bargeIns());
        assertTrue(answer.stream().anyMatch(n -> n[0] < 32), "it plays along while the player plays");
    }

    /**
     * The same phrase answered by two sessions; the second one's worker is busy with another real
     * Continuator job (held until the test lets it go), so its answer is late.
     */
    @Test
    void aLateAnswerMovesWholeToTheNextBarLine() throws Exception {
        SimulatedHost onTime = new SimulatedHost(session(LiveParameters.DEFAULT), BLOCK_FRAMES);
        playPhrase(onTime, 0);
        onTime.runUntil(24);

        Busy b = busySession();
        LiveSession late = b.session();
        SimulatedHost host = b.host();
        host.runUntil(12.5); // past the planned start, 12
        assertTrue(late.answerPending() && !late.answerReady(), "the answer waits behind the busy job");
        assertTrue(host.events().isEmpty());
        b.release().countDown();
        assertFalse(b.busy().get().isEmpty());
        host.awaitAnswer();
        host.runUntil(28);

        List<OutputEvent> expected = onTime.events(), got = host.events();
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < expected.size(); i++) {
            OutputEvent e = expected.get(i), g = got.get(i);
            assertEquals(e.beats() + 4, g.beats(), 1e-9, "the on-time answer, one bar later");
            assertEquals(List.of(e.status(), e.data1(), e.data2()), List.of(g.status(), g.data1(), g.data2()));
        }
        assertEquals(1, late.status().answersShifted());
    }

    @Test
    void anAnswerLaterThanTwoBarsIsDropped() throws Exception {
        Busy b = busySession();
        LiveSession late = b.session();
        SimulatedHost host = b.host();
        host.runUntil(20.5); // the next bar line, 24, would be 3 bars after the planned 12
        assertFalse(late.answerPending(), "given up");
        assertEquals(1, late.status().answersDropped());
        b.release().countDown();
        b.busy().get();
        host.runUntil(40);
        assertTrue(host.events().isEmpty(), "a dropped answer never plays");
    }

    /** A session whose worker is busy until {@code release} opens, with the phrase queued and no waiting for answers. */
    private record Busy(LiveSession session, SimulatedHost host, CountDownLatch release, InferenceWorker.Job<List<Note>> busy) {}

    private Busy busySession() {
        InferenceWorker worker = new InferenceWorker("live-busy", () -> { });
        toClose.add(worker);
        CountDownLatch release = new CountDownLatch(1);
        InferenceWorker.Job<List<Note>> busy = busyWith(worker, release);
        LiveSession s = new LiveSession(worker, new ContinuatorEngine(), LiveParameters.DEFAULT);
        toClose.add(s);
        SimulatedHost host = new SimulatedHost(s, BLOCK_FRAMES);
        host.waitForAnswers = false;
        playPhrase(host, 0);
        return new Busy(s, host, release, busy);
    }

    /** Occupies the worker with a real Continuator continuation that starts when {@code release} opens. */
    private static InferenceWorker.Job<List<Note>> busyWith(InferenceWorker worker, CountDownLatch release) {
        return worker.submit((cancelled, progress) -> {
            assertTrue(release.await(SimulatedHost.ANSWER_WAIT_MILLIS, TimeUnit.MILLISECONDS), "the test never released the worker");
            Continuator other = new Continuator(ContinuatorOptions.DEFAULT.withTranspose(true));
            List<Note> phrase = new ArrayList<>();
            for (int i = 0; i < G_MAJOR_MELODY.length; i++) phrase.add(new Note(G_MAJOR_MELODY[i], i * 0.5, 0.45, 80));
            other.learn(phrase);
            return other.continueFrom(phrase, 64);
        }, Progress.NONE);
    }

    @Test
    void anHourOfPlayingKeepsTheContextAndTheEngineMemoryBounded() throws Exception {
        InferenceWorker worker = new InferenceWorker("live-hour", () -> { });
        toClose.add(worker);
        ContinuatorEngine engine = new ContinuatorEngine();
        LiveSession s = new LiveSession(worker, engine, LiveParameters.DEFAULT.withAnswerBars(1));
        toClose.add(s);
        // 4096-frame blocks (0.17 beats) keep an hour to 42,000 blocks
        SimulatedHost host = new SimulatedHost(s, 4096);
        SplittableRandom rng = new SplittableRandom(5);
        int[] scale = {60, 62, 64, 65, 67, 69, 71, 72, 74, 76};
        double hourBeats = 120 * 60;
        int played = 0, maxContext = 0;
        double at = 0;
        while (at < hourBeats) {
            // a phrase of 1-4 bars in sixteenths and eighths, sometimes chords; then a pause of 3-12 beats (some barge in)
            double end = at + 4 * (1 + rng.nextInt(4));
            while (at < end) {
                int voices = rng.nextInt(5) == 0 ? 3 : 1;
                for (int v = 0; v < voices; v++) host.note(scale[rng.nextInt(scale.length)] + 12 * v, at, 0.2, 60 + rng.nextInt(40));
                played += voices;
                at += rng.nextBoolean() ? 0.25 : 0.5;
            }
            at += 3 + rng.nextInt(10);
            host.runUntil(at);
            maxContext = Math.max(maxContext, s.status().contextNotes());
        }
        int[] remembered = worker.submit((c, p) -> new int[] {engine.notesRemembered(), engine.eventsRemembered()}, Progress.NONE).get();
        assertTrue(played > 4 * ContinuatorEngine.MAX_MEMORY_NOTES, "enough playing to pass the caps: " + played);
        assertTrue(maxContext <= LiveSession.MAX_CONTEXT_NOTES, "context notes " + maxContext);
        assertTrue(remembered[0] <= ContinuatorEngine.MAX_MEMORY_NOTES && remembered[0] >= ContinuatorEngine.KEPT_NOTES_AFTER_FORGETTING / 2,
                "engine remembers " + remembered[0] + " notes");
        assertTrue(remembered[1] <= 12 * ContinuatorEngine.MAX_MEMORY_NOTES, "engine events " + remembered[1]);
        LiveSession.Status st = s.status();
        assertTrue(st.answersPlayed() > 100 && st.bargeIns() > 10, "it kept answering all hour: " + st);
    }
}
