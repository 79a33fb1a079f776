package dev.pianola.live;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host for tests: rolls a transport block by block (time is the blocks it runs, never the
 * clock), delivers queued input in the block where it was played, and keeps every output event
 * with the block that handed it out.
 */
final class SimulatedHost {
    static final double SAMPLE_RATE = 48_000;
    /** Bounded wait for a real background answer (not an assertion on time: only how long to wait before failing). */
    static final long ANSWER_WAIT_MILLIS = 10_000;

    record Emitted(OutputEvent event, TransportSnapshot block) {}

    final LiveSession session;
    final int blockFrames;
    double bpm = 120, barBeats = 4, speed = 1;
    double beats;
    long frame;
    /** Wait for each answer before the next block, as if inference took no time. */
    boolean waitForAnswers = true;
    final List<Emitted> emitted = new ArrayList<>();
    final List<TransportSnapshot> blocks = new ArrayList<>();
    private final List<InputEvent> queued = new ArrayList<>();

    SimulatedHost(LiveSession session, int blockFrames) {
        this.session = session;
        this.blockFrames = blockFrames;
    }

    void play(InputEvent e) {
        queued.add(e);
        queued.sort((a, b) -> Double.compare(a.beats(), b.beats()));
    }

    /** A note from startBeats lasting durationBeats. */
    void note(int pitch, double startBeats, double durationBeats, int velocity) {
        play(InputEvent.on(startBeats, pitch, velocity));
        play(InputEvent.off(startBeats + durationBeats, pitch));
    }

    TransportSnapshot snapshot() {
        double barStart = Math.floor(beats / barBeats + 1e-9) * barBeats;
        return new TransportSnapshot(frame, blockFrames, SAMPLE_RATE, speed, bpm, beats, barStart, barBeats);
    }

    List<OutputEvent> block() {
        if (waitForAnswers) awaitAnswer();
        TransportSnapshot t = snapshot();
        List<InputEvent> in = new ArrayList<>();
        while (!queued.isEmpty() && (queued.get(0).beats() < t.endBeats() || !t.rolling())) in.add(queued.remove(0));
        List<OutputEvent> out = session.onBlock(t, in);
        for (OutputEvent e : out) emitted.add(new Emitted(e, t));
        blocks.add(t);
        frame += blockFrames;
        beats = t.endBeats();
        return out;
    }

    /** Blocks until the transport reaches {@code untilBeats}. */
    void runUntil(double untilBeats) {
        while (beats < untilBeats) block();
    }

    /** The next block starts at {@code toBeats} (a loop or seek). */
    void jumpTo(double toBeats) {
        beats = toBeats;
    }

    /** Waits (bounded) for the pending answer's real computation to finish, if one is pending. */
    void awaitAnswer() {
        long until = System.nanoTime() + ANSWER_WAIT_MILLIS * 1_000_000;
        while (session.answerPending() && !session.answerReady()) {
            assertTrue(System.nanoTime() < until, "no answer within " + ANSWER_WAIT_MILLIS + " ms");
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    List<OutputEvent> events() {
        List<OutputEvent> out = new ArrayList<>();
        for (Emitted e : emitted) out.add(e.event());
        return out;
    }

    List<OutputEvent> noteOns() {
        List<OutputEvent> out = new ArrayList<>();
        for (Emitted e : emitted) if (e.event().isNoteOn()) out.add(e.event());
        return out;
    }
}
