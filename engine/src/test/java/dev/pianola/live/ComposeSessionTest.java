package dev.pianola.live;

import dev.pianola.BadInputException;
import dev.pianola.TestPaths;
import dev.pianola.arrange.ArrangePresets;
import dev.pianola.midi.Note;
import dev.pianola.models.ModelFamilies;
import dev.pianola.runtime.ModelStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Compose engine's session with the tiny MusicGen package (random weights, 2.5 s at most) and
 * Basic Pitch: the music asked for lasts the host's bars at the host's tempo (capped by the model),
 * and the cover's beats land on the host's beats from the next bar line, note for note.
 */
class ComposeSessionTest {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(60); // a bound for a loaded machine, not a timing check

    private static ComposeSession session() {
        return ComposeSession.start("test", ModelFamilies.MUSICGEN, TestPaths.fixtures("musicgen").resolve("tiny"), ModelStore.locate().basicPitch(),
                ArrangePresets.load("default"), 3);
    }

    private static void awaitReady(ComposeSession s) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!s.ready()) {
            if (System.nanoTime() > deadline) fail("no piece within the bound");
            Thread.onSpinWait();
        }
    }

    @Test
    void theCoversBeatsLandOnTheHostsBeatsFromTheNextBarLine() {
        try (ComposeSession s = session()) {
            s.compose(new ComposeSession.Request("warm lo-fi piano", 1, 4, 120, 7, 1.0, 0.5));
            awaitReady(s);
            // stopped: nothing is placed yet
            assertTrue(s.onBlock(new TransportSnapshot(0, 512, 48000, 0, 120, 5.0, 4.0, 4)).isEmpty(), "placed only when the host plays");
            assertTrue(s.pending(), "still waiting to be placed");
            // rolling, the block ends at 7.97: the next bar line 0.1 s (0.2 beats) on is beat 12, not 8
            TransportSnapshot t = TransportSnapshot.rolling(0, 1024, 48000, 120, 7.97 - 1024 * 120 / 60.0 / 48000, 4);
            List<OutputEvent> out = s.onBlock(t);
            assertFalse(s.pending());
            assertNull(s.failure());
            ComposeSession.Placed placed = s.lastPlaced();
            assertEquals(12.0, placed.startBeats(), 1e-9, "the first bar line at least LEAD_SECONDS after the block");
            ComposeSession.Piece piece = placed.piece();
            assertEquals(2.0, piece.seconds(), 1e-9, "one bar at 120 BPM: 2 s of music");
            assertFalse(piece.notes().isEmpty(), "Basic Pitch hears the tiny model's pitches");
            assertEquals(2 * piece.notes().size(), out.size(), "a note-on and a note-off per note");
            for (int i = 0; i < piece.notes().size(); i++) {
                Note n = piece.notes().get(i);
                OutputEvent on = out.get(2 * i), off = out.get(2 * i + 1);
                assertTrue(n.startBeats() >= 0 && n.startBeats() < 4, "cover beats within the bar: " + n);
                assertEquals(12.0 + n.startBeats(), on.beats(), 1e-9, "cover beat b plays at host beat 12 + b");
                assertTrue(on.isNoteOn() && on.channel() == 3 && on.pitch() == n.pitch(), on.toString());
                assertEquals(Math.max(1, Math.min(127, Math.round(n.velocity() * 0.5))), on.data2(), "velocity scaled");
                assertTrue(off.beats() > on.beats() && off.beats() <= 16 + 1e-9, "released within the bar: " + off);
            }
            assertTrue(s.onBlock(t).isEmpty(), "placed once");
        }
    }

    @Test
    void musicLongerThanTheModelCanMakeIsCappedAndAPromptIsNeeded() {
        try (ComposeSession s = session()) {
            s.compose(new ComposeSession.Request("slow ambient pads", 4, 3, 90, 1, 0.0, 1.0)); // 12 beats at 90 BPM: 8 s
            awaitReady(s);
            s.onBlock(TransportSnapshot.rolling(0, 256, 44100, 90, 0.5, 3));
            assertNull(s.failure(), () -> String.valueOf(s.failure()));
            assertEquals(3.0, s.lastPlaced().startBeats(), 1e-9, "a 3/4 bar line");
            assertEquals(2.5, s.lastPlaced().piece().seconds(), 1e-9, "the tiny model's 128 positions: 125 frames, 2.5 s");
        }
        assertThrows(BadInputException.class, () -> new ComposeSession.Request(" ", 1, 4, 120, 0, 1, 1));
    }
}
