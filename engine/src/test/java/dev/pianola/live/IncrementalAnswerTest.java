package dev.pianola.live;

import dev.pianola.midi.Note;
import dev.pianola.runtime.InferenceWorker;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Incremental answers: an engine that writes in time order hands over its notes as it decides them,
 * and the session plays the answer's first bar while the engine still writes the rest. The engine
 * here hands over written parts and is held after the first until the test lets it go on, so the
 * session's side (when the answer begins, late notes, a pitch struck again across parts) is seen
 * deterministically; REMI's own hand-over is tested against its whole answer in RemiContinuationTest.
 */
class IncrementalAnswerTest {
    private static final LiveParameters PARAMETERS = new LiveParameters(dev.pianola.models.ModelFamilies.REMI, 2, 2.0, false,
            LiveParameters.Start.BAR, 1.0, false, 1.0, false, 0, 0);

    /** Hands over its answer in parts (cumulative lists), held after the first until released. */
    private static final class Parts implements LiveEngine {
        final List<List<Note>> parts;
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean firstHandedOver = new AtomicBoolean();

        Parts(List<List<Note>> parts) {
            this.parts = parts;
        }

        @Override public String name() { return "parts"; }

        @Override
        public List<Note> answer(AnswerRequest request, BooleanSupplier cancelled, Consumer<List<Note>> soFar) {
            List<Note> all = new ArrayList<>();
            for (List<Note> part : parts) {
                all.addAll(part);
                soFar.accept(List.copyOf(all));
                if (firstHandedOver.getAndSet(true)) continue;
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return all;
        }

        @Override public void close() { }
    }

    /** A phrase of 16 eighths ending at beat 8: the phrase ends at 9.95, the answer starts at the bar line 12 and lasts 2 bars. */
    private static SimulatedHost host(LiveSession session) {
        SimulatedHost host = new SimulatedHost(session, 512);
        for (int i = 0; i < 16; i++) host.note(60 + (i % 5) * 2, i * 0.5, 0.45, 80);
        return host;
    }

    /** Runs the session with the engine held after its first part until the host reaches {@code releaseAtBeats}; the events it played, by beat. */
    private static List<OutputEvent> play(List<List<Note>> parts, double releaseAtBeats, LiveSession.Status[] status, List<OutputEvent> beforeRelease) {
        Parts engine = new Parts(parts);
        try (InferenceWorker worker = new InferenceWorker("parts", () -> { })) {
            LiveSession session = new LiveSession(worker, engine, PARAMETERS);
            SimulatedHost host = host(session);
            host.waitForAnswers = false;
            host.runUntil(10.5);
            long until = System.nanoTime() + SimulatedHost.ANSWER_WAIT_MILLIS * 1_000_000;
            while (!engine.firstHandedOver.get()) {
                assertTrue(System.nanoTime() < until, "the engine was asked and handed over its first part");
                Thread.onSpinWait();
            }
            host.runUntil(releaseAtBeats);
            if (beforeRelease != null) {
                assertEquals(1, session.status().answersPlayed(), "the answer began with its first part");
                assertTrue(session.answerPending() && !session.answerReady(), "while the engine still writes");
                for (SimulatedHost.Emitted e : host.emitted) beforeRelease.add(e.event());
            }
            engine.release.countDown();
            host.waitForAnswers = true;
            host.runUntil(24);
            for (SimulatedHost.Emitted e : host.emitted) {
                assertTrue(e.event().beats() >= e.block().beats() - 1e-9, "handed out before its beat: " + e);
            }
            status[0] = session.status();
            session.close();
            return played(host);
        }
    }

    @Test
    void theAnswerBeginsWithItsFirstNotesAndEndsAsTheWholeAnswerWould() {
        List<List<Note>> parts = List.of(List.of(new Note(60, 12, 1, 80), new Note(64, 13, 1, 80)),
                List.of(new Note(67, 16, 1, 80), new Note(72, 18, 2, 80)));
        LiveSession.Status[] status = new LiveSession.Status[1];
        List<OutputEvent> early = new ArrayList<>();
        List<OutputEvent> inParts = play(parts, 11, status, early);
        assertEquals(List.of(OutputEvent.noteOn(12, 0, 60, 80), OutputEvent.noteOff(13, 0, 60), OutputEvent.noteOn(13, 0, 64, 80),
                OutputEvent.noteOff(14, 0, 64)), early, "the first part, a bar ahead, while the rest was written");
        assertEquals(0, status[0].notesLate());
        assertEquals(1, status[0].answersPlayed());
        assertEquals(0, status[0].answersShifted());
        // the same answer written at once
        List<OutputEvent> whole = play(List.of(List.of(new Note(60, 12, 1, 80), new Note(64, 13, 1, 80), new Note(67, 16, 1, 80), new Note(72, 18, 2, 80))),
                11, status, null);
        assertEquals(whole, inParts);
    }

    @Test
    void aNoteHandedOverAfterItsBeatIsLeftOutAndCounted() {
        List<List<Note>> parts = List.of(List.of(new Note(60, 12, 1, 80)), List.of(new Note(67, 16, 1, 80), new Note(72, 18, 2, 80)));
        LiveSession.Status[] status = new LiveSession.Status[1];
        List<OutputEvent> played = play(parts, 16.5, status, new ArrayList<>());
        assertEquals(List.of(OutputEvent.noteOn(12, 0, 60, 80), OutputEvent.noteOff(13, 0, 60), OutputEvent.noteOn(18, 0, 72, 80),
                OutputEvent.noteOff(20, 0, 72)), played);
        assertEquals(1, status[0].notesLate());
    }

