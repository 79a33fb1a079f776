package dev.pianola.models.perceiver;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.pianola.BadInputException;
import dev.pianola.ModelException;
import dev.pianola.midi.NoteSequence;
import dev.pianola.runtime.ModelManifest;
import dev.pianola.runtime.ModelPackage;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.runtime.Sampler;
import dev.pianola.runtime.SamplingConfig;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Perceiver AR generation ({@code krasserm/perceiver-ar-sam-giant-midi} and its tiny test twin)
 * over the package written by tools/export/export_perceiver_ar.py: one graph {@value #GRAPH}
 * (prefix_ids, latent_ids, past.* caches -> logits, new.*: the rows the run adds to each cache)
 * that does the prefill (empty caches) and every step (no prefix ids, the new id as the latent), so
 * the weights are in memory once; caches {@code ca.key/ca.value} and {@code sa.{i}.key/sa.{i}.value},
 * each [1, length, num_channels], kept here in {@link CacheRows}.
 *
 * <p>The loop is the one that ships with the model: Hugging Face {@code generate} with
 * {@code use_cache=True} (symbolic.md 1.5/1.6). The prompt's last {@code numLatents} tokens are
 * latents, the rest prefix; each new token then becomes a latent. Before a step, once the
 * self-attention caches hold max_latents rows they keep their last max_latents-1, and once the
 * cross-attention cache holds max_seq_len rows it keeps its last max_seq_len-1, so the latents stop
 * growing at max_latents and the window slides at max_seq_len, as perceiver-io's
 * {@code prepare_inputs_for_generation} does. (HF never writes prefix_len back, so it is these
 * trims, not prefix bookkeeping, that cap the attention; a step needs no prefix length.)
 *
 * <p>The graph reads the caches in place and writes its new rows straight after them, and a trim
 * moves a window's start: no cache row is copied between steps (see {@link CacheRows}).
 * One generation at a time (calls are serialised); run it on an InferenceWorker for background use.
 */
public final class PerceiverArGenerator implements AutoCloseable {
    /** The decoder graph's role in the manifest. */
    public static final String GRAPH = "decoder";
    private static final String LOGITS = "logits";

    /** A generation's ids: the prompt the model saw, the new ids, and whether it was cancelled. */
    public record Tokens(int[] prompt, int[] generated, boolean cancelled) {}

    /**
     * A MIDI continuation.
     *
     * @param promptIds          the whole encoded prompt (encode_midi of the file)
     * @param generatedIds       the new ids (PAD never among them: it is suppressed)
     * @param promptEndSeconds   where the prompt's events end: the sum of its time shifts
     * @param newNotes           the notes whose onset is generated, timed from the start of the
     *                           prompt, so they follow it; decoded from prompt + new ids, so the
     *                           prompt's velocity and time carry on
     * @param cancelled          whether the generation was cut short by cancellation
     */
    public record Continuation(int[] promptIds, int[] generatedIds, double promptEndSeconds,
                               List<TimedNote> newNotes, boolean cancelled) {}

    private final ModelPackage pkg;
    private final OrtSession decoder;
    private final Path decoderFile;
    private final int maxSeqLen, maxLatents, maxPrefixLen, channels, layers, vocabSize, pad;
    private final List<String> caches = new ArrayList<>();
    /** The caches, in the order of {@link #caches}; reused from one generation to the next. */
    private final List<CacheRows> rows = new ArrayList<>();
    private final OrtEnvironment env = OnnxSessions.environment();

    /** Takes over {@code pkg} (closed with this generator); it must be a {@code perceiver-ar} package. */
    public PerceiverArGenerator(ModelPackage pkg) {
        pkg.requireFamily(dev.pianola.models.ModelFamilies.PERCEIVER);
        refuseTwoGraphLayout(pkg.manifest(), pkg.manifestFile());
        this.pkg = pkg;
        this.maxSeqLen = (int) pkg.config("max_seq_len");
        this.maxLatents = (int) pkg.config("max_latents");
        this.maxPrefixLen = (int) pkg.config("max_prefix_len");
        this.channels = (int) pkg.config("num_channels");
        this.layers = (int) pkg.config("num_self_attention_layers");
        this.pad = (int) pkg.config("pad_token_id");
        this.vocabSize = pkg.manifest().vocabSize();
        if (maxLatents < 1 || maxSeqLen <= maxLatents || maxPrefixLen != maxSeqLen - maxLatents) {
            throw new ModelException(pkg.manifestFile(), "config needs 1 <= max_latents < max_seq_len and max_prefix_len = max_seq_len - max_latents, it has "
                    + maxSeqLen + "/" + maxLatents + "/" + maxPrefixLen);
        }
        if (vocabSize != PerceiverVocab.VOCAB_SIZE) {
            throw new ModelException(pkg.manifestFile(), "vocabSize is " + vocabSize + ", the Perceiver AR MIDI codec has " + PerceiverVocab.VOCAB_SIZE + " ids");
        }
        caches.add("ca.key");
        caches.add("ca.value");
        for (int i = 0; i < layers; i++) {
            caches.add("sa." + i + ".key");
            caches.add("sa." + i + ".value");
        }
        ModelManifest.Graph g = pkg.graph(GRAPH);
        this.decoderFile = pkg.dir().resolve(g.file());
        require(decoderFile, g.inputs(), List.of("prefix_ids", "latent_ids"), "input");
        for (String c : caches) {
            require(decoderFile, g.inputs(), List.of("past." + c), "input");
            require(decoderFile, g.outputs(), List.of("new." + c), "output");
            rows.add(new CacheRows(channels, c.startsWith("ca.") ? maxSeqLen : maxLatents));
        }
        if (!LOGITS.equals(g.logits())) throw new ModelException(pkg.manifestFile(), "the decoder graph's logits output must be '" + LOGITS + "'");
        this.decoder = pkg.session(GRAPH);
    }

    /**
     * Packages of exporter version 1 held a PREFILL and a STEP graph, each with its own copy of the
     * weights (2.3 GB at full size); this loop runs only the one-graph layout.
     */
    private static void refuseTwoGraphLayout(ModelManifest manifest, Path manifestFile) {
        if (manifest.graphs() != null && !manifest.graphs().containsKey(GRAPH) && manifest.graphs().containsKey("step")) {
            throw new ModelException(manifestFile, "is a Perceiver AR package of the old two-graph layout (prefill.onnx + step.onnx);"
                    + " re-export it with tools/export/export_perceiver_ar.py");
        }
    }

    /** Loads, checks and opens the package in {@code dir} on {@code device}. */
    public static PerceiverArGenerator open(Path dir, OnnxSessions.Device device) {
        ModelManifest manifest = ModelPackage.readManifest(dir);
        if (dev.pianola.models.ModelFamilies.PERCEIVER.manifestFamily().equals(manifest.family())) refuseTwoGraphLayout(manifest, dir.resolve(ModelManifest.FILE));
        ModelPackage pkg = ModelPackage.load(dir, device, OnnxSessions.defaultThreads());
        try {
            return new PerceiverArGenerator(pkg);
        } catch (RuntimeException e) {
            pkg.close();
            throw e;
        }
    }

    private static void require(Path file, List<String> names, List<String> needed, String kind) {
        for (String n : needed) {
            if (!names.contains(n)) {
                throw new ModelException(file, "a Perceiver AR decoder graph needs the " + kind + " '" + n
                        + "' (a package from an older tools/export/export_perceiver_ar.py: export it again)");
            }
        }
    }

    public ModelPackage modelPackage() {
        return pkg;
    }

    public int maxSeqLen() {
        return maxSeqLen;
    }

    public int maxLatents() {
        return maxLatents;
    }

    public int maxPrefixLen() {
        return maxPrefixLen;
    }

    /** The package's num_latents default (the card's 1). */
    public int defaultNumLatents() {
        return (int) pkg.config("num_latents");
    }

    /**
     * The package's sampling defaults (the card's top-p 0.95, temperature 1.0, HF's top-k 50), with
     * PAD suppressed: PAD decodes as a velocity of 128 (symbolic.md 0.4).
     */
    public SamplingConfig defaultSampling() {
        return SamplingConfig.of(pkg.manifest().generation()).withSuppressed(List.of(pad));
    }

    /**
     * Continues {@code midi}: encodes it with {@link PerceiverMidiCodec#encodeFile}, generates with
     * PAD always suppressed, and returns the new notes after the prompt. A prompt longer than the
     * model can take keeps its LAST max_prefix_len + numLatents ids (never more than max_seq_len):
     * a continuation must follow what was played last, whereas HF's pipeline keeps the first
     * max_prompt_length ids, which would continue from the middle of a long file. An empty prompt
     * (no notes) is refused.
     */
    public Continuation continueMidi(Path midi, PerceiverArRequest request, BooleanSupplier cancelled, Progress progress) {
        int[] all = PerceiverMidiCodec.encodeFile(midi);
        if (all.length == 0) throw new BadInputException(midi, "has no notes to continue (the Perceiver AR prompt is empty)");
        return continueIds(all, request, cancelled, progress);
    }

    /**
     * Continues notes already in memory (the live session's context), encoded with
     * {@link PerceiverMidiCodec#encode(NoteSequence)}; otherwise as {@link #continueMidi}.
     */
    public Continuation continueSequence(NoteSequence sequence, PerceiverArRequest request, BooleanSupplier cancelled, Progress progress) {
        int[] all = PerceiverMidiCodec.encode(sequence);
        if (all.length == 0) throw new BadInputException("there are no notes to continue (the Perceiver AR prompt is empty)");
        return continueIds(all, request, cancelled, progress);
    }

    /**
     * As above for a continuation that starts at {@code fromSeconds} (on the sequence's timeline),
     * after a rest: the prompt ends with the time shifts up to there, so the model's next event is
     * the continuation's first, not one in the rest (a live answer starts on the beat after the
     * player's silence; notes the model placed in the silence would be thrown away). No rest is
     * added when {@code fromSeconds} is not after the prompt's last event.
     */
    public Continuation continueSequence(NoteSequence sequence, double fromSeconds, PerceiverArRequest request, BooleanSupplier cancelled,
                                         Progress progress) {
        int[] all = PerceiverMidiCodec.encode(sequence);
        if (all.length == 0) throw new BadInputException("there are no notes to continue (the Perceiver AR prompt is empty)");
        return continueIds(withRest(all, fromSeconds), request, cancelled, progress);
    }

    /** {@code ids} followed by time shifts (at most a second each) to {@code untilSeconds}, on the 10 ms grid of the events. */
    static int[] withRest(int[] ids, double untilSeconds) {
        long steps = Math.round((untilSeconds - seconds(ids, 0, ids.length)) * PerceiverVocab.STEPS_PER_SECOND);
        if (steps <= 0) return ids;
        int shifts = (int) Math.min(Integer.MAX_VALUE - ids.length, (steps + PerceiverVocab.TIME_SHIFT_RANGE - 1) / PerceiverVocab.TIME_SHIFT_RANGE);
        int[] out = Arrays.copyOf(ids, ids.length + shifts);
        for (int i = ids.length; i < out.length; i++) {
            int step = (int) Math.min(PerceiverVocab.TIME_SHIFT_RANGE, steps);
            out[i] = PerceiverVocab.TIME_SHIFT_START + step - 1;
            steps -= step;
        }
        return out;
    }

    private Continuation continueIds(int[] all, PerceiverArRequest request, BooleanSupplier cancelled, Progress progress) {
        int k = Math.min(request.numLatents(), maxLatents);
        int keep = Math.min(maxSeqLen, maxPrefixLen + Math.min(k, all.length));
        int[] window = all.length <= keep ? all : Arrays.copyOfRange(all, all.length - keep, all.length);
        List<Integer> suppressed = new ArrayList<>(request.sampling().suppressedTokens());
        if (!suppressed.contains(pad)) suppressed.add(pad);
        PerceiverArRequest r = new PerceiverArRequest(request.maxNewTokens(), request.maxSeconds(), request.numLatents(),
                request.sampling().withSuppressed(suppressed), request.seed());
        Tokens t = generate(window, r, cancelled, progress);
        double promptEnd = seconds(all, 0, all.length);
        int[] full = Arrays.copyOf(all, all.length + t.generated().length);
        System.arraycopy(t.generated(), 0, full, all.length, t.generated().length);
        List<TimedNote> fresh = new ArrayList<>();
        for (TimedNote n : PerceiverMidiCodec.decode(full)) {
            if (n.startSeconds() >= promptEnd) fresh.add(n);
        }
        return new Continuation(all, t.generated(), promptEnd, fresh, t.cancelled());
    }

    /** Seconds of time shift in {@code ids[from, to)}, summed as decode_midi does. */
    static double seconds(int[] ids, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            int id = ids[i];
            if (id >= PerceiverVocab.TIME_SHIFT_START && id < PerceiverVocab.VELOCITY_START) {
                s += (double) (id - PerceiverVocab.TIME_SHIFT_START + 1) / PerceiverVocab.STEPS_PER_SECOND;
            }
        }
        return s;
    }

    /**
     * Continues {@code prompt} (ids in 0..388) with the HF cached-path loop. The prompt must satisfy
     * what HF generate checks: 1..max_seq_len ids, numLatents in 1..max_latents (then at most the
     * prompt length), and prompt length - numLatents <= max_prefix_len; anything else is a
     * {@link BadInputException} saying the valid range. The sampling config is used as given
     * (greedy with nothing suppressed is HF's greedy). Cancelling returns the ids made so far.
     */
    public synchronized Tokens generate(int[] prompt, PerceiverArRequest request, BooleanSupplier cancelled, Progress progress) {
        int len = prompt.length;
        if (len < 1 || len > maxSeqLen) throw new BadInputException("the prompt has " + len + " ids; this model takes 1.." + maxSeqLen);
        for (int i = 0; i < len; i++) {
            if (prompt[i] < 0 || prompt[i] >= vocabSize) {
                throw new BadInputException("prompt id " + prompt[i] + " at position " + i + " is outside the vocabulary 0.." + (vocabSize - 1));
            }
        }
        if (request.numLatents() > maxLatents) {
            throw new BadInputException("num_latents " + request.numLatents() + " is out of the valid range 1.." + maxLatents);
        }
        int k = Math.min(len, request.numLatents());
        int prefixLen = len - k;
        if (prefixLen > maxPrefixLen) {
            throw new BadInputException("for a prompt of " + len + " ids, num_latents must be in " + (k + prefixLen - maxPrefixLen) + ".." + maxLatents);
        }
        Sampler sampler = new Sampler(request.sampling(), request.seed());
        int total = request.maxNewTokens();
        int[] history = Arrays.copyOf(prompt, len + total);
        int made = 0;
        double seconds = 0;
        boolean stopped = false;
        try {
            for (CacheRows c : rows) c.clear();
            float[] logits = run(Arrays.copyOfRange(prompt, 0, prefixLen), Arrays.copyOfRange(prompt, prefixLen, len));
            while (true) {
                int next = sampler.next(logits, history, len + made);
                history[len + made++] = next;
                seconds += seconds(history, len + made - 1, len + made);
                progress.update(made, total, "tokens");
                if (made == total || seconds >= request.maxSeconds()) break;
                if (cancelled.getAsBoolean()) {
                    stopped = true;
                    break;
                }
                // the HF trims (symbolic.md 1.6): both happen before the step that would exceed a cap
                for (int i = 0; i < rows.size(); i++) {
                    CacheRows c = rows.get(i);
                    int cap = i < 2 ? maxSeqLen : maxLatents;
                    if (c.length() >= cap) c.keepLast(cap - 1);
                }
                logits = run(new int[0], new int[] {next});
            }
        } catch (OrtException e) {
            throw new ModelException(decoderFile, "Perceiver AR decoding failed: " + e.getMessage(), e);
        }
        return new Tokens(prompt.clone(), Arrays.copyOfRange(history, len, len + made), stopped);
    }

    /** Generates two tokens so that ONNX Runtime has allocated and tuned the graph for the prefill and a step before real use. */
    public void warmUp() {
        generate(new int[] {PerceiverVocab.TIME_SHIFT_START}, PerceiverArRequest.tokens(2, 1, SamplingConfig.greedy(), 0),
                () -> false, Progress.NONE);
    }

    /**
     * Runs the decoder on new prefix and latent ids (each [1, n]) on top of the caches, its new rows
     * written into the caches' buffers; returns the last latent's logits.
     */
    private float[] run(int[] prefixIds, int[] latentIds) throws OrtException {
        List<OnnxTensor> made = new ArrayList<>();
        try {
            Map<String, OnnxTensorLike> in = new HashMap<>();
            Map<String, OnnxValue> out = new HashMap<>();
            in.put("prefix_ids", ids(prefixIds, made));
            in.put("latent_ids", ids(latentIds, made));
            int caRows = prefixIds.length + latentIds.length, saRows = latentIds.length;
            for (int i = 0; i < caches.size(); i++) {
                CacheRows c = rows.get(i);
                OnnxTensor room = c.room(env, i < 2 ? caRows : saRows); // first: it may move the window
                made.add(room);
                out.put("new." + caches.get(i), room);
                OnnxTensor past = c.window(env);
                made.add(past);
                in.put("past." + caches.get(i), past);
            }
            float[] last = new float[vocabSize];
            try (OrtSession.Result result = decoder.run(in, Set.of(LOGITS), out)) {
                OnnxTensor logits = (OnnxTensor) result.get(LOGITS).orElseThrow();
                int n = (int) logits.getInfo().getShape()[1];
                FloatBuffer all = logits.getFloatBuffer();
                all.position((n - 1) * vocabSize);
                all.get(last);
            }
            for (int i = 0; i < caches.size(); i++) rows.get(i).append(i < 2 ? caRows : saRows);
            return last;
        } catch (OrtException | RuntimeException e) {
            if (e instanceof ModelException || e instanceof BadInputException) throw e;
            throw new ModelException(decoderFile, "Perceiver AR graph run failed: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : made) t.close();
        }
    }

    private OnnxTensor ids(int[] values, List<OnnxTensor> made) throws OrtException {
        LongBuffer buf = LongBuffer.allocate(values.length);
        for (int v : values) buf.put(v);
        buf.flip();
        OnnxTensor t = OnnxTensor.createTensor(env, buf, new long[] {1, values.length});
        made.add(t);
        return t;
    }

    @Override
    public synchronized void close() {
        pkg.close();
    }
}
