package dev.pianola.plugin;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One of the shim's single-producer single-consumer rings, seen through a direct ByteBuffer over
 * the shim's memory (layout: native-shim/core/spsc_ring.h). Fields are little-endian (the shim
 * refuses other targets), so the buffer is set to native order: a fresh direct buffer is
 * big-endian. head and tail are read with acquire and written with release through VarHandles,
 * pairing with the C side's atomics.
 *
 * <p>Not thread-safe by design: the Java side is the consumer of the input ring and the producer
 * of the note ring, each used by its instance's one thread.
 */
final class SharedRing {
    static final int MAGIC = 0x50524E47;
    static final int HEAD = 64, TAIL = 128, RECORDS = 192;
    static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    final ByteBuffer buf;
    final int recordSize;
    final int capacity;

    SharedRing(ByteBuffer buffer, int expectedRecordSize, String what) {
        if (buffer == null || !buffer.isDirect()) throw new IllegalArgumentException(what + " ring: not a direct buffer");
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) throw new IllegalStateException("the rings are little-endian; this machine is not");
        this.buf = buffer.order(ByteOrder.nativeOrder());
        if (buf.getInt(0) != MAGIC || buf.getInt(4) != 1) throw new IllegalArgumentException(what + " ring: not a version-1 Pianola ring");
        this.recordSize = buf.getInt(8);
        this.capacity = buf.getInt(12);
        if (recordSize != expectedRecordSize) throw new IllegalArgumentException(what + " ring: records of " + recordSize + " bytes, expected " + expectedRecordSize);
        if (Integer.bitCount(capacity) != 1 || buf.capacity() < RECORDS + (long) capacity * recordSize)
            throw new IllegalArgumentException(what + " ring: bad capacity " + capacity);
    }

    long headAcquire() {
        return (long) LONGS.getAcquire(buf, HEAD);
    }

    long tailAcquire() {
        return (long) LONGS.getAcquire(buf, TAIL);
    }

    /** Producer: the number of the next record to write (the producer alone writes head: a plain read). */
    long headPlain() {
        return (long) LONGS.get(buf, HEAD);
    }

    /** Producer: true while record {@code head} would overwrite one the consumer has not copied out yet. */
    boolean full(long head) {
        return head - tailAcquire() >= capacity;
    }

    /** Byte offset of record number n. */
    int slot(long n) {
        return RECORDS + (int) (n & (capacity - 1)) * recordSize;
    }

    /** Consumer: the record at {@code tail} is copied out; hand the slot back to the producer. */
    void releaseTail(long newTail) {
        LONGS.setRelease(buf, TAIL, newTail);
    }

    /** Producer: the record at {@code head - 1} is written; publish it. */
    void releaseHead(long newHead) {
        LONGS.setRelease(buf, HEAD, newHead);
    }
}
