package dev.pianola.live;

import dev.pianola.TestPaths;
import dev.pianola.midi.Note;
import dev.pianola.runtime.OnnxSessions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The model adapters on the tiny random-weight packages of tests/fixtures: they load, answer a
 * request inside its window and do not learn. Random weights say nothing about musical quality.
 */
class ModelEnginesLiveTest {
    static AnswerRequest request() {
        List<Note> context = new ArrayList<>();
        for (int i = 0; i < 16; i++) context.add(new Note(60 + (i % 5) * 2, i * 0.5, 0.45, 80));
        return new AnswerRequest(context, 12, 8, 4, 120, 1.0, 3);
    }

    private static void check(LiveEngine engine) {
        AnswerRequest r = request();
        engine.learn(r.context());
        List<Note> answer = engine.answer(r, () -> false, null);
        for (Note n : LiveSession.placed(answer, r, 0, 1, 0)) {
            assertTrue(n.startBeats() >= r.startBeats() && n.endBeats() <= r.endBeats() + 1e-9, "inside the window: " + n);
        }
        // the same request and seed give the same answer
        assertEquals(answer, engine.answer(r, () -> false, null));
    }

    /** Opens the engine on the fixture package, checks its name and its answer. */
    private static void checkPackage(dev.pianola.models.ModelFamily choice, String fixture, String name) {
        Path dir = TestPaths.fixtures(fixture);
        TestPaths.assumeFile(dir.resolve("pianola-model.json"));
        try (LiveEngine engine = LiveEngines.open(choice, dir, OnnxSessions.Device.CPU)) {
            assertEquals(name, engine.name());
            check(engine);
        }
    }

    @Test
    void remiAnswersInsideTheWindow() {
        checkPackage(dev.pianola.models.ModelFamilies.REMI, "remi-model/tiny", "remi");
    }

    @Test
    void perceiverAnswersInsideTheWindow() {
        checkPackage(dev.pianola.models.ModelFamilies.PERCEIVER, "perceiver-ar/tiny", "perceiver");
    }

    /** Streaming prefill: REMI primed bar by bar as the phrase grows answers exactly as when asked cold. */
    @Test
    void remiPrimedAsThePhraseGrowsAnswersAsWhenAskedCold() {
        Path dir = TestPaths.fixtures("remi-model/tiny");
        TestPaths.assumeFile(dir.resolve("pianola-model.json"));
        AnswerRequest full = request();
        try (LiveEngine primed = LiveEngines.open(dev.pianola.models.ModelFamilies.REMI, dir, OnnxSessions.Device.CPU);
             LiveEngine cold = LiveEngines.open(dev.pianola.models.ModelFamilies.REMI, dir, OnnxSessions.Device.CPU)) {
            assertTrue(primed.primes());
            for (double bar = 2; bar < 8; bar += 2) {
                double until = bar;
                List<Note> sofar = full.context().stream().filter(n -> n.startBeats() < until).toList();
                primed.prime(new AnswerRequest(sofar, until + 4, 8, 4, 120, 1.0, 3));
            }
            assertEquals(cold.answer(full, () -> false, null), primed.answer(full, () -> false, null));
        }
    }

    /** A real engine that says whether it primes, and keeps what the session asked of it. */
    private static final class Counting implements LiveEngine {
        final LiveEngine inner;
        final boolean primes;
        final java.util.concurrent.atomic.AtomicInteger primed = new java.util.concurrent.atomic.AtomicInteger();
        final List<List<Note>> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();

        Counting(LiveEngine inner, boolean primes) {
            this.inner = inner;
            this.primes = primes;
        }

        @Override public String name() { return inner.name(); }
        @Override public boolean primes() { return primes; }
        @Override public boolean answersSlowly() { return inner.answersSlowly(); }
        @Override public void prime(AnswerRequest upcoming) {
            primed.incrementAndGet();
            inner.prime(upcoming);
        }
        @Override public List<Note> answer(AnswerRequest request, java.util.function.BooleanSupplier cancelled,
                                           java.util.function.Consumer<List<Note>> soFar) {
            asked.incrementAndGet();
            List<Note> a = inner.answer(request, cancelled, soFar);
            answers.add(a);
            return a;
        }
        @Override public void close() { inner.close(); }
    }

