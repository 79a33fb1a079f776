package dev.pianola.plugin;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Shared memory formatted as the shim formats it (native-shim/core/spsc_ring.h pn_ring_init,
 * java_bridge.c pn_control_init): direct, 64-byte aligned, native order, header written, the rest
 * zero. The tests then play the C side of each ring through the raw offsets of that layout.
 */
final class ShimMemory {
    private ShimMemory() {}

    static ByteBuffer ring(int capacity, int recordSize) {
        ByteBuffer b = aligned(SharedRing.RECORDS + capacity * recordSize);
        b.putInt(0, SharedRing.MAGIC).putInt(4, 1).putInt(8, recordSize).putInt(12, capacity);
        return b;
    }

    static ByteBuffer control() {
        return aligned(128).putInt(0, PluginInstance.CONTROL_MAGIC).putInt(4, 1);
    }

    /** Zeroed direct memory starting on a 64-byte boundary, as aligned_alloc gives the shim. */
    static ByteBuffer aligned(int bytes) {
        int rounded = (bytes + 63) / 64 * 64; // alignedSlice keeps whole 64-byte units
        return ByteBuffer.allocateDirect(rounded + 64).alignedSlice(64).limit(bytes).slice().order(ByteOrder.nativeOrder());
    }

    // ---- the C side of a ring: producer of the input ring, consumer of the note ring ----

    /** C's pn_ring_push: false when full. */
    static boolean push(ByteBuffer ring, byte[] record) {
        long head = (long) SharedRing.LONGS.get(ring, SharedRing.HEAD);
        long tail = (long) SharedRing.LONGS.getAcquire(ring, SharedRing.TAIL);
        int capacity = ring.getInt(12), size = ring.getInt(8);
        if (head - tail >= capacity) return false;
        ring.put(SharedRing.RECORDS + (int) (head & (capacity - 1)) * size, record);
        SharedRing.LONGS.setRelease(ring, SharedRing.HEAD, head + 1);
        return true;
    }

    /** C's pn_ring_pop: the oldest record's bytes, or null when empty. */
    static byte[] pop(ByteBuffer ring) {
        long tail = (long) SharedRing.LONGS.get(ring, SharedRing.TAIL);
        long head = (long) SharedRing.LONGS.getAcquire(ring, SharedRing.HEAD);
        if (head == tail) return null;
        int capacity = ring.getInt(12), size = ring.getInt(8);
        byte[] r = new byte[size];
        ring.get(SharedRing.RECORDS + (int) (tail & (capacity - 1)) * size, r);
        SharedRing.LONGS.setRelease(ring, SharedRing.TAIL, tail + 1);
        return r;
    }
}