    @Test
    void aPitchStruckAgainInALaterPartEndsTheNoteBeforeIt() {
        // 64 sounds 12..16 and is struck again at 13: cut there (its release was not handed out yet);
        // 62 sounds 12..13 and its release is out: a 62 at 12.5 cannot sound whole and is left out
        List<List<Note>> parts = List.of(List.of(new Note(64, 12, 4, 80), new Note(62, 12, 1, 80)),
                List.of(new Note(64, 13, 1, 90), new Note(62, 12.5, 1, 90)));
        LiveSession.Status[] status = new LiveSession.Status[1];
        List<OutputEvent> played = play(parts, 11, status, new ArrayList<>());
        assertEquals(List.of(OutputEvent.noteOn(12, 0, 62, 80), OutputEvent.noteOn(12, 0, 64, 80), OutputEvent.noteOff(13, 0, 62),
                OutputEvent.noteOff(13, 0, 64), OutputEvent.noteOn(13, 0, 64, 90), OutputEvent.noteOff(14, 0, 64)), played);
    }

    /** An answer that opens with a rest is on time until its first note's beat, even when it comes after the answer's start. */
    @Test
    void anAnswerThatOpensWithARestIsOnTimeUntilItsFirstNote() {
        CountDownLatch go = new CountDownLatch(1);
        List<Note> answer = List.of(new Note(67, 14, 1, 80), new Note(72, 15, 1, 80));
        LiveEngine opensWithARest = new LiveEngine() {
            @Override public String name() { return "rest first"; }

            @Override
            public List<Note> answer(AnswerRequest request, BooleanSupplier cancelled, Consumer<List<Note>> soFar) {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                soFar.accept(answer);
                return answer;
            }

            @Override public void close() { }
        };
        try (InferenceWorker worker = new InferenceWorker("rest", () -> { })) {
            LiveSession session = new LiveSession(worker, opensWithARest, PARAMETERS);
            SimulatedHost host = host(session);
            host.waitForAnswers = false;
            host.runUntil(12.5); // past the answer's start (the bar line 12), before its first note (14)
            assertEquals(0, session.status().answersPlayed());
            go.countDown();
            host.waitForAnswers = true;
            host.runUntil(24);
            LiveSession.Status status = session.status();
            session.close();
            assertEquals(1, status.answersPlayed());
            assertEquals(0, status.answersShifted(), "not moved to a later bar line");
            List<OutputEvent> played = played(host);
            assertEquals(List.of(OutputEvent.noteOn(14, 0, 67, 80), OutputEvent.noteOff(15, 0, 67), OutputEvent.noteOn(15, 0, 72, 80),
                    OutputEvent.noteOff(16, 0, 72)), played);
        }
    }
    /**
     * An answer whose first notes come just before their beat, not yet written ahead of the
     * playhead, does not begin there: the engine is still writing its next notes, which would be
     * decided after their beat. It is moved whole to the next bar line and plays complete (before:
     * it began at 12 and its second note, handed over at 12.5 for 12.25, was left out).
     */
    @Test
    void anAnswerNotWrittenAheadOfThePlayheadIsMovedWholeNotCut() {
        CountDownLatch first = new CountDownLatch(1), rest = new CountDownLatch(1);
        AtomicBoolean handedOver = new AtomicBoolean();
        List<Note> opening = List.of(new Note(60, 12, 0.25, 80));
        List<Note> answer = List.of(new Note(60, 12, 0.25, 80), new Note(64, 12.25, 0.25, 80), new Note(67, 13, 1, 80));
        LiveEngine slow = new LiveEngine() {
            @Override public String name() { return "slow"; }

            @Override
            public List<Note> answer(AnswerRequest request, BooleanSupplier cancelled, Consumer<List<Note>> soFar) {
                try {
                    first.await();
                    soFar.accept(opening);
                    handedOver.set(true);
                    rest.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return answer;
            }

            @Override public void close() { }
        };
        try (InferenceWorker worker = new InferenceWorker("slow", () -> { })) {
            LiveSession session = new LiveSession(worker, slow, PARAMETERS);
            SimulatedHost host = host(session);
            host.waitForAnswers = false;
            host.runUntil(11.9); // the first note (12) comes 0.1 beat before its beat: less than the lead ahead
            first.countDown();
            long until = System.nanoTime() + SimulatedHost.ANSWER_WAIT_MILLIS * 1_000_000;
            while (!handedOver.get()) {
                assertTrue(System.nanoTime() < until, "the engine handed over its first note");
                Thread.onSpinWait();
            }
            host.runUntil(12.5);
            assertTrue(host.emitted.stream().noneMatch(e -> e.event().beats() < 16), "not begun at 12 with only its first note written: " + host.emitted);
            rest.countDown();
            host.waitForAnswers = true;
            host.runUntil(24);
            LiveSession.Status status = session.status();
            session.close();
            assertEquals(1, status.answersPlayed());
            assertEquals(1, status.answersShifted(), "moved to the next bar line");
            assertEquals(0, status.notesLate(), "nothing left out");
            List<OutputEvent> played = played(host);
            assertEquals(List.of(OutputEvent.noteOn(16, 0, 60, 80), OutputEvent.noteOff(16.25, 0, 60), OutputEvent.noteOn(16.25, 0, 64, 80),
                    OutputEvent.noteOff(16.5, 0, 64), OutputEvent.noteOn(17, 0, 67, 80), OutputEvent.noteOff(18, 0, 67)), played);
        }
    }

    /** What the host was handed, by beat (at one beat note-offs first, then by pitch). */
    private static List<OutputEvent> played(SimulatedHost host) {
        return host.emitted.stream().map(SimulatedHost.Emitted::event)
                .sorted(Comparator.comparingDouble(OutputEvent::beats).thenComparing(OutputEvent::isNoteOn).thenComparingInt(OutputEvent::data1)).toList();
    }
}
