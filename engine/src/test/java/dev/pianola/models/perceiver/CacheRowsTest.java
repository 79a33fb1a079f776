package dev.pianola.models.perceiver;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.pianola.runtime.OnnxSessions;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache window against a plain list of rows, through growth, trims and moves to the front. */
class CacheRowsTest {
    private static final OrtEnvironment ENV = OnnxSessions.environment();
    private static final int CHANNELS = 3;

    /** Writes rows {@code first..first+n-1} (row r holds r, r+0.25, r+0.5) where the graph would. */
    private static void write(CacheRows c, int first, int n) throws OrtException {
        try (OnnxTensor room = c.room(ENV, n)) {
            assertArrayEquals(new long[] {1, n, CHANNELS}, room.getInfo().getShape());
            FloatBuffer target = (FloatBuffer) room.getBufferRef().orElseThrow();
            for (int r = first; r < first + n; r++) target.put(new float[] {r, r + 0.25f, r + 0.5f});
        }
        c.append(n);
    }

    private static void assertWindow(CacheRows c, Deque<Integer> expected) throws OrtException {
        assertEquals(expected.size(), c.length());
        try (OnnxTensor w = c.window(ENV)) {
            assertArrayEquals(new long[] {1, expected.size(), CHANNELS}, w.getInfo().getShape());
            FloatBuffer seen = w.getFloatBuffer();
            for (int r : expected) {
                float[] row = new float[CHANNELS];
                seen.get(row);
                assertArrayEquals(new float[] {r, r + 0.25f, r + 0.5f}, row);
            }
        }
    }

    @Test
    void theWindowHoldsTheRowsAppendedAndKeptWhateverTheBufferDid() throws OrtException {
        int cap = 16;
        CacheRows c = new CacheRows(CHANNELS, cap);
        Random random = new Random(5);
        for (int generation = 0; generation < 3; generation++) {
            c.clear();
            Deque<Integer> expected = new ArrayDeque<>();
            int next = 0, prefill = 1 + random.nextInt(cap);
            write(c, next, prefill);
            for (int r = 0; r < prefill; r++) expected.add(next++);
            assertWindow(c, expected);
            for (int step = 0; step < 100; step++) {
                if (c.length() >= cap) { // the generator's trim before a step
                    c.keepLast(cap - 1);
                    while (expected.size() > cap - 1) expected.removeFirst();
                }
                write(c, next, 1);
                expected.add(next++);
                assertWindow(c, expected);
                assertTrue(c.capacityRows() <= cap + cap / 4, "the buffer stays within the cap and its slack: " + c.capacityRows());
            }
        }
    }

    @Test
    void moreRowsThanTheCapAndItsSlackAreRefused() {
        CacheRows c = new CacheRows(CHANNELS, 8);
        assertThrows(IllegalStateException.class, () -> c.room(ENV, 11));
    }
}
