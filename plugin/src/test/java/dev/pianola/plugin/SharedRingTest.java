package dev.pianola.plugin;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SharedRing over memory laid out exactly as native-shim/core/spsc_ring.h, the C side played through raw offsets. */
class SharedRingTest {

    /** The Java constants are the ones the C header asserts at compile time (a drift on either side fails here). */
    @Test
    void layoutIsTheOneTheShimHeaderAsserts() throws IOException {
        Path header = Path.of(System.getProperty("pianola.root", "..")).resolve("native-shim/core/spsc_ring.h");
        String h = Files.readString(header);
        assertEquals(SharedRing.MAGIC, (int) Long.parseLong(define(h, "PN_RING_MAGIC").replace("u", "").substring(2), 16));
        assertEquals(SharedRing.RECORDS, Integer.parseInt(define(h, "PN_RING_HEADER_BYTES").replace("u", "")));
        assertEquals(SharedRing.HEAD, offsetOf(h, "head"));
        assertEquals(SharedRing.TAIL, offsetOf(h, "tail"));
        assertEquals(8, offsetOf(h, "record_size"));
        assertEquals(12, offsetOf(h, "capacity"));
    }

    private static String define(String h, String name) {
        Matcher m = Pattern.compile("#define " + name + " (\\S+)").matcher(h);
        assertTrue(m.find(), "spsc_ring.h defines " + name);
        return m.group(1);
    }

    private static int offsetOf(String h, String field) {
        Matcher m = Pattern.compile("offsetof\\(PnRing, " + field + "\\) == (\\d+)").matcher(h);
        assertTrue(m.find(), "spsc_ring.h asserts the offset of " + field);
        return Integer.parseInt(m.group(1));
    }

    @Test
    void recordsWrapAroundTheMaskedSlots() {
        ByteBuffer mem = ShimMemory.ring(4, 16);
        SharedRing ring = new SharedRing(mem, 16, "test");
        assertEquals(4, ring.capacity);
        // Java consumes what C produced, 11 records through 4 slots: slot n & 3 every time
        for (long n = 0; n < 11; n++) {
            assertTrue(ShimMemory.push(mem, record(n, 16)));
            assertEquals(n + 1, ring.headAcquire());
            int at = ring.slot(ring.tailAcquire());
            assertEquals(192 + (int) (n % 4) * 16, at);
            assertEquals(n * 1000 + 7, mem.getLong(at));
            ring.releaseTail(n + 1);
        }
        assertEquals(11, ring.tailAcquire());
        // the counters are plain little-endian u64s at 64 and 128, as C's atomics store them
        assertEquals(11, mem.get(64));
        assertEquals(11, mem.get(128));
        for (int i = 1; i < 8; i++) assertEquals(0, mem.get(64 + i) | mem.get(128 + i));
    }

    @Test
    void aFullRingIsRefusedOnBothSidesAndNothingIsOverwritten() {
        ByteBuffer mem = ShimMemory.ring(8, 16);
        SharedRing ring = new SharedRing(mem, 16, "note");
        // Java produces (the note ring) until full
        long head = ring.headPlain();
        int written = 0;
        while (!ring.full(head)) {
            mem.putLong(ring.slot(head), head * 3);
            ring.releaseHead(++head);
            written++;
        }
        assertEquals(8, written);
        assertTrue(ring.full(ring.headPlain()));
        // C consumes one: one slot comes back, and the records come out in order, unchanged
        assertEquals(0L, ByteBuffer.wrap(ShimMemory.pop(mem)).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertFalse(ring.full(ring.headPlain()));
        for (int i = 1; i < 8; i++) assertEquals(i * 3L, ByteBuffer.wrap(ShimMemory.pop(mem)).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertNull(ShimMemory.pop(mem));
        // and C's push refuses a full input ring the same way
        ByteBuffer in = ShimMemory.ring(2, 32);
        assertTrue(ShimMemory.push(in, record(1, 32)));
        assertTrue(ShimMemory.push(in, record(2, 32)));
        assertFalse(ShimMemory.push(in, record(3, 32)));
        assertEquals(2, new SharedRing(in, 32, "input").headAcquire());
    }

    @Test
    void recordsCrossBetweenThreadsInOrder() throws InterruptedException {
        // Java produces, a second thread consumes as C would: acquire/release keep every record whole
        ByteBuffer mem = ShimMemory.ring(64, 16);
        SharedRing ring = new SharedRing(mem, 16, "note");
        final int n = 300_000;
        long[] bad = {0};
        Thread consumer = new Thread(() -> {
            for (long expect = 0; expect < n; ) {
                byte[] r = ShimMemory.pop(mem);
                if (r == null) {
                    Thread.onSpinWait();
                    continue;
                }
                ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
                if (b.getLong(0) != expect || b.getLong(8) != ~expect) bad[0]++;
                expect++;
            }
        });
        consumer.start();
        long head = ring.headPlain();
        for (long i = 0; i < n; i++) {
            while (ring.full(head)) Thread.onSpinWait();
            int at = ring.slot(head);
            mem.putLong(at, i).putLong(at + 8, ~i);
            ring.releaseHead(++head);
        }
        consumer.join();
        assertEquals(0, bad[0], "records torn or out of order");
        assertEquals(n, ring.tailAcquire());
    }

    @Test
    void refusesMemoryThatIsNotARingOfTheExpectedShape() {
        assertThrows(IllegalArgumentException.class, () -> new SharedRing(ByteBuffer.allocate(256), 16, "heap"));
        assertThrows(IllegalArgumentException.class, () -> new SharedRing(ShimMemory.ring(4, 32), 16, "record size"));
        ByteBuffer magic = ShimMemory.ring(4, 16).putInt(0, 0x12345678);
        assertThrows(IllegalArgumentException.class, () -> new SharedRing(magic, 16, "magic"));
        ByteBuffer version = ShimMemory.ring(4, 16).putInt(4, 2);
        assertThrows(IllegalArgumentException.class, () -> new SharedRing(version, 16, "version"));
        ByteBuffer notPowerOfTwo = ShimMemory.ring(6, 16);
        assertThrows(IllegalArgumentException.class, () -> new SharedRing(notPowerOfTwo, 16, "capacity"));
        ByteBuffer tooSmall = ShimMemory.ring(4, 16).putInt(12, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SharedRing(tooSmall, 16, "input"));
        assertTrue(e.getMessage().startsWith("input ring"), e.getMessage());
    }

    private static byte[] record(long n, int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, n * 1000 + 7);
        return b.array();
    }
}
