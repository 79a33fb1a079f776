package dev.pianola.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.pianola.ModelException;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One decoder graph with a key/value cache: each {@link #run} feeds new tokens with the cache of
 * everything before them, and keeps the graph's {@code present.*} outputs as the next call's
 * {@code past_key_values.*} inputs. The cache tensors stay in ONNX Runtime's memory from one step
 * to the next (never copied into Java arrays), which is what makes a step cheap.
 *
 * <p>The first run (prefill) feeds an empty cache: past tensors with a sequence dimension of 0. A
 * merged decoder (optimum's {@code decoder_model_merged.onnx}) also takes {@code use_cache_branch},
 * set false for the prefill and true after. Shared by every decoder-only family (GPT-2 here; the
 * same bookkeeping serves an encoder-decoder's decoder with its cross-attention inputs added via
 * {@code extraInputs}). One generation at a time: not thread-safe.
 */
public final class KvDecoder implements AutoCloseable {
    /**
     * The graph's names. {@code attentionMask}, {@code positionIds} and {@code useCacheBranch} may be
     * null (graphs without them: a T5 decoder masks itself causally and takes no decoder mask); {@code pastInputs.get(i)} is fed from {@code presentOutputs.get(i)} of the previous run.
     * {@code pastShape} is one cache tensor's shape with -1 for the batch and -2 for the sequence,
     * e.g. [-1, heads, -2, headSize]. {@code keptFromPrefill} names past inputs fed, at every step
     * after the prefill, from the prefill's outputs: an encoder-decoder's cross-attention keys and
     * values, which optimum's merged T5 decoder computes on its first step only (its later steps
     * output empty placeholders for them).
     */
    public record Names(String inputIds, String attentionMask, String positionIds, String useCacheBranch,
                        String logits, List<String> pastInputs, List<String> presentOutputs, long[] pastShape,
                        java.util.Set<String> keptFromPrefill) {
        public Names {
            if (pastInputs.size() != presentOutputs.size()) {
                throw new IllegalArgumentException("past inputs and present outputs must pair up: " + pastInputs + " / " + presentOutputs);
            }
            if (!pastInputs.containsAll(keptFromPrefill)) throw new IllegalArgumentException("kept inputs must be past inputs: " + keptFromPrefill);
        }

        /** A decoder-only graph: every cache tensor is renewed each step. */
        public Names(String inputIds, String attentionMask, String positionIds, String useCacheBranch,
                     String logits, List<String> pastInputs, List<String> presentOutputs, long[] pastShape) {
            this(inputIds, attentionMask, positionIds, useCacheBranch, logits, pastInputs, presentOutputs, pastShape, java.util.Set.of());
        }
    }

    private final OrtSession session;
    private final Path file;
    private final Names names;
    /** For each past input: fed from the prefill's outputs after the prefill (see {@link Names#keptFromPrefill}). */
    private final boolean[] kept;
    private final OrtEnvironment env = OnnxSessions.environment();
    /** The outputs of the last run; its present tensors are the cache, closed when replaced. */
    private OrtSession.Result cacheOwner;
    /** The prefill's outputs, kept open while {@link Names#keptFromPrefill} tensors come from it. */
    private OrtSession.Result prefillOwner;
    private final List<OnnxTensor> cache = new ArrayList<>();
    /** Cache tensors this decoder made itself (by {@link #truncate}), closed when replaced. */
    private final List<OnnxTensor> ownedCache = new ArrayList<>();
    private int batch;
    /** The cache tensors' batch dimension: {@link #batch} except for a multi-codebook decoder (see {@link #reset(int, int)}). */
    private int cacheBatch;
    private int pastLength;

    public KvDecoder(OrtSession session, Path file, Names names) {
        this.session = session;
        this.file = file;
        this.names = names;
        this.kept = new boolean[names.pastInputs().size()];
        for (int i = 0; i < kept.length; i++) kept[i] = names.keptFromPrefill().contains(names.pastInputs().get(i));
    }

    public Names names() {
        return names;
    }

    /** Tokens already in the cache. */
    public int pastLength() {
        return pastLength;
    }

    /** Forgets the cache; the next run is a prefill of {@code batch} rows. */
    public void reset(int batch) {
        reset(batch, batch);
    }

    /**
     * Forgets the cache; the next run is a prefill of {@code rows} rows of input ids whose cache
     * tensors have a batch dimension of {@code cacheBatch}: MusicGen's decoder takes one row of ids
     * per codebook of each sequence ({@code rows = cacheBatch * codebooks}) and keeps one cache per
     * sequence.
     */
    public void reset(int rows, int cacheBatch) {
        releaseAll();
        this.batch = rows;
        this.cacheBatch = cacheBatch;
        this.pastLength = 0;
    }

    /**
     * Keeps only the first {@code length} positions of the cache (a decoder-only graph: no cache
     * kept from the prefill), so that the next run continues from there: a prompt that shares its
     * beginning with what was run before need not be run again from the start. The kept rows are
     * copied into new tensors (tens of MB at full size: milliseconds, against a prefill's hundreds).
     */
    public void truncate(int length) {
        if (length < 0 || length > pastLength) throw new IllegalArgumentException("cannot keep " + length + " of " + pastLength + " cached positions");
        if (!names.keptFromPrefill().isEmpty()) throw new IllegalStateException("an encoder-decoder's cache cannot be cut");
        if (length == pastLength) return;
        if (length == 0) {
            reset(batch);
            return;
        }
        int seqAxis = -1;
        long[] pattern = names.pastShape();
        for (int i = 0; i < pattern.length; i++) if (pattern[i] == -2) seqAxis = i;
        List<OnnxTensor> cut = new ArrayList<>();
        try {
            for (OnnxTensor t : cache) {
                long[] shape = t.getInfo().getShape();
                // rows before the sequence axis, each holding seq x (product of the axes after it) floats
                long outer = 1, inner = 1;
                for (int i = 0; i < seqAxis; i++) outer *= shape[i];
                for (int i = seqAxis + 1; i < shape.length; i++) inner *= shape[i];
                FloatBuffer from = t.getFloatBuffer();
                FloatBuffer to = FloatBuffer.allocate((int) (outer * length * inner));
                float[] row = new float[(int) (length * inner)];
                for (long o = 0; o < outer; o++) {
                    from.position((int) (o * shape[seqAxis] * inner));
                    from.get(row);
                    to.put(row);
                }
                to.flip();
                long[] kept = shape.clone();
                kept[seqAxis] = length;
                cut.add(OnnxTensor.createTensor(env, to, kept));
            }
        } catch (OrtException e) {
            for (OnnxTensor t : cut) t.close();
            throw new ModelException(file, "cannot cut the decoder's cache: " + e.getMessage(), e);
        }
        releaseAll();
        cache.addAll(cut);
        ownedCache.addAll(cut);
        pastLength = length;
    }

    /**
     * Runs the graph on {@code inputIds} [batch][s] (s new tokens per row), with
     * {@code attentionMask} [batch][pastLength + s] and {@code positionIds} [batch][s] (ignored when
     * the graph has none; {@code attentionMask} is ignored, and may be null, when the graph has no
     * mask), and returns the logits of each row's last position, [batch][vocab].
     */
    public float[][] run(long[][] inputIds, long[][] attentionMask, long[][] positionIds) {
        return run(inputIds, attentionMask, positionIds, Map.of());
    }

    /** As {@link #run(long[][], long[][], long[][])}, with further inputs (e.g. encoder states). */
    public float[][] run(long[][] inputIds, long[][] attentionMask, long[][] positionIds, Map<String, OnnxTensorLike> extraInputs) {
        if (inputIds.length != batch) throw new IllegalArgumentException("batch is " + batch + ", got " + inputIds.length + " rows");
        int s = inputIds[0].length;
        if (names.attentionMask() != null && attentionMask[0].length != pastLength + s) {
            throw new IllegalArgumentException("attention mask must cover " + (pastLength + s) + " positions, it covers " + attentionMask[0].length);
        }
        List<OnnxTensor> created = new ArrayList<>();
        OrtSession.Result result = null;
        try {
            Map<String, OnnxTensorLike> in = new HashMap<>(extraInputs);
            in.put(names.inputIds(), created(created, longs(inputIds)));
            if (names.attentionMask() != null) in.put(names.attentionMask(), created(created, longs(attentionMask)));
            if (names.positionIds() != null) in.put(names.positionIds(), created(created, longs(positionIds)));
            if (names.useCacheBranch() != null) {
                in.put(names.useCacheBranch(), created(created, OnnxTensor.createTensor(env, new boolean[] {pastLength > 0})));
            }
            for (int i = 0; i < names.pastInputs().size(); i++) {
                OnnxTensor past = pastLength > 0 ? cache.get(i) : created(created, emptyPast());
                in.put(names.pastInputs().get(i), past);
            }
            result = session.run(in);
            float[][] logits = lastLogits((OnnxTensor) result.get(names.logits()).orElseThrow(), s);
            List<OnnxTensor> next = new ArrayList<>();
            for (int i = 0; i < names.presentOutputs().size(); i++) {
                next.add(pastLength > 0 && kept[i] ? cache.get(i) : (OnnxTensor) result.get(names.presentOutputs().get(i)).orElseThrow());
            }
            if (pastLength == 0 && !names.keptFromPrefill().isEmpty()) prefillOwner = result;
            releaseCache();
            cacheOwner = result;
            result = null;
            cache.addAll(next);
            pastLength += s;
            return logits;
        } catch (OrtException e) {
            throw new ModelException(file, "decoding step failed: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : created) t.close();
            if (result != null) result.close();
        }
    }

    private OnnxTensor emptyPast() throws OrtException {
        long[] shape = names.pastShape().clone();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) shape[i] = cacheBatch;
            else if (shape[i] == -2) shape[i] = 0;
        }
        return OnnxTensor.createTensor(env, FloatBuffer.allocate(0), shape);
    }

    private float[][] lastLogits(OnnxTensor logits, int s) {
        long[] shape = logits.getInfo().getShape();
        int vocab = (int) shape[shape.length - 1];
        FloatBuffer all = logits.getFloatBuffer();
        float[][] out = new float[batch][vocab];
        for (int b = 0; b < batch; b++) {
            all.position((b * s + s - 1) * vocab);
            all.get(out[b]);
        }
        return out;
    }

    private OnnxTensor longs(long[][] rows) throws OrtException {
        return longTensor(env, rows);
    }

    /** An int64 tensor [rows][cols] of {@code rows} (all rows as long as the first). */
    public static OnnxTensor longTensor(OrtEnvironment env, long[][] rows) throws OrtException {
        int cols = rows[0].length;
        LongBuffer buf = LongBuffer.allocate(rows.length * cols);
        for (long[] r : rows) buf.put(r);
        buf.flip();
        return OnnxTensor.createTensor(env, buf, new long[] {rows.length, cols});
    }

    private static OnnxTensor created(List<OnnxTensor> created, OnnxTensor t) {
        created.add(t);
        return t;
    }

    /** Closes the last step's outputs, unless they are the prefill's and still needed. */
    private void releaseCache() {
        cache.clear();
        for (OnnxTensor t : ownedCache) t.close();
        ownedCache.clear();
        if (cacheOwner != null && cacheOwner != prefillOwner) cacheOwner.close();
        cacheOwner = null;
    }

    private void releaseAll() {
        releaseCache();
        if (prefillOwner != null) prefillOwner.close();
        prefillOwner = null;
    }

    @Override
    public void close() {
        releaseAll();
    }
}
