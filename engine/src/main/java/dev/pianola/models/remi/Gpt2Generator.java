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
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * GPT-2 generation over token ids (the REMI+BPE tokenizer turns MIDI into these ids and back):
 * the package's {@value #GRAPH} graph, exported by tools/export/export_gpt2.py with
 * {@code input_ids, attention_mask, position_ids, past_key_values.{i}.key|value} in and
 * {@code logits, present.{i}.key|value} out, is run by the shared {@link DecodingLoop}. The same
 * graph does the prefill (with an empty cache) and the steps, so a package has one decoder file.
 * One generation at a time (calls are serialised); run it on an InferenceWorker for background use.
 * The cache of the last prompt is kept (see {@link #prime}): a prompt that begins as the last one
 * did runs only from where they differ.
 */
public final class Gpt2Generator implements AutoCloseable {
    /** The role of the decoder graph in the manifest. */
    public static final String GRAPH = "decoder";

    private final ModelPackage pkg;
    private final KvDecoder decoder;
    private final int bos, eos, pad, contextLength, vocabSize;
    /** Tokens whose keys and values the decoder's cache holds (batch 1), or null. */
    private int[] cachedIds;
    /**
     * Whether a prompt run in pieces gives the logits it gives run whole (to float32 noise, which
     * the tests show does not change a token). Only float32: int8 dynamic quantization scales
     * activations over the tokens fed together, and float16's coarser sums could move a sampled
     * token near a top-k or top-p cut; such a package is always prefilled whole.
     */
    private final boolean reusesCache;

    /** Takes over {@code pkg} (closed with this generator); it must be a {@code gpt2-remi} package. */
    public Gpt2Generator(ModelPackage pkg) {
        pkg.requireFamily(dev.pianola.models.ModelFamilies.REMI);
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
        this.reusesCache = ModelManifest.FLOAT32.equals(pkg.manifest().precision());
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
            checkTokens(p);
            longest = Math.max(longest, p.length);
        }
        if (longest + request.maxNewTokens() > contextLength) {
            throw new BadInputException("a prompt of " + longest + " tokens plus " + request.maxNewTokens()
                    + " new tokens exceeds the model's context of " + contextLength + " tokens");
        }
        if (prompts.size() > 1) {
            try {
                return DecodingLoop.generate(decoder, prompts, request, cancelled, progress);
            } finally {
                forget(); // a batch's cache serves no later prompt
            }
        }
        int[] prompt = prompts.get(0);
        boolean done = false;
        try {
            int shared = keepSharedPrefix(prompt, prompt.length - 1);
            GenerationResult result = shared > 0
                    ? DecodingLoop.continueCached(decoder, prompt, shared, request, cancelled, progress)
                    : DecodingLoop.generate(decoder, prompts, request, cancelled, progress);
            // the cache now holds the prompt and the new tokens that were fed back
            int[] fed = Arrays.copyOf(prompt, decoder.pastLength());
            int[] tokens = result.tokens().get(0);
            for (int i = prompt.length; i < fed.length; i++) fed[i] = tokens[i - prompt.length];
            cachedIds = fed;
            if (!reusesCache) forget(); // nothing could reuse it: tens of MB at full size
            done = true;
            return result;
        } finally {
            if (!done) forget();
        }
    }

    /**
     * Runs the model over a prompt that is about to be continued, so that the continuation need
     * only run what has changed since: a live session primes the phrase as it is played, bar by
     * bar, and at the phrase's end only its last tokens remain. The cache keeps the prompt's tokens
     * but its last (which {@link #generate} runs to get the first new token's logits); where the
     * prompt differs from what is cached (a held note's duration token, a window moved on), the cache
     * is cut back to the shared beginning first. {@link #generate} then gives the tokens it gives
     * without priming, up to floating-point noise in the logits. Only for a float32 package (see
     * {@link #reusesCache}): it does nothing for others.
     */
    public synchronized void prime(int[] prompt) {
        checkTokens(prompt);
        if (prompt.length > contextLength) throw new BadInputException("a prompt of " + prompt.length + " tokens exceeds the model's context of " + contextLength);
        int head = prompt.length - 1;
        if (head < 1 || !reusesCache) return;
        boolean done = false;
        try {
            int shared = keepSharedPrefix(prompt, head);
            if (shared == head) {
                done = true;
                return;
            }
            if (shared == 0) decoder.reset(1);
            long[][] input = new long[1][head - shared], positions = new long[1][head - shared], mask = new long[1][head];
            Arrays.fill(mask[0], 1);
            for (int i = shared; i < head; i++) {
                input[0][i - shared] = prompt[i];
                positions[0][i - shared] = i;
            }
            decoder.run(input, mask, positions);
            cachedIds = Arrays.copyOf(prompt, head);
            done = true;
        } finally {
            if (!done) forget();
        }
    }

    /**
     * Cuts the cache back to the tokens it shares with the beginning of {@code prompt}, at most
     * {@code limit} of them; returns how many it keeps (0: nothing, the next run is a prefill).
     */
    private int keepSharedPrefix(int[] prompt, int limit) {
        if (cachedIds == null || !reusesCache) return 0;
        int shared = 0;
        int most = Math.min(limit, cachedIds.length);
        while (shared < most && cachedIds[shared] == prompt[shared]) shared++;
        if (shared == 0) {
            forget();
            return 0;
        }
        decoder.truncate(shared);
        cachedIds = Arrays.copyOf(cachedIds, shared);
        return shared;
    }

    /** Whether {@link #prime} can spare a continuation work (a float32 package). */
    public boolean primes() {
        return reusesCache;
    }

    /** How many tokens of the last prompt the cache holds (0: the next generation prefills whole). */
    synchronized int cachedTokens() {
        return cachedIds == null ? 0 : cachedIds.length;
    }

    /** Drops the cache (tens of MB at full size). */
    public synchronized void forget() {
        decoder.reset(0);
        cachedIds = null;
    }

    private void checkTokens(int[] prompt) {
        for (int t : prompt) {
            if (t < 0 || t >= vocabSize) throw new BadInputException("token id " + t + " is outside the model's vocabulary of " + vocabSize);
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
