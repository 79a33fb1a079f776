package dev.pianola.models.remi;

import dev.pianola.BadInputException;
import dev.pianola.ModelException;
import dev.pianola.runtime.DecodingLoop;
import dev.pianola.runtime.GenerationRequest;
import dev.pianola.runtime.GenerationResult;
import dev.pianola.runtime.KvDecoder;
import dev.pianola.runtime.ModelManifest;
import dev.pianola.runtime.ModelPackage;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.runtime.SamplingConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * GPT-2 generation over token ids (the REMI+BPE tokenizer turns MIDI into these ids and back):
 * the package's {@value #GRAPH} graph, exported by tools/export/export_gpt2.py with
 * {@code input_ids, attention_mask, position_ids, past_key_values.{i}.key|value} in and
 * {@code logits, present.{i}.key|value} out, is run by the shared {@link DecodingLoop}. The same
 * graph does the prefill (with an empty cache) and the steps, so a package has one decoder file.
 * One generation at a time (calls are serialised); run it on an InferenceWorker for background use.
 */
public final class Gpt2Generator implements AutoCloseable {
    /** The role of the decoder graph in the manifest. */
    public static final String GRAPH = "decoder";

    private final ModelPackage pkg;
    private final KvDecoder decoder;
    private final int bos, eos, pad, contextLength, vocabSize;

    /** Takes over {@code pkg} (closed with this generator); it must be a {@code gpt2-remi} package. */
    public Gpt2Generator(ModelPackage pkg) {
        pkg.requireFamily(ModelManifest.GPT2_REMI);
        this.pkg = pkg;
        int layers = (int) pkg.config("n_layer");
        int heads = (int) pkg.config("n_head");
        int width = (int) pkg.config("n_embd");
        if (heads <= 0 || width % heads != 0) throw new ModelException(pkg.manifestFile(), "n_embd " + width + " is not a multiple of n_head " + heads);
        this.bos = (int) pkg.config("bos_token_id");
        this.eos = (int) pkg.config("eos_token_id");
        this.pad = (int) pkg.config("pad_token_id");
        this.contextLength = (int) pkg.config("n_positions");
        this.vocabSize = pkg.manifest().vocabSize();
        ModelManifest.Graph g = pkg.graph(GRAPH);
        List<String> past = new ArrayList<>(), present = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            for (String kv : new String[] {"key", "value"}) {
                past.add("past_key_values." + i + "." + kv);
                present.add("present." + i + "." + kv);
            }
        }
        for (String name : past) require(g.inputs(), name, "input");
        for (String name : present) require(g.outputs(), name, "output");
        require(g.inputs(), "input_ids", "input");
        require(g.inputs(), "attention_mask", "input");
        String positions = g.inputs().contains("position_ids") ? "position_ids" : null;
        String branch = g.inputs().contains("use_cache_branch") ? "use_cache_branch" : null;
        this.decoder = new KvDecoder(pkg.session(GRAPH), pkg.dir().resolve(g.file()),
                new KvDecoder.Names("input_ids", "attention_mask", positions, branch, g.logits(), past, present,
                        new long[] {-1, heads, -2, width / heads}));
    }

    /** Loads, checks and opens the package in {@code dir} on {@code device}. */
    public static Gpt2Generator open(Path dir, OnnxSessions.Device device) {
        ModelPackage pkg = ModelPackage.load(dir, device, OnnxSessions.defaultThreads());
        try {
            return new Gpt2Generator(pkg);
        } catch (RuntimeException e) {
            pkg.close();
            throw e;
        }
    }

    private void require(List<String> names, String name, String kind) {
        if (!names.contains(name)) {
            throw new ModelException(pkg.dir().resolve(pkg.graph(GRAPH).file()), "a GPT-2 decoder needs the " + kind + " '" + name + "'");
        }
    }

    public ModelPackage modelPackage() {
        return pkg;
    }

    public int bosTokenId() {
        return bos;
    }

    public int eosTokenId() {
        return eos;
    }

    public int padTokenId() {
        return pad;
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** Positions the model has (n_positions): prompt plus new tokens must fit. */
    public int contextLength() {
        return contextLength;
    }

    /**
     * The package's sampling defaults (for Maestro-REMI-bpe20k, the paper's temperature 2.5, top-k
     * 15, top-p 0.95), with PAD suppressed; greedy when the package gives none.
     */
    public SamplingConfig defaultSampling() {
        return SamplingConfig.of(pkg.manifest().generation()).withSuppressed(List.of(pad));
    }

    /** A request with this model's EOS and PAD. */
    public GenerationRequest request(int maxNewTokens, SamplingConfig sampling, long seed) {
        return new GenerationRequest(maxNewTokens, sampling, seed, eos, pad);
    }

    /** Continues one prompt (token ids, normally starting with BOS). */
    public GenerationResult generate(int[] prompt, GenerationRequest request, BooleanSupplier cancelled, Progress progress) {
        return generate(List.of(prompt), request, cancelled, progress);
    }

    /** Continues several prompts at once (left-padded into one batch). */
    public synchronized GenerationResult generate(List<int[]> prompts, GenerationRequest request,
                                                  BooleanSupplier cancelled, Progress progress) {
        int longest = 0;
        for (int[] p : prompts) {
            for (int t : p) {
                if (t < 0 || t >= vocabSize) throw new BadInputException("token id " + t + " is outside the model's vocabulary of " + vocabSize);
            }
            longest = Math.max(longest, p.length);
        }
        if (longest + request.maxNewTokens() > contextLength) {
            throw new BadInputException("a prompt of " + longest + " tokens plus " + request.maxNewTokens()
                    + " new tokens exceeds the model's context of " + contextLength + " tokens");
        }
        try {
            return DecodingLoop.generate(decoder, prompts, request, cancelled, progress);
        } finally {
            decoder.reset(0); // an idle model holds no KV cache (tens of MB at full size)
        }
    }

    /** Runs a short generation so that ONNX Runtime has allocated and tuned everything before real use. */
    public void warmUp() {
        generate(new int[] {bos}, request(2, SamplingConfig.greedy(), 0), () -> false, Progress.NONE);
    }

    @Override
    public synchronized void close() {
        decoder.close();
        pkg.close();
    }
}
