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
        List<Note> answer = engine.answer(r, () -> false);
        for (Note n : LiveSession.placed(answer, r, 0, 1, 0)) {
            assertTrue(n.startBeats() >= r.startBeats() && n.endBeats() <= r.endBeats() + 1e-9, "inside the window: " + n);
        }
        // the same request and seed give the same answer
        assertEquals(answer, engine.answer(r, () -> false));
    }

    /** Opens the engine on the fixture package, checks its name and its answer. */
    private static void checkPackage(LiveParameters.Engine choice, String fixture, String name) {
        Path dir = TestPaths.fixtures(fixture);
        TestPaths.assumeFile(dir.resolve("pianola-model.json"));
        try (LiveEngine engine = LiveEngines.open(choice, dir, OnnxSessions.Device.CPU)) {
            assertEquals(name, engine.name());
            check(engine);
        }
    }

    @Test
    void remiAnswersInsideTheWindow() {
        checkPackage(LiveParameters.Engine.REMI, "remi-model/tiny", "remi");
    }

    @Test
    void perceiverAnswersInsideTheWindow() {
        checkPackage(LiveParameters.Engine.PERCEIVER, "perceiver-ar/tiny", "perceiver");
    }

    @Test
    void aModelEngineNeedsAPackage() {
        assertThrows(dev.pianola.UsageException.class, () -> LiveEngines.open(LiveParameters.Engine.REMI, null, OnnxSessions.Device.CPU));
    }
}
