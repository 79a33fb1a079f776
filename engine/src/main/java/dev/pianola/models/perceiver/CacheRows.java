package dev.pianola.models.perceiver;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * One key or value cache, [1, rows, channels], as a window of rows in a direct buffer of ours that
 * ONNX Runtime reads in place (a tensor over a direct buffer is not copied): the decoder graph reads
 * the window as its past input and writes the rows it adds right after it (a pinned output), and
 * keeping the last rows moves the window's start. So the kept rows are not copied each step (they
 * used to be, twice, once a cap was reached: about 0.5 GB per step at full size). The window moves
 * back to the buffer's front only when the buffer's end is reached; once the buffer has its full
 * size (the cap plus a quarter of it) that is one copy per quarter-cap of steps.
 *
 * <p>The buffer grows by doubling as the window does, so short generations hold little, and it is
 * kept for the next generation. Not thread-safe: the generator uses it under its lock.
 */
final class CacheRows {
    private final int channels;
    /** The most rows the buffer ever holds: the cap on the window plus the slack that spaces the moves out. */
    private final int limitRows;
    private FloatBuffer buffer;
    private int capacityRows, start, length;

    /** A cache whose window never exceeds {@code maxRows} rows of {@code channels} floats. */
    CacheRows(int channels, int maxRows) {
        if (channels < 1 || maxRows < 1) throw new IllegalArgumentException("channels and rows must be >= 1: " + channels + ", " + maxRows);
        this.channels = channels;
        this.limitRows = maxRows + Math.max(1, maxRows / 4);
    }

    /** Empties the window (the buffer stays). */
    void clear() {
        start = 0;
        length = 0;
    }

    int length() {
        return length;
    }

    /** How many rows the buffer has room for now (for the tests). */
    int capacityRows() {
        return capacityRows;
    }

    /** Keeps the window's last {@code rows} rows (no copy). */
    void keepLast(int rows) {
        if (length > rows) {
            start += length - rows;
            length = rows;
        }
    }

    /**
     * Makes room for {@code rows} new rows after the window and returns a tensor [1, rows, channels]
     * over them for the graph to write into; {@link #append} then takes them into the window. The
     * window may move, so take {@link #window} after this.
     */
    OnnxTensor room(OrtEnvironment env, int rows) throws OrtException {
        int needed = length + rows;
        if (needed > limitRows) throw new IllegalStateException("a cache window of " + needed + " rows exceeds its limit of " + limitRows);
        if (start + needed > capacityRows) {
            if (capacityRows == limitRows || needed <= capacityRows / 2) moveToFront();
            else grow(Math.min(limitRows, Math.max(2 * capacityRows, needed)));
        }
        return tensor(env, start + length, rows);
    }

    /** Takes the {@code rows} rows written after the window (see {@link #room}) into it. */
    void append(int rows) {
        if (start + length + rows > capacityRows) throw new IllegalStateException("append without room");
        length += rows;
    }

    /** The window as a tensor [1, length, channels] (no copy; valid until the window next moves). */
    OnnxTensor window(OrtEnvironment env) throws OrtException {
        return tensor(env, start, length);
    }

    private OnnxTensor tensor(OrtEnvironment env, int fromRow, int rows) throws OrtException {
        if (buffer == null) grow(Math.max(1, Math.min(limitRows, rows)));
        FloatBuffer view = buffer.duplicate();
        view.limit((fromRow + rows) * channels).position(fromRow * channels);
        return OnnxTensor.createTensor(env, view, new long[] {1, rows, channels});
    }

    private void moveToFront() {
        if (start == 0) return;
        FloatBuffer window = buffer.duplicate();
        window.limit((start + length) * channels).position(start * channels);
        FloatBuffer front = buffer.duplicate();
        front.position(0);
        front.put(window); // forward copy to lower addresses: overlap is safe (FloatBuffer.put copies as if through a temporary)
        start = 0;
    }

    private void grow(int rows) {
        FloatBuffer bigger = ByteBuffer.allocateDirect(Math.multiplyExact(Math.multiplyExact(rows, channels), Float.BYTES))
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        if (buffer != null && length > 0) {
            FloatBuffer window = buffer.duplicate();
            window.limit((start + length) * channels).position(start * channels);
            bigger.put(window);
        }
        bigger.clear();
        buffer = bigger;
        capacityRows = rows;
        start = 0;
    }
}
