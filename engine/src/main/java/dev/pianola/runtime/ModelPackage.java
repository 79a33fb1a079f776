package dev.pianola.runtime;

import dev.pianola.models.ModelFamilies;
import dev.pianola.models.ModelFamily;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pianola.ModelException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A model package folder, checked and opened: its manifest ({@link ModelManifest}), every file
 * present with the sha256 the manifest gives, every ONNX graph with exactly the declared inputs and
 * outputs, and logits as wide as the declared vocabulary. Any disagreement is a
 * {@link ModelException} naming the file and what was expected, so a damaged or mismatched
 * package never reaches a decoding loop. Holds one ONNX session per graph until closed.
 */
public final class ModelPackage implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final ModelManifest manifest;
    private final Map<String, OrtSession> sessions;
    private final OnnxSessions.Device device;

    private ModelPackage(Path dir, ModelManifest manifest, Map<String, OrtSession> sessions, OnnxSessions.Device device) {
        this.dir = dir;
        this.manifest = manifest;
        this.sessions = sessions;
        this.device = device;
    }

    /** Loads and checks the package in {@code dir} on the CPU. */
    public static ModelPackage load(Path dir) {
        return load(dir, OnnxSessions.Device.CPU, OnnxSessions.defaultThreads());
    }

    /**
     * Loads and checks the package in {@code dir}, its graphs opened on {@code device}. A float16
     * package is refused on the CPU: ONNX Runtime's CPU provider runs it through Casts around
     * kernels it lacks in float16, measured 2-3x slower than the float32 package (tools/export/README.md).
     */
    public static ModelPackage load(Path dir, OnnxSessions.Device device, int intraOpThreads) {
        ModelPackage p = load(dir, device, intraOpThreads, new ArrayList<>());
        if (p.manifest.precision().equals(ModelManifest.FLOAT16) && p.device == OnnxSessions.Device.CPU) {
            p.close();
            throw new ModelException(p.manifestFile(), "is a float16 package, made for GPUs, and no CUDA device is in use;"
                    + " on the CPU use the float32 or int8 export of the model");
        }
        return p;
    }

    private static ModelPackage load(Path dir, OnnxSessions.Device device, int threads, List<String> checked) {
        ModelManifest manifest = readManifest(dir);
        checked.add(ModelManifest.FILE + ": family " + manifest.family() + ", version " + manifest.version()
                + ", precision " + manifest.precision() + (manifest.conversion() == null ? "" : " " + manifest.conversion()));
        for (ModelManifest.FileEntry entry : manifest.files()) {
            checkFile(dir, entry);
            checked.add(entry.path() + ": sha256 ok");
        }
        Map<String, OrtSession> sessions = new LinkedHashMap<>();
        OnnxSessions.Device actual = device;
        try {
            for (Map.Entry<String, ModelManifest.Graph> g : manifest.graphs().entrySet()) {
                ModelManifest.Graph graph = g.getValue();
                Path file = dir.resolve(graph.file());
                OnnxSessions.Opened opened = OnnxSessions.openOn(file, device, threads);
                sessions.put(g.getKey(), opened.session());
                actual = opened.device();
                checkGraph(opened.session(), file, graph, manifest.vocabSize());
                checked.add(graph.file() + ": graph '" + g.getKey() + "' has the declared " + graph.inputs().size()
                        + " inputs and " + graph.outputs().size() + " outputs"
                        + (graph.logits() == null ? "" : ", logits over " + manifest.vocabSize() + " ids"));
            }
        } catch (RuntimeException e) {
            closeAll(sessions.values());
            throw e;
        }
        return new ModelPackage(dir, manifest, Collections.unmodifiableMap(sessions), actual);
    }

    /** Reads {@code dir/pianola-model.json} and checks its fields (not yet the files it lists). */
    public static ModelManifest readManifest(Path dir) {
        Path file = dir.resolve(ModelManifest.FILE);
        if (!Files.isDirectory(dir)) throw new ModelException(dir, "not a folder; a model package is a folder holding " + ModelManifest.FILE);
        if (!Files.isRegularFile(file)) {
            throw new ModelException(file, "missing; a model package folder holds this manifest (written by tools/export)");
        }
        ModelManifest m;
        try {
            m = JSON.readValue(file.toFile(), ModelManifest.class);
            if (m == null) throw new ModelException(file, "is JSON null, not a model manifest object");
        } catch (JacksonException e) {
            throw new ModelException(file, "not a valid model manifest: " + dev.pianola.io.JsonProblems.describe(e), e);
        } catch (IOException e) {
            throw new ModelException(file, "cannot read it: " + e.getMessage(), e);
        }
        if (m.formatVersion() != ModelManifest.FORMAT_VERSION) {
            throw new ModelException(file, "formatVersion is " + m.formatVersion() + ", this build reads " + ModelManifest.FORMAT_VERSION);
        }
        ModelFamily family = m.family() == null ? null : ModelFamilies.ofManifest(m.family());
        if (family == null) {
            throw new ModelException(file, "unknown model family '" + m.family() + "'; this build runs " + ModelFamilies.manifestFamilies());
        }
        if (!ModelManifest.PRECISIONS.contains(m.precision())) {
            throw new ModelException(file, "unknown precision '" + m.precision() + "'; this build knows " + new TreeSet<>(ModelManifest.PRECISIONS));
        }
        Set<String> runs = family.precisions();
        if (!runs.contains(m.precision())) {
            throw new ModelException(file, "is a " + m.family() + " package in " + m.precision() + ", which this build runs only in "
                    + new TreeSet<>(runs) + "; export it again without --precision");
        }
        if (m.version() == null || m.version().isBlank()) throw new ModelException(file, "has no version");
        if (m.files() == null || m.files().isEmpty()) throw new ModelException(file, "lists no files");
        if (m.graphs() == null || m.graphs().isEmpty()) throw new ModelException(file, "declares no ONNX graphs");
        if (m.vocabSize() <= 0) throw new ModelException(file, "vocabSize must be positive, it is " + m.vocabSize());
        Set<String> listed = new TreeSet<>();
        for (ModelManifest.FileEntry f : m.files()) {
            if (f == null) throw new ModelException(file, "the files list holds a null entry; each entry needs a path and a sha256");
            if (f.path() == null || f.sha256() == null || !f.sha256().matches("[0-9a-f]{64}")) {
                throw new ModelException(file, "file entry " + f + " needs a path and a lower-case hex sha256");
            }
            Path p;
            try {
                p = Path.of(f.path());
            } catch (java.nio.file.InvalidPathException e) {
                throw new ModelException(file, "file path '" + f.path() + "' is not a valid path (" + e.getReason() + ")");
            }
            if (p.isAbsolute() || p.normalize().startsWith("..") || !p.normalize().equals(p)) {
                throw new ModelException(file, "file path '" + f.path() + "' must stay inside the package folder");
            }
            listed.add(f.path());
        }
        for (Map.Entry<String, ModelManifest.Graph> g : m.graphs().entrySet()) {
            ModelManifest.Graph graph = g.getValue();
            if (graph == null) throw new ModelException(file, "graph '" + g.getKey() + "' is null; a graph names its file, inputs and outputs");
            if (graph.file() == null || !listed.contains(graph.file())) {
                throw new ModelException(file, "graph '" + g.getKey() + "' names file '" + graph.file() + "', which the files list lacks");
            }
            if (graph.inputs() == null || graph.outputs() == null || graph.inputs().contains(null) || graph.outputs().contains(null)) {
                throw new ModelException(file, "graph '" + g.getKey() + "' must declare its inputs and outputs, as names");
            }
            if (graph.logits() != null && !graph.outputs().contains(graph.logits())) {
                throw new ModelException(file, "graph '" + g.getKey() + "' names logits output '" + graph.logits() + "', which its outputs lack");
            }
        }
        checkGeneration(file, m.generation());
        return m;
    }

    /** Sampling defaults are the model's: a bad one is a model problem (exit 4), not the user's input. */
    private static void checkGeneration(Path file, ModelManifest.Generation g) {
        if (g == null) return;
        String bad = g.temperature() != null && !(g.temperature() > 0 && g.temperature() < Double.POSITIVE_INFINITY) ? "temperature " + g.temperature()
                : g.topK() != null && g.topK() < 0 ? "topK " + g.topK()
                : g.topP() != null && !(g.topP() > 0 && g.topP() <= 1) ? "topP " + g.topP()
                : g.repetitionPenalty() != null && !(g.repetitionPenalty() > 0 && g.repetitionPenalty() < Double.POSITIVE_INFINITY)
                        ? "repetitionPenalty " + g.repetitionPenalty()
                : g.maxNewTokens() != null && g.maxNewTokens() < 1 ? "maxNewTokens " + g.maxNewTokens() : null;
        if (bad != null) {
            throw new ModelException(file, "generation." + bad + " is out of range (temperature and repetitionPenalty > 0,"
                    + " topK >= 0, topP in (0, 1], maxNewTokens >= 1)");
        }
    }

    private static void checkFile(Path dir, ModelManifest.FileEntry entry) {
        Path file = dir.resolve(entry.path());
        if (!Files.isRegularFile(file)) {
            throw new ModelException(file, "missing; " + ModelManifest.FILE + " lists it with sha256 " + entry.sha256());
        }
        String actual;
        try {
            actual = ModelStore.cachedSha256(file);
        } catch (IOException e) {
            throw new ModelException(file, "cannot read it: " + e.getMessage(), e);
        }
        if (!actual.equals(entry.sha256())) {
            throw new ModelException(file, "sha256 is " + actual + ", expected " + entry.sha256() + " (from "
                    + ModelManifest.FILE + "); the file is damaged or from another export");
        }
    }

    private static void checkGraph(OrtSession session, Path file, ModelManifest.Graph graph, int vocabSize) {
        Map<String, NodeInfo> outputs;
        try {
            compareNames(file, "inputs", graph.inputs(), session.getInputInfo().keySet());
            outputs = session.getOutputInfo();
            compareNames(file, "outputs", graph.outputs(), outputs.keySet());
        } catch (OrtException e) {
            throw new ModelException(file, "cannot read the graph's inputs and outputs: " + e.getMessage(), e);
        }
        if (graph.logits() != null) {
            long[] shape = ((TensorInfo) outputs.get(graph.logits()).getInfo()).getShape();
            long width = shape.length == 0 ? -1 : shape[shape.length - 1];
            if (width != vocabSize) {
                throw new ModelException(file, "logits output '" + graph.logits() + "' is " + width
                        + " token ids wide, but " + ModelManifest.FILE + " says vocabSize " + vocabSize);
            }
        }
    }

    private static void compareNames(Path file, String what, List<String> declared, Set<String> actual) {
        Set<String> missing = new TreeSet<>(declared);
        missing.removeAll(actual);
        Set<String> extra = new TreeSet<>(actual);
        extra.removeAll(declared);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new ModelException(file, "ONNX " + what + " are not as " + ModelManifest.FILE + " declares:"
                    + (missing.isEmpty() ? "" : " declared but absent " + missing)
                    + (extra.isEmpty() ? "" : " present but undeclared " + extra));
        }
    }

    /** What {@code pianola models verify} prints: every check passed, or the first problem. */
    public record VerifyReport(Path dir, boolean ok, String family, String version, String precision, List<String> checked,
                               String problem) {}

    /** Checks the package in {@code dir} as {@link #load} does (graphs on the CPU), and closes it again. */
    public static VerifyReport verify(Path dir) {
        List<String> checked = new ArrayList<>();
        try (ModelPackage p = load(dir, OnnxSessions.Device.CPU, 1, checked)) {
            ModelManifest m = p.manifest;
            return new VerifyReport(dir, true, m.family(), m.version(), m.precision(), List.copyOf(checked), null);
        } catch (ModelException e) {
            String family = null, version = null, precision = null;
            try {
                ModelManifest m = readManifest(dir);
                family = m.family();
                version = m.version();
                precision = m.precision();
            } catch (ModelException unreadable) {
                // the problem itself is in the manifest; the report already says so
            }
            return new VerifyReport(dir, false, family, version, precision, List.copyOf(checked), e.getMessage());
        }
    }

    /** A package found in the model store, with its check when one was asked for. */
    public record Installed(Path dir, String family, String version, String precision, VerifyReport report) {}

    /**
     * The packages under {@code store}'s root (folders holding a manifest, up to three levels deep),
     * sorted by folder. With {@code verify}, each is fully checked (sha256 of every file, graphs
     * opened); otherwise only its manifest is read, and an unreadable one gets a failed report.
     */
    public static List<Installed> list(ModelStore store, boolean verify) {
        Path root = store.root();
        if (!Files.isDirectory(root)) return List.of();
        List<Path> dirs;
        try (Stream<Path> s = Files.find(root, 4, (p, a) -> a.isRegularFile() && p.getFileName().toString().equals(ModelManifest.FILE))) {
            dirs = s.map(Path::getParent).sorted().toList();
        } catch (IOException e) {
            throw new ModelException(root, "cannot list the model store: " + e.getMessage(), e);
        }
        List<Installed> found = new ArrayList<>();
        for (Path d : dirs) {
            // one broken package is listed as broken; it never hides the others
            try {
                if (verify) {
                    VerifyReport r = verify(d);
                    found.add(new Installed(d, r.family(), r.version(), r.precision(), r));
                } else {
                    ModelManifest m = readManifest(d);
                    found.add(new Installed(d, m.family(), m.version(), m.precision(), null));
                }
            } catch (RuntimeException e) {
                String problem = e instanceof ModelException ? e.getMessage() : d.resolve(ModelManifest.FILE) + ": cannot be checked (" + e.getMessage() + ")";
                found.add(new Installed(d, null, null, null, new VerifyReport(d, false, null, null, null, List.of(), problem)));
            }
        }
        return found;
    }

    public Path dir() {
        return dir;
    }

    public ModelManifest manifest() {
        return manifest;
    }

    /** Where the sessions run (AUTO resolved). */
    public OnnxSessions.Device device() {
        return device;
    }

    public Path manifestFile() {
        return dir.resolve(ModelManifest.FILE);
    }

    /** A file of the package by its manifest path (already checked against its sha256). */
    public Path file(String relative) {
        for (ModelManifest.FileEntry f : manifest.files()) {
            if (f.path().equals(relative)) return dir.resolve(relative);
        }
        throw new ModelException(manifestFile(), "lists no file '" + relative + "'");
    }

    /** The session of graph {@code role}. */
    public OrtSession session(String role) {
        OrtSession s = sessions.get(role);
        if (s == null) throw new ModelException(manifestFile(), "declares no graph '" + role + "', it has " + sessions.keySet());
        return s;
    }

    public ModelManifest.Graph graph(String role) {
        ModelManifest.Graph g = manifest.graphs().get(role);
        if (g == null) throw new ModelException(manifestFile(), "declares no graph '" + role + "', it has " + manifest.graphs().keySet());
        return g;
    }

    /** The integer constant {@code key} of the manifest's config. */
    public long config(String key) {
        Long v = manifest.config() == null ? null : manifest.config().get(key);
        if (v == null) throw new ModelException(manifestFile(), "config." + key + " is missing");
        return v;
    }

    /** Fails unless the package is of {@code family}: the user pointed a model at the wrong engine. */
    public void requireFamily(ModelFamily family) {
        if (!family.manifestFamily().equals(manifest.family())) {
            throw new ModelException(manifestFile(), "is a '" + manifest.family() + "' model, this engine needs '" + family.manifestFamily() + "'");
        }
    }

    @Override
    public void close() {
        closeAll(sessions.values());
    }

    private static void closeAll(Iterable<OrtSession> sessions) {
        for (OrtSession s : sessions) {
            try {
                s.close();
            } catch (OrtException e) {
                // closing a session frees native memory only; nothing to tell the user
            }
        }
    }
}
