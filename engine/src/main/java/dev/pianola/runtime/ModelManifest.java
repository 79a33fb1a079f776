package dev.pianola.runtime;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code pianola-model.json} of a model package: what the package is, which files it holds
 * (with their sha256), the ONNX graphs' input and output names, the vocabulary size, the
 * architecture constants a decoding loop needs, generation defaults, and where it came from.
 * Written by {@code tools/export}; read and checked by {@link ModelPackage}.
 *
 * @param formatVersion version of this manifest layout ({@link #FORMAT_VERSION})
 * @param family        which Java model code runs it, one of {@link #FAMILIES}
 * @param version       the package's own version (the exporter's, for re-exports of one checkpoint)
 * @param files         every file of the package, each with its sha256
 * @param graphs        ONNX graphs by role (e.g. "decoder"), each naming its file, inputs and outputs
 * @param vocabSize     number of token ids; must equal the last dimension of each graph's logits
 * @param precision     the graphs' arithmetic, one of {@link #PRECISIONS}; absent in packages made
 *                      before the field existed, which are float32
 * @param conversion    how the float32 export was converted to {@code precision} (tool and settings,
 *                      tools/export/precision.py); shown, never interpreted; null for float32
 * @param config        architecture constants (layers, heads, head size, special token ids, ...)
 * @param generation    defaults for sampling when the user gives none
 * @param source        where the weights came from and under which licence
 */
public record ModelManifest(int formatVersion, String family, String version, List<FileEntry> files,
                            Map<String, Graph> graphs, int vocabSize, String precision, Map<String, Object> conversion,
                            Map<String, Long> config, Generation generation, Source source) {

    public ModelManifest {
        if (precision == null) precision = FLOAT32;
    }

    /** The manifest's file name inside a package folder. */
    public static final String FILE = "pianola-model.json";
    public static final int FORMAT_VERSION = 1;

    /** GPT-2 on REMI+BPE tokens (Natooz/Maestro-REMI-bpe20k and its tiny test twin). */
    public static final String GPT2_REMI = "gpt2-remi";
    public static final String PERCEIVER_AR = "perceiver-ar";
    public static final String POP2PIANO = "pop2piano";
    public static final String MUSICGEN = "musicgen";

    public static final String FLOAT32 = "float32";
    /** int8 weights, activations quantized at run time (ONNX Runtime's dynamic quantization). */
    public static final String INT8_DYNAMIC = "int8-dynamic";
    /** float16 weights and arithmetic inside, float32 inputs and outputs. */
    public static final String FLOAT16 = "float16";
    /** Every precision an exporter can write. */
    public static final Set<String> PRECISIONS = Set.of(FLOAT32, INT8_DYNAMIC, FLOAT16);

    /**
     * The families this build can run, each with the precisions its exporter writes and its tests
     * cover; a package of any other family, or in another precision, is refused when it loads.
     */
    public static final Map<String, Set<String>> FAMILY_PRECISIONS = Map.of(
            GPT2_REMI, PRECISIONS,
            PERCEIVER_AR, Set.of(FLOAT32, INT8_DYNAMIC),
            POP2PIANO, Set.of(FLOAT32, INT8_DYNAMIC),
            MUSICGEN, Set.of(FLOAT32));
    public static final Set<String> FAMILIES = FAMILY_PRECISIONS.keySet();

    /** One file of the package, relative to the package folder, with its lower-case hex sha256. */
    public record FileEntry(String path, String sha256) {}

    /**
     * An ONNX graph: its file (one of {@link ModelManifest#files}), its exact input and output
     * names, and which output holds the logits (null for graphs without one).
     */
    public record Graph(String file, List<String> inputs, List<String> outputs, String logits) {}

    /** Sampling defaults; null fields mean "the caller's default". */
    public record Generation(Boolean doSample, Double temperature, Integer topK, Double topP,
                             Double repetitionPenalty, Integer maxNewTokens) {}

    /** Provenance: the checkpoint exported, its licence, and the exporter that wrote the package. */
    public record Source(String checkpoint, String licence, String exporter) {}
}
