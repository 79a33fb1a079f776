package dev.pianola.models.pop2piano;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.BadInputException;
import dev.pianola.ModelException;
import dev.pianola.runtime.KvDecoder;
import dev.pianola.runtime.ModelManifest;
import dev.pianola.runtime.ModelPackage;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Pop2Piano's model over ONNX Runtime: the composer embedding prepended to the log-mel frames as
 * frame 0, the T5 encoder, and greedy decoding with the KV cache, as Hugging Face's
 * {@code Pop2PianoForConditionalGeneration.generate} does it (transformers 4.57.6; spec
 * pop2piano_musicgen.md 1.8 and 1.10).
 *
 * <p>The package (tools/export/export_pop2piano.py) holds two graphs: {@value #ENCODER}
 * ({@code input_features [b, frames, 512], composer_index [b], attention_mask [b, frames + 1]} in,
 * {@code last_hidden_state} out) and {@value #DECODER}, optimum's merged T5 decoder
 * ({@code input_ids, encoder_hidden_states, encoder_attention_mask, use_cache_branch} and 24 past
 * tensors in; logits and 24 present tensors out). The cross-attention keys and values are computed
 * by the decoder's first step only (later steps output empty placeholders for them), so the cache
 * keeps the first step's and feeds them at every later step, as transformers.js does. Also in the package: {@value #COMPOSERS_FILE} (composer name to token id)
 * and {@value #VOCAB_FILE}, whose layout is checked against the one {@link Pop2PianoTokens} decodes.
 *
 * <p>One generation at a time (calls are serialised); run it on an InferenceWorker for background use.
 */
public final class Pop2PianoModel implements AutoCloseable {
    public static final String ENCODER = "encoder";
    public static final String DECODER = "decoder";
    public static final String COMPOSERS_FILE = "composers.json";
    public static final String VOCAB_FILE = "vocab.json";
    /**
     * Segments decoded together. The reference decodes all of an audio's segments as one batch; greedy
     * decoding is row-independent, so chunks give the same tokens while the cache stays bounded (the
     * original repo used 32 rows: {@code 64 // n_bars}).
     */
    public static final int DEFAULT_BATCH_ROWS = 32;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelPackage pkg;
    private final OrtSession encoder;
    private final KvDecoder decoder;
    private final Path encoderFile;
    private final OrtEnvironment env = OnnxSessions.environment();
    /** Composer names in token order, and their token ids; the embedding row is token - offset. */
    private final Map<String, Integer> composers;
    private final int composerOffset;
    private final int startToken, eos, pad, maxLength, dModel, vocabSize;

    /** Takes over {@code pkg} (closed with this model); it must be a {@code pop2piano} package. */
    public Pop2PianoModel(ModelPackage pkg) {
        pkg.requireFamily(dev.pianola.models.ModelFamilies.POP2PIANO);
        this.pkg = pkg;
        this.dModel = (int) pkg.config("d_model");
        if (dModel != Pop2PianoConstants.N_MELS) {
            // the log-mel frames are the encoder's input embeddings, as they are
            throw new ModelException(pkg.manifestFile(), "d_model is " + dModel + "; Pop2Piano feeds its "
                    + Pop2PianoConstants.N_MELS + " mel bands as embeddings, so it must be " + Pop2PianoConstants.N_MELS);
        }
        int layers = (int) pkg.config("num_decoder_layers");
        int heads = (int) pkg.config("num_heads");
        int headSize = (int) pkg.config("d_kv");
        this.startToken = (int) pkg.config("decoder_start_token_id");
        this.eos = (int) pkg.config("eos_token_id");
        this.pad = (int) pkg.config("pad_token_id");
        this.maxLength = (int) pkg.config("max_length");
        this.vocabSize = pkg.manifest().vocabSize();
        if (vocabSize > Pop2PianoTokens.VOCAB_SIZE || vocabSize <= Pop2PianoTokens.TIME_OFFSET) {
            throw new ModelException(pkg.manifestFile(), "vocabSize " + vocabSize + " does not fit Pop2Piano's token layout (time tokens from "
                    + Pop2PianoTokens.TIME_OFFSET + ", at most " + Pop2PianoTokens.VOCAB_SIZE + " ids)");
        }
        if (eos != Pop2PianoTokens.EOS || pad != Pop2PianoTokens.PAD) {
            throw new ModelException(pkg.manifestFile(), "EOS " + eos + " / PAD " + pad + " differ from the tokenizer's 1 / 0");
        }
        if (maxLength < 2) throw new ModelException(pkg.manifestFile(), "max_length " + maxLength + " leaves no room to generate");
        checkVocabulary(pkg.file(VOCAB_FILE), vocabSize);
        this.composers = readComposers(pkg.file(COMPOSERS_FILE));
        this.composerOffset = composers.values().stream().min(Integer::compare).orElseThrow();
        long composerRows = pkg.config("composer_vocab_size");
        if (composers.size() != composerRows) {
            // generate() checks the same: the embedding table has one row per composer
            throw new ModelException(pkg.file(COMPOSERS_FILE), "lists " + composers.size() + " composers, the model has " + composerRows);
        }

        ModelManifest.Graph enc = pkg.graph(ENCODER);
        this.encoderFile = pkg.dir().resolve(enc.file());
        for (String name : List.of("input_features", "composer_index", "attention_mask")) require(enc.inputs(), name, ENCODER);
        require(enc.outputs(), "last_hidden_state", ENCODER);
        this.encoder = pkg.session(ENCODER);

        ModelManifest.Graph dec = pkg.graph(DECODER);
        List<String> past = new ArrayList<>(), present = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            for (String part : new String[] {"decoder", "encoder"}) {
                for (String kv : new String[] {"key", "value"}) {
                    past.add("past_key_values." + i + "." + part + "." + kv);
                    present.add("present." + i + "." + part + "." + kv);
                }
            }
        }
        for (String name : past) require(dec.inputs(), name, DECODER);
        for (String name : present) require(dec.outputs(), name, DECODER);
        for (String name : List.of("input_ids", "encoder_hidden_states", "encoder_attention_mask")) require(dec.inputs(), name, DECODER);
        String branch = dec.inputs().contains("use_cache_branch") ? "use_cache_branch" : null;
        // cross-attention keys/values: computed by the first step, fed back unchanged after it
        java.util.Set<String> cross = new java.util.HashSet<>();
        for (String name : past) if (name.contains(".encoder.")) cross.add(name);
        this.decoder = new KvDecoder(pkg.session(DECODER), pkg.dir().resolve(dec.file()),
                new KvDecoder.Names("input_ids", null, null, branch, dec.logits(), past, present,
                        new long[] {-1, heads, -2, headSize}, cross));
    }

    /** Loads, checks and opens the package in {@code dir} on {@code device}. */
    public static Pop2PianoModel open(Path dir, OnnxSessions.Device device) {
        return open(dir, device, OnnxSessions.defaultThreads());
    }

    /** As {@link #open(Path, OnnxSessions.Device)}, with {@code intraOpThreads} threads per graph on the CPU. */
    public static Pop2PianoModel open(Path dir, OnnxSessions.Device device, int intraOpThreads) {
        ModelPackage pkg = ModelPackage.load(dir, device, intraOpThreads);
        try {
            return new Pop2PianoModel(pkg);
        } catch (RuntimeException e) {
            pkg.close();
            throw e;
        }
    }

    public ModelPackage modelPackage() {
        return pkg;
    }

    /** The arranger styles the model knows, "composer1" to "composer21" for sweetcocoa/pop2piano. */
    public List<String> composers() {
        return List.copyOf(composers.keySet());
    }

    /** Tokens per row including the decoder-start token (the reference's max_length, 256). */
    public int maxLength() {
        return maxLength;
    }

    /** The embedding row of a composer; an unknown name is a user error that lists the known ones. */
    public int composerIndex(String composer) {
        Integer token = composers.get(composer);
        if (token == null) {
            throw new BadInputException("no composer '" + composer + "' in this model; it knows " + String.join(", ", composers.keySet()));
        }
        return token - composerOffset;
    }

    /**
     * Greedy tokens for each segment of features ({@code [segments][frames][512]}, all with the same
     * number of frames), in the arranger style {@code composerIndex}: one row per segment, starting
     * with the decoder-start token, every row as long as the longest (PAD after EOS), as
     * {@code generate} returns them. Decodes {@code batchRows} segments at a time.
     */
    public synchronized int[][] generate(float[][][] features, int composerIndex, int batchRows,
                                         BooleanSupplier cancelled, Progress progress) {
        if (features.length == 0) throw new BadInputException("no segments to decode");
        if (composerIndex < 0 || composerIndex >= composers.size()) throw new IllegalArgumentException("composer index " + composerIndex);
        if (batchRows < 1) throw new IllegalArgumentException("batch rows " + batchRows);
        int frames = features[0].length;
        for (float[][] f : features) {
            if (f.length != frames || (frames > 0 && f[0].length != dModel)) {
                throw new IllegalArgumentException("every segment must be [" + frames + "][" + dModel + "]");
            }
        }
        int[][] rows = new int[features.length][];
        int longest = 1;
        long totalSteps = (long) features.length * (maxLength - 1);
        long[] stepsDone = {0};
        for (int from = 0; from < features.length; from += batchRows) {
            int to = Math.min(features.length, from + batchRows);
            int[][] chunk = generateChunk(Arrays.copyOfRange(features, from, to), composerIndex, cancelled, progress, totalSteps, stepsDone);
            System.arraycopy(chunk, 0, rows, from, chunk.length);
            longest = Math.max(longest, chunk[0].length);
        }
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length < longest) {
                int[] padded = Arrays.copyOf(rows[r], longest); // PAD is 0
                rows[r] = padded;
            }
        }
        return rows;
    }

    private int[][] generateChunk(float[][][] features, int composerIndex, BooleanSupplier cancelled,
                                  Progress progress, long totalSteps, long[] stepsDone) {
        int batch = features.length;
        int frames = features[0].length;
        int[][] seq = new int[batch][maxLength];
        boolean[] done = new boolean[batch];
        int length = 1;
        for (int[] row : seq) row[0] = startToken;
        // single-audio reference calls pass no attention mask: every frame, padding included, is attended
        long[][] ones = new long[batch][frames + 1];
        for (long[] row : ones) Arrays.fill(row, 1);
        try (OnnxTensor mask = KvDecoder.longTensor(env, ones);
             OrtSession.Result encoded = encode(features, composerIndex, mask)) {
            OnnxTensor hidden = (OnnxTensor) encoded.get("last_hidden_state").orElseThrow();
            Map<String, OnnxTensorLike> cross = Map.of("encoder_hidden_states", hidden, "encoder_attention_mask", mask);
            decoder.reset(batch);
            long[][] ids = new long[batch][1];
            for (long[] row : ids) row[0] = startToken;
            while (length < maxLength) {
                if (cancelled.getAsBoolean()) throw new CancellationException("Pop2Piano decoding cancelled");
                float[][] logits = decoder.run(ids, null, null, cross);
                boolean allDone = true;
                for (int b = 0; b < batch; b++) {
                    // finished rows get PAD, as generate's "next * unfinished + pad * (1 - unfinished)"
                    int next = done[b] ? pad : argmax(logits[b]);
                    seq[b][length] = next;
                    ids[b][0] = next;
                    if (next == eos) done[b] = true;
                    allDone &= done[b];
                }
                length++;
                stepsDone[0] += batch;
                progress.update(stepsDone[0], totalSteps, "tokens");
                if (allDone) break;
            }
        } catch (OrtException e) {
            throw new ModelException(encoderFile, "encoder failed: " + e.getMessage(), e);
        } finally {
            decoder.reset(0); // an idle model holds no cache
        }
        // rows that ended early leave budget unused: count it as done so progress reaches the end
        stepsDone[0] += (long) batch * (maxLength - length);
        progress.update(stepsDone[0], totalSteps, "tokens");
        int[][] out = new int[batch][];
        for (int b = 0; b < batch; b++) out[b] = Arrays.copyOf(seq[b], length);
        return out;
    }

    /** The encoder's hidden states for the composer-conditioned features, left in ONNX Runtime's memory. */
    private OrtSession.Result encode(float[][][] features, int composerIndex, OnnxTensor mask) throws OrtException {
        int batch = features.length, frames = features[0].length;
        FloatBuffer x = FloatBuffer.allocate(batch * frames * dModel);
        for (float[][] segment : features) for (float[] frame : segment) x.put(frame);
        x.flip();
        long[] composer = new long[batch];
        Arrays.fill(composer, composerIndex);
        try (OnnxTensor in = OnnxTensor.createTensor(env, x, new long[] {batch, frames, dModel});
             OnnxTensor comp = OnnxTensor.createTensor(env, LongBuffer.wrap(composer), new long[] {batch})) {
            return encoder.run(Map.of("input_features", in, "composer_index", comp, "attention_mask", mask));
        }
    }

    /** torch.argmax: the first index of the largest logit. */
    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }


    private void require(List<String> names, String name, String graph) {
        if (!names.contains(name)) {
            throw new ModelException(pkg.dir().resolve(pkg.graph(graph).file()), "a Pop2Piano " + graph + " needs '" + name + "'");
        }
    }

    /** composers.json: {"composer1": 2052, ...}; ids consecutive from the smallest, as the embedding rows are. */
    static Map<String, Integer> readComposers(Path file) {
        Map<String, Integer> map = readNameToId(file, "composer name to token id");
        if (map.isEmpty()) throw new ModelException(file, "lists no composers");
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(map.entrySet());
        sorted.sort(Map.Entry.comparingByValue());
        int first = sorted.get(0).getValue();
        Map<String, Integer> ordered = new LinkedHashMap<>();
        for (int i = 0; i < sorted.size(); i++) {
            Map.Entry<String, Integer> e = sorted.get(i);
            if (e.getValue() == null || e.getValue() != first + i) {
                throw new ModelException(file, "composer token ids must be consecutive; " + e.getKey() + " is " + e.getValue() + ", expected " + (first + i));
            }
            ordered.put(e.getKey(), e.getValue());
        }
        return ordered;
    }

    /**
     * vocab.json ("value_TYPE" to id): every id below {@code vocabSize} must be where
     * {@link Pop2PianoTokens} expects it, or the decoded notes would be wrong without any error.
     */
    static void checkVocabulary(Path file, int vocabSize) {
        Map<String, Integer> vocab = readNameToId(file, "token name to id");
        for (int id = 0; id < vocabSize; id++) {
            String name = Pop2PianoTokens.tokenName(id);
            Integer actual = vocab.get(name);
            if (actual == null || actual != id) {
                throw new ModelException(file, "maps '" + name + "' to " + actual + ", Pianola's decoder expects " + id
                        + " (a tokenizer with another layout?)");
            }
        }
    }

    /** A JSON object of names to ids, in file order; anything else is a model problem naming the file. */
    private static Map<String, Integer> readNameToId(Path file, String what) {
        try {
            Map<String, Integer> map = JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Integer>>() {});
            if (map == null) throw new ModelException(file, "is JSON null, not a JSON object of " + what);
            for (Map.Entry<String, Integer> e : map.entrySet()) {
                if (e.getValue() == null) throw new ModelException(file, "maps '" + e.getKey() + "' to null; it must be a JSON object of " + what);
            }
            return map;
        } catch (JacksonException e) {
            throw new ModelException(file, "is not a JSON object of " + what + ": " + dev.pianola.io.JsonProblems.describe(e));
        } catch (IOException e) {
            throw new ModelException(file, "cannot be read: " + e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        decoder.close();
        pkg.close();
    }
}
