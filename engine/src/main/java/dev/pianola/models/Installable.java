package dev.pianola.models;

import java.util.List;

/**
 * One model {@code pianola models install} can install ({@link ModelCatalog}): a Hugging Face
 * checkpoint at a pinned revision, and how tools/export turns it into a package of {@code family}.
 *
 * @param name         what users type ({@code models install gpt2-remi}); also the package's folder in the model store
 * @param family       the family the package is of (its manifest names {@code family.manifestFamily()})
 * @param repo         the hub repository, "owner/name"
 * @param revision     the pinned revision: a commit id, or a branch or tag the hub resolves to one
 * @param files        the checkpoint files to fetch, in order
 * @param env          the Python environment the exporter runs in
 * @param exporter     the exporter script, relative to the repository root; it takes {@code --checkpoint DIR --out DIR --source TEXT}
 * @param exporterArgs further arguments for the exporter
 */
public record Installable(String name, ModelFamily family, String repo, String revision, List<CheckpointFile> files, PythonEnv env,
                          String exporter, List<String> exporterArgs) {
    public Installable {
        if (family == null || !family.needsPackage()) throw new IllegalArgumentException(name + ": only a family with a package is installed");
        if (!repo.matches("[\\w.-]+/[\\w.-]+")) throw new IllegalArgumentException(name + ": a hub repository is owner/name, not " + repo);
        files = List.copyOf(files);
        exporterArgs = List.copyOf(exporterArgs);
    }

    /**
     * A file of the checkpoint: the first of {@code names} that the revision has (a checkpoint saved
     * by another version of transformers names its weights differently); {@code optional}: the
     * exporter does without it.
     */
    public record CheckpointFile(List<String> names, boolean optional) {
        public CheckpointFile {
            names = List.copyOf(names);
            if (names.isEmpty()) throw new IllegalArgumentException("a checkpoint file needs a name");
        }

        public static CheckpointFile of(String name) {
            return new CheckpointFile(List.of(name), false);
        }

        public static CheckpointFile optional(String name) {
            return new CheckpointFile(List.of(name), true);
        }

        /** "model.safetensors or pytorch_model.bin". */
        public String describe() {
            return String.join(" or ", names);
        }
    }

    /**
     * A Python virtual environment made on demand for exporters: {@code python -m venv}, then each
     * step is one {@code pip install} with these arguments ({@code -r FILE} names a pinned
     * requirements file relative to the repository root).
     *
     * @param name               its folder under the environments' folder
     * @param pythons            the interpreters that can make it, the first found on PATH is used
     * @param pipSteps           the pip install arguments, one list per pip run
     * @param downloadMegabytes  about how much pip downloads (shown before asking)
     * @param diskMegabytes      about how much it takes installed
     */
    public record PythonEnv(String name, List<String> pythons, List<List<String>> pipSteps, long downloadMegabytes, long diskMegabytes) {
        public PythonEnv {
            pythons = List.copyOf(pythons);
            pipSteps = pipSteps.stream().map(List::copyOf).toList();
        }

        /** The requirements files the steps name (repository-relative). */
        public List<String> requirementFiles() {
            return pipSteps.stream().flatMap(step -> {
                java.util.List<String> files = new java.util.ArrayList<>();
                for (int i = 0; i + 1 < step.size(); i++) if (step.get(i).equals("-r")) files.add(step.get(i + 1));
                return files.stream();
            }).toList();
        }
    }
}