    /** The live session runs REMI ahead at the bar lines of a phrase being played; the answer is the one it gives cold. */
    @Test
    void theSessionPrimesWhileThePlayerPlaysWithoutChangingTheAnswer() {
        Path dir = TestPaths.fixtures("remi-model/tiny");
        TestPaths.assumeFile(dir.resolve("pianola-model.json"));
        int primedCount = 0, answered = 0;
        // random weights: an answer may hold no note, so a few seeds
        for (long seed = 0; seed < 4; seed++) {
            List<List<OutputEvent>> played = new ArrayList<>();
            List<List<List<Note>>> answers = new ArrayList<>();
            for (boolean primes : new boolean[] {true, false}) {
                try (dev.pianola.runtime.InferenceWorker worker = new dev.pianola.runtime.InferenceWorker("remi-live", () -> { });
                     Counting engine = new Counting(LiveEngines.open(dev.pianola.models.ModelFamilies.REMI, dir, OnnxSessions.Device.CPU), primes)) {
                    LiveSession session = new LiveSession(worker, engine, new LiveParameters(dev.pianola.models.ModelFamilies.REMI, 2, 2.0, false,
                            LiveParameters.Start.BAR, 1.0, true, 1.0, false, 0, seed));
                    SimulatedHost host = new SimulatedHost(session, 512);
                    for (Note n : request().context()) host.note(n.pitch(), n.startBeats(), n.durationBeats(), n.velocity());
                    // past the first bar line of the phrase: the prime asked there runs (a real engine takes its time)
                    host.runUntil(4.5);
                    long until = System.nanoTime() + SimulatedHost.ANSWER_WAIT_MILLIS * 1_000_000;
                    while (primes && engine.primed.get() == 0 && System.nanoTime() < until) Thread.onSpinWait();
                    host.runUntil(24);
                    played.add(host.emitted.stream().map(SimulatedHost.Emitted::event).toList());
                    answers.add(engine.answers);
                    if (primes) primedCount += engine.primed.get();
                    session.close();
                }
            }
            assertEquals(1, answers.get(1).size(), "one answer asked");
            assertEquals(answers.get(1), answers.get(0), "seed " + seed + ": the engine's answer, primed and cold");
            assertEquals(played.get(1), played.get(0), "seed " + seed + ": what the session played, primed and cold");
            if (!answers.get(1).get(0).isEmpty()) answered++;
        }
        assertTrue(primedCount >= 4, "primed at a bar line while each phrase was played: " + primedCount);
        assertTrue(answered > 0, "some seed's answer holds notes (random weights: not every one does)");
    }

    /**
     * Answer early: REMI's answer is asked at the first beat of rest (a draft), not a beat later when
     * the phrase-end rule fires; it is the answer if the player stays silent, and is thrown away if
     * the player goes on.
     */
    @Test
    void aSlowEngineIsAskedAtTheFirstBeatOfRestAndTheDraftIsDroppedIfThePlayerGoesOn() {
        Path dir = TestPaths.fixtures("remi-model/tiny");
        TestPaths.assumeFile(dir.resolve("pianola-model.json"));
        for (boolean goesOn : new boolean[] {false, true}) {
            try (dev.pianola.runtime.InferenceWorker worker = new dev.pianola.runtime.InferenceWorker("remi-live", () -> { });
                 Counting engine = new Counting(LiveEngines.open(dev.pianola.models.ModelFamilies.REMI, dir, OnnxSessions.Device.CPU), true)) {
                LiveSession session = new LiveSession(worker, engine, new LiveParameters(dev.pianola.models.ModelFamilies.REMI, 2, 2.0, false,
                        LiveParameters.Start.BAR, 1.0, true, 1.0, false, 0, 0));
                SimulatedHost host = new SimulatedHost(session, 512);
                for (Note n : request().context()) host.note(n.pitch(), n.startBeats(), n.durationBeats(), n.velocity());
                // the last release is at 7.95: the first beat of rest ends at 8.95, the phrase-end rule fires at 9.95
                if (goesOn) host.note(67, 9.2, 0.3, 80);
                host.runUntil(9.1);
                // the host stands before the phrase-end rule (9.95): a request now can only be the draft
                long until = System.nanoTime() + SimulatedHost.ANSWER_WAIT_MILLIS * 1_000_000;
                while (engine.asked.get() == 0 && System.nanoTime() < until) Thread.onSpinWait();
                assertEquals(1, engine.asked.get(), "asked at the first beat of rest, before the phrase-end rule");
                host.runUntil(28);
                assertEquals(goesOn ? 2 : 1, engine.asked.get(), goesOn ? "the draft thrown away, the phrase answered when it ended" : "the draft was the answer");
                assertEquals(1, session.status().answersAsked(), "one answer counted");
                assertEquals(1, session.status().answersPlayed());
                session.close();
            }
        }
    }

    @Test
    void aModelEngineNeedsAPackage() {
        assertThrows(dev.pianola.UsageException.class, () -> LiveEngines.open(dev.pianola.models.ModelFamilies.REMI, null, OnnxSessions.Device.CPU));
    }
}
