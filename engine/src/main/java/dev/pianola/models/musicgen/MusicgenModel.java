package dev.pianola.models.musicgen;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.BadInputException;
import dev.pianola.ModelException;
import dev.pianola.runtime.GenerationResult;
import dev.pianola.runtime.KvDecoder;
import dev.pianola.runtime.ModelManifest;
import dev.pianola.runtime.ModelPackage;
import dev.pianola.runtime.MultiCodebookLoop;
import dev.pianola.runtime.OnnxSessions;
import dev.pianola.runtime.Progress;
import dev.pianola.runtime.SamplingConfig;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * MusicGen (text to music) over ONNX Runtime, as transformers' {@code MusicgenForConditionalGeneration.generate}
 * (4.46.3; spec pop2piano_musicgen.md part 2): the T5 text encoder, classifier-free guidance with
 * zero states for the unconditional rows, the delay pattern over the codebooks, the decoder loop
 * with its KV cache ({@link MultiCodebookLoop}), greedy or transformers' sampling, and EnCodec to
 * audio; EnCodec's encoder turns an audio prompt into codes the generation continues.
 *
 * <p>The package (tools/export/export_musicgen.py) holds {@value #TEXT_ENCODER} (T5, projection and
 * mask), {@value #CROSS_KV} (every layer's cross-attention keys and values, once per generation),
 * {@value #DECODER} (one graph for the prefill and every step), {@value #CODEC_DECODE} and
 * {@value #CODEC_ENCODE}, the T5 {@value #TOKENIZER_FILE} and {@value #GENERATION_FILE}.
 * Mono and stereo checkpoints (musicgen-stereo-*: audio_channels 2, the two channels' codebooks
 * interleaved, left first, over one delay pattern ({@link DelayPattern}); EnCodec stays the mono
 * codec, run once per channel on its half of the codebooks, as transformers does).
 *
 * <p>One generation at a time (calls are serialised); run it on an InferenceWorker for background use.
 */
public final class MusicgenModel implements AutoCloseable {
    public static final String TEXT_ENCODER = "text_encoder";
    public static final String CROSS_KV = "cross_kv";
    public static final String DECODER = "decoder";
    public static final String CODEC_DECODE = "encodec_decode";
    public static final String CODEC_ENCODE = "encodec_encode";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String GENERATION_FILE = "generation_config.json";

    /**
     * One generation's settings.
     *
     * @param maxNewTokens  decoder steps; each step adds one frame per codebook, and the delay
     *                      pattern costs K of them, K the codebooks of one channel (4, stereo too),
     *                      so a start-only prompt gives {@code maxNewTokens - K + 1} frames
     * @param sampling      greedy or sampled choice (temperature, top-k, top-p as transformers)
     * @param seed          the sampler's seed
     * @param guidanceScale classifier-free guidance; 1 (or less) turns it off
     */
    public record Settings(int maxNewTokens, SamplingConfig sampling, long seed, double guidanceScale) {
        public Settings {
            if (maxNewTokens < 1) throw new BadInputException("the number of decoder steps must be >= 1, it is " + maxNewTokens);
            if (sampling == null) throw new IllegalArgumentException("sampling is required");
            if (!(guidanceScale >= 0) || Double.isInfinite(guidanceScale)) {
                throw new BadInputException("guidance scale must be a number >= 0 (1 or less: off), it is " + guidanceScale);
            }
        }
    }

    /** Codes [batch][codebooks][frames] as EnCodec takes them, and the loop's record. */
    public record Generation(long[][][] codes, MultiCodebookLoop.Result loop) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelPackage pkg;
    private final OrtEnvironment env = OnnxSessions.environment();
    private final MusicgenTokenizer tokenizer;
    private final KvDecoder decoder;
    private final List<String> crossNames;
    private final int codebooks, hidden, maxPositions, samplingRate, hopLength, frameRate, maxLength;
    /** Audio channels (1 or 2) and the codebooks of each: EnCodec's, and the delay pattern's width. */
    private final int channels, channelCodebooks;
    private final long pad, start;
    private final double guidanceScale;

    /** Takes over {@code pkg} (closed with this model); it must be a {@code musicgen} package. */
    public MusicgenModel(ModelPackage pkg) {
        pkg.requireFamily(dev.pianola.models.ModelFamilies.MUSICGEN);
        this.pkg = pkg;
        this.codebooks = (int) pkg.config("num_codebooks");
        this.channels = (int) pkg.config("audio_channels");
        if ((channels != 1 && channels != 2) || codebooks % channels != 0) {
            throw new ModelException(pkg.manifestFile(), "is a " + channels + "-channel MusicGen of " + codebooks + " codebooks; MusicGen is mono or stereo");
        }
        this.channelCodebooks = codebooks / channels;
        this.hidden = (int) pkg.config("hidden_size");
        this.maxPositions = (int) pkg.config("max_position_embeddings");
        this.samplingRate = (int) pkg.config("sampling_rate");
        this.hopLength = (int) pkg.config("hop_length");
        this.frameRate = (int) pkg.config("frame_rate");
        this.maxLength = (int) pkg.config("max_length");
        this.pad = pkg.config("pad_token_id");
        this.start = pkg.config("decoder_start_token_id");
        int layers = (int) pkg.config("num_hidden_layers");
        int heads = (int) pkg.config("num_attention_heads");
        int headSize = (int) pkg.config("head_size");
        this.guidanceScale = readGuidance(pkg.file(GENERATION_FILE));

        require(TEXT_ENCODER, true, "input_ids", "attention_mask");
        require(TEXT_ENCODER, false, "encoder_hidden_states");
        require(CODEC_DECODE, true, "audio_codes");
        require(CODEC_DECODE, false, "audio_values");
        require(CODEC_ENCODE, true, "input_values");
        require(CODEC_ENCODE, false, "audio_codes");
        List<String> past = new ArrayList<>(), present = new ArrayList<>(), cross = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            for (String kv : new String[] {"key", "value"}) {
                past.add("past_key_values." + i + "." + kv);
                present.add("present." + i + "." + kv);
                cross.add("encoder_key_values." + i + "." + kv);
            }
        }
        require(CROSS_KV, false, cross.toArray(String[]::new));
        require(DECODER, true, past.toArray(String[]::new));
        require(DECODER, true, cross.toArray(String[]::new));
        require(DECODER, true, "input_ids", "encoder_attention_mask");
        require(DECODER, false, present.toArray(String[]::new));
        this.crossNames = List.copyOf(cross);
        ModelManifest.Graph dec = pkg.graph(DECODER);
        this.decoder = new KvDecoder(pkg.session(DECODER), pkg.dir().resolve(dec.file()),
                new KvDecoder.Names("input_ids", null, null, null, dec.logits(), past, present, new long[] {-1, heads, -2, headSize}));
        this.tokenizer = new MusicgenTokenizer(pkg.file(TOKENIZER_FILE), pkg.config("text_pad_token_id"));
    }

    /** Loads, checks and opens the package in {@code dir} on {@code device}. */
    public static MusicgenModel open(Path dir, OnnxSessions.Device device) {
        ModelPackage pkg = ModelPackage.load(dir, device, OnnxSessions.defaultThreads());
        try {
            return new MusicgenModel(pkg);
        } catch (RuntimeException e) {
            pkg.close();
            throw e;
        }
    }

    public ModelPackage modelPackage() {
        return pkg;
    }

    public MusicgenTokenizer tokenizer() {
        return tokenizer;
    }

    /** The decoder's codebooks, all channels' (8 for a stereo checkpoint). */
    public int codebooks() {
        return codebooks;
    }

    /** 1 (mono) or 2 (stereo: codebooks interleaved, left first). */
    public int channels() {
        return channels;
    }

    /** EnCodec's audio rate (32000 for the facebook/musicgen checkpoints). */
    public int samplingRate() {
        return samplingRate;
    }

    /** Audio samples per frame (640: 50 frames per second at 32 kHz). */
    public int hopLength() {
        return hopLength;
    }

    public int frameRate() {
        return frameRate;
    }

    /** The checkpoint's guidance scale ({@value #GENERATION_FILE}). */
    public double defaultGuidanceScale() {
        return guidanceScale;
    }

    /** The package's sampling defaults (temperature 1, top-k 250 for an exported musicgen-*). */
    public SamplingConfig defaultSampling() {
        return SamplingConfig.of(pkg.manifest().generation());
    }

    /**
     * The most decoder steps one generation may take after a prompt of {@code promptFrames} audio
     * frames: the decoder's position table ends at max_position_embeddings (transformers would
     * grow it; the exported graph holds it fixed).
     */
    public int maxNewTokens(int promptFrames) {
        return maxPositions + 1 - (1 + promptFrames);
    }

    /** Decoder steps that give {@code frames} frames of audio after the prompt (the delay pattern's tail included). */
    public int stepsForFrames(int frames) {
        return frames + channelCodebooks - 1;
    }

    /** The most frames of audio one generation makes after a prompt of {@code promptFrames} frames. */
    public int maxFrames(int promptFrames) {
        return maxNewTokens(promptFrames) - stepsForFrames(0);
    }

    /**
     * Generates codes for each text prompt, continuing {@code promptCodes} ([batch][codebooks][frames],
     * from {@link #encode}; null for none) when given. The codes include the prompt's.
     *
     * @throws CancellationException when {@code cancelled} answered true before the last step
     */
    public synchronized Generation generate(List<String> prompts, long[][][] promptCodes, Settings settings,
                                            BooleanSupplier cancelled, Progress progress) {
        for (String p : prompts) {
            if (p == null || p.isBlank()) throw new BadInputException("the text prompt is empty");
        }
        MusicgenTokenizer.Batch text = tokenizer.encode(prompts);
        int batch = prompts.size();
        int promptFrames = 0;
        if (promptCodes != null) {
            if (promptCodes.length != batch) throw new IllegalArgumentException(promptCodes.length + " audio prompts for " + batch + " text prompts");
            promptFrames = promptCodes[0][0].length;
        }
        int length = 1 + promptFrames + settings.maxNewTokens();
        if (settings.maxNewTokens() > maxNewTokens(promptFrames)) {
            throw new BadInputException(settings.maxNewTokens() + " decoder steps after " + promptFrames + " prompt frames need "
                    + (length - 1) + " positions; this model has " + maxPositions
                    + " (at most " + maxNewTokens(promptFrames) + " steps, " + maxFrames(promptFrames) + " frames)");
        }
        if (length - channelCodebooks < 1 || length < 2 * channelCodebooks - 1) {
            // the delay pattern needs 2 * codebooks - 1 positions (transformers skips it below that)
            throw new BadInputException(settings.maxNewTokens() + " decoder steps make no audio; " + channelCodebooks + " codebooks"
                    + (channels == 2 ? " per channel" : "") + " need at least "
                    + Math.max(channelCodebooks - promptFrames, 2 * channelCodebooks - 2 - promptFrames) + " steps");
        }
        long[][] prompt = new long[batch * codebooks][1 + promptFrames];
        for (int r = 0; r < prompt.length; r++) {
            prompt[r][0] = start;
            if (promptCodes != null) System.arraycopy(promptCodes[r / codebooks][r % codebooks], 0, prompt[r], 1, promptFrames);
        }
        long[][] forced = DelayPattern.forced(prompt, codebooks, channels, pad, length);
        boolean guided = settings.guidanceScale() > 1;
        List<AutoCloseable> open = new ArrayList<>();
        try {
            OnnxTensor mask = track(open, KvDecoder.longTensor(env, guided ? withZeroRows(text.attentionMask()) : text.attentionMask()));
            OnnxTensor states = track(open, encodeText(text, guided));
            OrtSession.Result crossKv = track(open, pkg.session(CROSS_KV).run(Map.of("encoder_hidden_states", states)));
            Map<String, OnnxTensorLike> inputs = new HashMap<>();
            inputs.put("encoder_attention_mask", mask);
            for (String name : crossNames) inputs.put(name, (OnnxTensor) crossKv.get(name).orElseThrow());
            MultiCodebookLoop.Result loop = MultiCodebookLoop.generate(decoder, DelayPattern.prefill(forced), forced, batch,
                    settings.guidanceScale(), settings.sampling(), settings.seed(), inputs, cancelled, progress);
            // a cut-off sequence holds unequal numbers of codes per codebook (the delay): nothing to decode
            if (loop.stop() == GenerationResult.Stop.CANCELLED) throw new CancellationException("MusicGen generation cancelled");
            return new Generation(DelayPattern.codes(loop.sequences(), codebooks, pad), loop);
        } catch (OrtException e) {
            throw new ModelException(pkg.dir(), "text encoding failed: " + e.getMessage(), e);
        } finally {
            decoder.reset(0); // an idle model holds no cache
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception e) {
                    // native memory only
                }
            }
        }
    }

    /**
     * EnCodec: codes [batch][codebooks][frames] to audio [batch][frames * hop] at {@link #samplingRate};
     * a stereo model's two channels averaged (what a cover listens to; {@link #decodeChannels} keeps them).
     */
    public float[][] decode(long[][][] codes) {
        float[][][] all = decodeChannels(codes);
        float[][] out = new float[all.length][];
        for (int b = 0; b < all.length; b++) {
            out[b] = all[b][0];
            if (channels == 2) {
                for (int i = 0; i < out[b].length; i++) out[b][i] = (all[b][0][i] + all[b][1][i]) * 0.5f;
            }
        }
        return out;
    }

    /**
     * EnCodec: codes [batch][codebooks][frames] to audio [batch][channels][frames * hop] at
     * {@link #samplingRate}; stereo: the even codebooks decode to the left channel, the odd ones to
     * the right, each on its own (transformers' generate).
     */
    public float[][][] decodeChannels(long[][][] codes) {
        int batch = codes.length, k = codes[0].length;
        if (k != codebooks) throw new IllegalArgumentException(k + " codebooks, the model has " + codebooks);
        float[][][] out = new float[batch][channels][];
        for (int c = 0; c < channels; c++) {
            long[][][] channel = new long[batch][channelCodebooks][];
            for (int b = 0; b < batch; b++) {
                for (int q = 0; q < channelCodebooks; q++) channel[b][q] = codes[b][q * channels + c];
            }
            float[][] audio = decodeChannel(channel);
            for (int b = 0; b < batch; b++) out[b][c] = audio[b];
        }
        return out;
    }

    /** EnCodec's decoder on one channel's codes [batch][channelCodebooks][frames]. */
    private float[][] decodeChannel(long[][][] codes) {
        int batch = codes.length, k = codes[0].length, frames = codes[0][0].length;
        LongBuffer buf = LongBuffer.allocate(batch * k * frames);
        for (long[][] b : codes) for (long[] row : b) buf.put(row);
        buf.flip();
        Path file = pkg.dir().resolve(pkg.graph(CODEC_DECODE).file());
        try (OnnxTensor in = OnnxTensor.createTensor(env, buf, new long[] {batch, k, frames});
             OrtSession.Result out = pkg.session(CODEC_DECODE).run(Map.of("audio_codes", in))) {
            OnnxTensor audio = (OnnxTensor) out.get("audio_values").orElseThrow();
            long[] shape = audio.getInfo().getShape();
            int samples = (int) shape[2];
            FloatBuffer all = audio.getFloatBuffer();
            float[][] result = new float[batch][samples];
            for (float[] row : result) all.get(row);
            return result;
        } catch (OrtException e) {
            throw new ModelException(file, "EnCodec decoding failed: " + e.getMessage(), e);
        }
    }

    /**
     * EnCodec: mono audio at {@link #samplingRate} to codes [1][codebooks][frames] (an audio prompt).
     * A stereo model gets the mono codes on both channels: what transformers' forward makes of a
     * mono recording, and what its generate makes of one copied to both channels (its generate
     * itself refuses mono audio for a stereo checkpoint).
     */
    public long[][][] encode(float[] samples) {
        long[][] mono = encodeChannel(samples);
        long[][][] result = new long[1][codebooks][];
        for (int k = 0; k < codebooks; k++) result[0][k] = mono[k / channels].clone();
        return result;
    }

    /**
     * EnCodec: audio [channels][samples] at {@link #samplingRate} to codes [1][codebooks][frames];
     * a stereo model encodes each channel on its own and interleaves the codebooks (left first), as
     * transformers' generate; one channel is {@link #encode(float[])}.
     */
    public long[][][] encode(float[][] audio) {
        if (audio.length == 1) return encode(audio[0]);
        if (audio.length != channels) throw new IllegalArgumentException(audio.length + " channels of audio for a " + channels + "-channel model");
        long[][][] result = new long[1][codebooks][];
        for (int c = 0; c < channels; c++) {
            long[][] codes = encodeChannel(audio[c]);
            if (c > 0 && codes[0].length != result[0][0].length) throw new IllegalArgumentException("the channels differ in length");
            for (int q = 0; q < channelCodebooks; q++) result[0][q * channels + c] = codes[q];
        }
        return result;
    }

    /** EnCodec's encoder on one channel: codes [channelCodebooks][frames]. */
    private long[][] encodeChannel(float[] samples) {
        if (samples.length == 0) throw new BadInputException("the audio prompt holds no samples");
        Path file = pkg.dir().resolve(pkg.graph(CODEC_ENCODE).file());
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(samples), new long[] {1, 1, samples.length});
             OrtSession.Result out = pkg.session(CODEC_ENCODE).run(Map.of("input_values", in))) {
            OnnxTensor codes = (OnnxTensor) out.get("audio_codes").orElseThrow();
            long[] shape = codes.getInfo().getShape();
            if (shape[1] != channelCodebooks) {
                throw new ModelException(file, "encodes " + shape[1] + " codebooks, the decoder has " + channelCodebooks + " per channel");
            }
            LongBuffer all = codes.getLongBuffer();
            long[][] result = new long[channelCodebooks][(int) shape[2]];
            for (long[] row : result) all.get(row);
            return result;
        } catch (OrtException e) {
            throw new ModelException(file, "EnCodec encoding failed: " + e.getMessage(), e);
        }
    }

    /** The text encoder's states; with guidance, followed by as many rows of zeros (transformers' null condition). */
    private OnnxTensor encodeText(MusicgenTokenizer.Batch text, boolean guided) throws OrtException {
        try (OnnxTensor ids = KvDecoder.longTensor(env, text.inputIds());
             OnnxTensor mask = KvDecoder.longTensor(env, text.attentionMask());
             OrtSession.Result out = pkg.session(TEXT_ENCODER).run(Map.of("input_ids", ids, "attention_mask", mask))) {
            OnnxTensor states = (OnnxTensor) out.get("encoder_hidden_states").orElseThrow();
            long[] shape = states.getInfo().getShape();
            if (shape[2] != hidden) throw new ModelException(pkg.manifestFile(), "text states are " + shape[2] + " wide, hidden_size is " + hidden);
            FloatBuffer src = states.getFloatBuffer();
            int n = src.remaining();
            FloatBuffer dst = FloatBuffer.allocate(guided ? 2 * n : n);
            dst.put(src);
            dst.rewind(); // the zero rows (if any) are already zero
            long[] outShape = shape.clone();
            if (guided) outShape[0] *= 2;
            return OnnxTensor.createTensor(env, dst, outShape);
        }
    }

    private static long[][] withZeroRows(long[][] rows) {
        long[][] out = new long[rows.length * 2][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i];
            out[rows.length + i] = new long[rows[i].length];
        }
        return out;
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> open, T resource) {
        open.add(resource);
        return resource;
    }

    private void require(String graph, boolean input, String... names) {
        ModelManifest.Graph g = pkg.graph(graph);
        List<String> have = input ? g.inputs() : g.outputs();
        for (String name : names) {
            if (!have.contains(name)) {
                throw new ModelException(pkg.dir().resolve(g.file()), "a MusicGen " + graph + " graph needs " + (input ? "input" : "output") + " '" + name + "'");
            }
        }
    }

    private static double readGuidance(Path file) {
        try {
            JsonNode node = JSON.readTree(file.toFile()).get("guidance_scale");
            if (node == null || !node.isNumber()) throw new ModelException(file, "has no numeric guidance_scale");
            return node.asDouble();
        } catch (IOException e) {
            throw new ModelException(file, "cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        decoder.close();
        tokenizer.close();
        pkg.close();
    }
}
