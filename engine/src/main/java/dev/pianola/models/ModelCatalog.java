package dev.pianola.models;

import dev.pianola.BadInputException;

import java.util.List;
import java.util.Optional;

/**
 * What {@code pianola models install NAME} can install: for each name, the Hugging Face checkpoint
 * (repository, revision, files), the exporter of tools/export that turns it into a model package,
 * and the Python environment that exporter runs in. Adding a model is one entry here (its family
 * is in {@link ModelFamilies}); the installer, {@code models info} and the plug-in's "not
 * installed" message read this list.
 */
public final class ModelCatalog {
    private ModelCatalog() {}

    /**
     * The revision every entry is pinned to. The hub was not reachable where this was written, so
     * the commit ids could not be read: the entries pin the branch whose files the specs were read
     * from (/work/shared/reference: "main"), and the installer records the commit it got
     * ({@code X-Repo-Commit}) in the package's pianola-install.json. Replace with the 40-hex commits
     * once they are read on a machine with internet.
     */
    static final String SPEC_REVISION = "main";

    /** transformers saves model.safetensors; older checkpoints have only pytorch_model.bin: the first the revision has. */
    static final Installable.CheckpointFile WEIGHTS = new Installable.CheckpointFile(List.of("model.safetensors", "pytorch_model.bin"), false);

    /**
     * torch 2.5.1 and transformers 4.46.3 (tools/export/requirements.txt) with perceiver-io's model
     * code (tools/reference/requirements-perceiver-ar.txt; perceiver-io itself without its
     * dependencies, whose pins would pull another torch). Sizes measured on the project's venv of the
     * same pins (5.4 GB installed: PyPI's Linux torch wheel brings the CUDA libraries, 2.7 GB of them, although
     * only the CPU is used); the download, about 3 GB, is torch's wheel and the nvidia-* wheels it pulls (not
     * measured here: PyPI could not be watched downloading them).
     */
    public static final Installable.PythonEnv TORCH = new Installable.PythonEnv("torch", List.of("python3.11", "python3"),
            List.of(List.of("-r", "tools/export/requirements.txt", "-r", "tools/reference/requirements-perceiver-ar.txt"),
                    List.of("--no-deps", "--ignore-requires-python", "-r", "tools/export/requirements-perceiver-ar-nodeps.txt")),
            3_000, 5_400);

    /**
     * Pop2Piano's exporter: transformers 4.57.6 and optimum-onnx (tools/export/requirements-pop2piano.txt; essentia's
     * wheel is cp311 only). Sizes estimated, not measured: the torch environment's plus a margin for optimum,
     * essentia, librosa and scipy.
     */
    public static final Installable.PythonEnv POP2PIANO_ENV = new Installable.PythonEnv("pop2piano", List.of("python3.11"),
            List.of(List.of("-r", "tools/export/requirements-pop2piano.txt")), 3_300, 6_000);

    /** A MusicGen checkpoint's files; the T5 tokenizer as tokenizer.json, or spiece.model that the exporter converts (spec part 2.2). */
    private static final List<Installable.CheckpointFile> MUSICGEN_FILES = List.of(Installable.CheckpointFile.of("config.json"),
            Installable.CheckpointFile.of("generation_config.json"), WEIGHTS,
            new Installable.CheckpointFile(List.of("tokenizer.json", "spiece.model"), false),
            Installable.CheckpointFile.optional("tokenizer_config.json"), Installable.CheckpointFile.optional("special_tokens_map.json"));

    public static final List<Installable> ALL = List.of(
            new Installable("gpt2-remi", ModelFamilies.REMI, "Natooz/Maestro-REMI-bpe20k", SPEC_REVISION,
                    List.of(Installable.CheckpointFile.of("config.json"), Installable.CheckpointFile.optional("generation_config.json"), WEIGHTS,
                            // renamed from tokenizer.conf on the hub in 2024-04 (symbolic.md 2.1)
                            new Installable.CheckpointFile(List.of("tokenizer.json", "tokenizer.conf"), false)),
                    TORCH, "tools/export/export_gpt2.py", List.of()),
            new Installable("perceiver-ar", ModelFamilies.PERCEIVER, "krasserm/perceiver-ar-sam-giant-midi", SPEC_REVISION,
                    List.of(Installable.CheckpointFile.of("config.json"), Installable.CheckpointFile.optional("generation_config.json"),
                            Installable.CheckpointFile.of("pytorch_model.bin")),
                    TORCH, "tools/export/export_perceiver_ar.py", List.of()),
            new Installable("pop2piano", ModelFamilies.POP2PIANO, "sweetcocoa/pop2piano", SPEC_REVISION,
                    List.of(Installable.CheckpointFile.of("config.json"), Installable.CheckpointFile.of("generation_config.json"),
                            WEIGHTS, Installable.CheckpointFile.of("vocab.json")),
                    POP2PIANO_ENV, "tools/export/export_pop2piano.py", List.of()),
            new Installable("musicgen-small", ModelFamilies.MUSICGEN, "facebook/musicgen-small", SPEC_REVISION, MUSICGEN_FILES,
                    TORCH, "tools/export/export_musicgen.py", List.of()),
            // stereo: the same layout, 8 codebooks (two channels'); listed after the mono one, which stays compose's default
            new Installable("musicgen-stereo-small", ModelFamilies.MUSICGEN, "facebook/musicgen-stereo-small", SPEC_REVISION, MUSICGEN_FILES,
                    TORCH, "tools/export/export_musicgen.py", List.of()));

    /** The entry named {@code name}; a bad input naming the choices otherwise. */
    public static Installable named(String name) {
        for (Installable i : ALL) if (i.name().equals(name)) return i;
        throw new BadInputException("no model called '" + name + "' to install; pianola can install " + names());
    }

    public static Optional<Installable> find(String name) {
        return ALL.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    /** What installs a package for {@code family} (the first entry of that family), if anything does. */
    public static Optional<Installable> forFamily(ModelFamily family) {
        return ALL.stream().filter(i -> i.family().equals(family)).findFirst();
    }

    /**
     * The installed package of {@code family} (the first the store lists), for an engine asked for
     * without --model; missing, a model problem that says how to install it.
     */
    public static java.nio.file.Path installedPackage(ModelFamily family) {
        java.nio.file.Path dir = installedIfAny(family);
        if (dir != null) return dir;
        throw new dev.pianola.ModelException(dev.pianola.runtime.ModelStore.locate().root(), "no " + family.manifestFamily() + " package installed: "
                + forFamily(family).map(m -> "pianola models install " + m.name()).orElse("make one with tools/export")
                + " (or give its folder with --model DIR)");
    }

    /** As {@link #installedPackage}, or null when none is installed. */
    public static java.nio.file.Path installedIfAny(ModelFamily family) {
        for (dev.pianola.runtime.ModelPackage.Installed p : dev.pianola.runtime.ModelPackage.list(dev.pianola.runtime.ModelStore.locate(), false)) {
            if (family.manifestFamily().equals(p.family())) return p.dir();
        }
        return null;
    }

    /** "gpt2-remi, perceiver-ar or pop2piano". */
    public static String names() {
        return ModelFamilies.orList(ALL.stream().map(Installable::name).toList());
    }
}
