package dev.pianola.cli;

import dev.pianola.BadInputException;
import dev.pianola.UsageException;
import dev.pianola.install.HubClient;
import dev.pianola.install.HubSettings;
import dev.pianola.install.ModelInstaller;
import dev.pianola.install.PythonEnvironments;
import dev.pianola.models.Installable;
import dev.pianola.models.ModelCatalog;
import dev.pianola.runtime.ModelManifest;
import dev.pianola.runtime.ModelPackage;
import dev.pianola.runtime.ModelStore;
import dev.pianola.runtime.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code pianola models install | remove | info}: getting the neural engines' packages, and taking them away again. */
final class ModelInstallCommands {
    private ModelInstallCommands() {}

    /** picocli's completion and the help's list of names: the catalog's. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return ModelCatalog.ALL.stream().map(Installable::name).iterator();
        }
    }

    /** Appends the catalog to a command's description, a line per model: what the help says is what installs. */
    static final class CatalogInHelp implements picocli.CommandLine.IModelTransformer {
        @Override
        public picocli.CommandLine.Model.CommandSpec transform(picocli.CommandLine.Model.CommandSpec spec) {
            List<String> lines = new ArrayList<>(List.of(spec.usageMessage().description()));
            for (Installable m : ModelCatalog.ALL) {
                // two short lines a model: the help wraps a long one without its indentation
                lines.add(String.format(Locale.ROOT, "  %-14s%s for %s --engine %s", m.name(), m.family().title(), m.family().job().word(), m.family().name()));
                lines.add(String.format(Locale.ROOT, "  %-14sfrom %s", "", m.repo()));
            }
            spec.usageMessage().description(lines.toArray(String[]::new));
            return spec;
        }
    }

    private static Path root() {
        return Path.of(System.getProperty("pianola.root", ".")).toAbsolutePath().normalize();
    }

    @Command(name = "install", mixinStandardHelpOptions = true, sortOptions = false, modelTransformer = CatalogInHelp.class,
            header = "Download a neural engine's checkpoint from the Hugging Face hub and make its model package.",
            description = {"Fetches the original checkpoint at the revision Pianola was built against (resumable, every file checked "
                    + "against the hub's sha256), turns it into an ONNX model package with the pinned exporter of tools/export "
                    + "(in a Python environment made once, on demand), checks the package and puts it in the model store. "
                    + "It says how much it will download and asks first; --yes agrees in advance.",
                    "",
                    "The hub's own environment variables apply: HF_ENDPOINT (a mirror), HF_TOKEN, HF_HOME or HF_HUB_CACHE (the cache "
                            + "it shares with Python's huggingface_hub: files already there are not downloaded again), HF_HUB_OFFLINE=1 "
                            + "(the cache only).",
                    "",
                    "What it installs:"},
            footer = {"", "The exporters' Python environments: $PIANOLA_VENVS, else ~/.cache/pianola/venvs.",
                    "", "Examples:",
                    "  pianola models install gpt2-remi",
                    "  pianola models install pop2piano --yes --json",
                    "  pianola models install gpt2-remi --from ~/Maestro-REMI-bpe20k",
                    "  HF_HUB_OFFLINE=1 pianola models install perceiver-ar"})
    static final class Install implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", completionCandidates = Names.class, description = "What to install: ${COMPLETION-CANDIDATES}.")
        String name;

        @Option(names = {"-y", "--yes"}, description = "Agree to the downloads without being asked (needed where there is no terminal to ask on).")
        boolean yes;

        @Option(names = "--from", paramLabel = "DIR", description = "A checkpoint folder already on disk (the hub repository's files): nothing is downloaded.")
        Path from;

        @Option(names = "--revision", paramLabel = "REV", description = "Another branch, tag or commit of the hub repository than the pinned one.")
        String revision;

        @Option(names = "--venv", paramLabel = "DIR", description = "Run the exporter in this Python environment, which must hold the pinned "
                + "packages (it is checked, never changed), instead of making one.")
        Path venv;

        @Option(names = "--force", description = "Install again over a package that is installed and checks out.")
        boolean force;

        @Mixin
        ReportOptions common;

        @Override
        public Integer call() {
            Installable model = ModelCatalog.named(name);
            if (from != null && revision != null) throw new UsageException("--from and --revision: a folder on disk has no revision; give one of them");
            ModelStore store = ModelStore.locate();
            HubSettings hub = HubSettings.fromEnvironment();
            ModelInstaller installer = new ModelInstaller(store, new HubClient(hub),
                    new PythonEnvironments(root(), PythonEnvironments.defaultDir(System.getenv(), Path.of(System.getProperty("user.home")))), root());
            ModelInstaller.Result r;
            try (CliProgress progress = new CliProgress(common.quiet, System.err)) {
                r = installer.install(model, new ModelInstaller.Options(revision, from, venv, force), new TerminalUi("models install " + name, yes, common, progress));
            }
            if (common.json) {
                System.out.println(new Summary().put("command", "models install").put("name", model.name()).put("dir", r.dir().toString())
                        .put("repo", from == null ? model.repo() : null).put("revision", r.revision()).put("commit", r.commit())
                        .put("downloadedBytes", r.downloadedBytes()).put("alreadyInstalled", r.alreadyInstalled()).put("ok", r.report().ok())
                        .put("family", r.report().family()).put("version", r.report().version()).put("precision", r.report().precision()).toJson());
            } else if (!common.quiet) {
                if (r.alreadyInstalled()) {
                    System.out.println(model.name() + " is installed in " + r.dir() + " and checks out (--force installs it again)");
                } else {
                    System.out.println("installed " + model.name() + " in " + r.dir() + ": a " + r.report().family() + " package (version "
                            + r.report().version() + ", " + r.report().precision() + "), checked");
                }
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            header = "Remove an installed model package from the model store.",
            description = {"NAME removes what pianola models install NAME put there (or the one package of that engine in the store); "
                    + "DIR removes that package folder, which must be in the model store. The package leaves the store in one step, so "
                    + "nothing half-deleted is ever used. The downloaded checkpoint stays in the Hugging Face cache, where "
                    + "another install finds it; the message says where it is."},
            footer = {"", "Examples:", "  pianola models remove gpt2-remi", "  pianola models remove ~/.local/share/pianola/models/my-remi --yes"})
    static final class Remove implements Callable<Integer> {
        @Parameters(paramLabel = "NAME|DIR", description = "An installed model's name (${COMPLETION-CANDIDATES}) or its package folder.",
                completionCandidates = Names.class)
        String what;

        @Option(names = {"-y", "--yes"}, description = "Remove without being asked (needed where there is no terminal to ask on).")
        boolean yes;

        @Mixin
        ReportOptions common;

        @Override
        public Integer call() {
            ModelStore store = ModelStore.locate();
            Path dir = packageToRemove(store, what);
            if (dir == null) {
                if (common.json) System.out.println(new Summary().put("command", "models remove").put("name", what).put("removed", false).toJson());
                else if (!common.quiet) System.out.println(what + " is not installed in " + store.root() + "; nothing was removed");
                return 0;
            }
            long bytes = ModelInstaller.size(dir);
            try (CliProgress progress = new CliProgress(common.quiet, System.err)) {
                TerminalUi ui = new TerminalUi("models remove " + what, yes, common, progress);
                if (!ui.confirm(List.of("remove " + dir + " (" + ModelInstaller.megabytes(bytes) + ")"))) {
                    throw new dev.pianola.PianolaException(dev.pianola.PianolaException.EXIT_OTHER, "cancelled; nothing was removed");
                }
            }
            Map<String, Object> record = ModelInstaller.record(dir);
            ModelInstaller.remove(dir, store);
            String cached = cachedCheckpoint(record);
            if (common.json) {
                System.out.println(new Summary().put("command", "models remove").put("name", what).put("removed", true).put("dir", dir.toString())
                        .put("bytes", bytes).put("checkpointCache", cached).toJson());
            } else if (!common.quiet) {
                System.out.println("removed " + dir + " (" + ModelInstaller.megabytes(bytes) + ")"
                        + (cached != null ? "; its checkpoint stays in the Hugging Face cache, " + cached : ""));
            }
            return 0;
        }

        /** The package folder NAME or DIR names, null when NAME is not installed. */
        private static Path packageToRemove(ModelStore store, String what) {
            Path asDir = Path.of(what);
            if (ModelCatalog.find(what).isEmpty() || Files.isDirectory(asDir) && what.contains("/")) {
                if (!Files.isDirectory(asDir)) {
                    throw new BadInputException("no model called '" + what + "' and no such folder; pianola installs " + ModelCatalog.names()
                            + " (see: pianola models list)");
                }
                return inStore(store, asDir);
            }
            Installable model = ModelCatalog.named(what);
            Path named = store.installed(model.name());
            if (Files.isRegularFile(named.resolve(ModelManifest.FILE))) return named;
            List<ModelPackage.Installed> same = ModelPackage.list(store, false).stream()
                    .filter(p -> model.family().manifestFamily().equals(p.family())).toList();
            if (same.isEmpty()) return null;
            if (same.size() > 1) {
                throw new UsageException(same.size() + " " + model.family().manifestFamily() + " packages are in the store ("
                        + String.join(", ", same.stream().map(p -> p.dir().toString()).toList()) + "): name the folder to remove");
            }
            return same.get(0).dir();
        }

        /** {@code dir}, which must be a package folder inside the store: pianola deletes nothing else. */
        private static Path inStore(ModelStore store, Path dir) {
            Path real;
            try {
                real = dir.toRealPath();
            } catch (IOException e) {
                throw new BadInputException(dir, "cannot read it: " + e.getMessage());
            }
            Path root;
            try {
                root = store.root().toRealPath();
            } catch (IOException e) {
                root = null; // no store yet: nothing is in it
            }
            if (root == null || !real.startsWith(root) || real.equals(root)) {
                throw new BadInputException(dir, "not a package in the model store " + store.root() + "; pianola removes only what is there");
            }
            if (!Files.isRegularFile(real.resolve(ModelManifest.FILE))) {
                throw new BadInputException(dir, "not a model package (it has no " + ModelManifest.FILE + ")");
            }
            return real;
        }

        private static String cachedCheckpoint(Map<String, Object> record) {
            if (record == null || !(record.get("repo") instanceof String repo)) return null;
            Path dir = new HubClient(HubSettings.fromEnvironment()).repoDir(repo);
            return Files.isDirectory(dir) ? dir + " (" + ModelInstaller.megabytes(ModelInstaller.size(dir)) + ")" : null;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            header = "Where an installable model comes from, or what an installed package holds.",
            description = {"NAME (a model models install knows): its hub repository and pinned revision, the files fetched, the exporter and "
                    + "its Python environment, and where it is installed. DIR: a package folder's manifest (family, version, precision, "
                    + "files, graphs, source and licence) and, when models install made it, the commit it was made from."},
            footer = {"", "Examples:", "  pianola models info pop2piano", "  pianola models info ~/.local/share/pianola/models/gpt2-remi --json"})
    static final class Info implements Callable<Integer> {
        @Parameters(paramLabel = "NAME|DIR", description = "A model's name (${COMPLETION-CANDIDATES}) or a package folder.", completionCandidates = Names.class)
        String what;

        @Mixin
        ReportOptions common;

        @Override
        public Integer call() {
            ModelStore store = ModelStore.locate();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("command", "models info");
            var model = ModelCatalog.find(what);
            if (model.isPresent() && !(what.contains("/") && Files.isDirectory(Path.of(what)))) {
                catalogInfo(model.get(), store, info);
            } else if (Files.isDirectory(Path.of(what))) {
                packageInfo(Path.of(what), info);
            } else {
                throw new BadInputException("no model called '" + what + "' and no such folder; pianola installs " + ModelCatalog.names()
                        + " (see: pianola models list)");
            }
            if (common.json) {
                Summary s = new Summary();
                info.forEach(s::put);
                System.out.println(s.toJson());
            } else {
                print(info, "", System.out);
            }
            return 0;
        }

        private static void catalogInfo(Installable m, ModelStore store, Map<String, Object> info) {
            info.put("name", m.name());
            info.put("engine", m.family().name() + " (" + m.family().title() + ", " + m.family().job().word() + ")");
            info.put("family", m.family().manifestFamily());
            info.put("repo", m.repo());
            info.put("revision", m.revision());
            info.put("files", m.files().stream().map(f -> f.describe() + (f.optional() ? " (if there)" : "")).toList());
            info.put("exporter", m.exporter());
            PythonEnvironments envs = new PythonEnvironments(root(), PythonEnvironments.defaultDir(System.getenv(), Path.of(System.getProperty("user.home"))));
            info.put("pythonEnvironment", envs.dirOf(m.env()) + (envs.ready(m.env()) ? " (made)" : " (made on first install: about "
                    + ModelInstaller.megabytes(m.env().downloadMegabytes() * 1_000_000L) + " from PyPI, "
                    + ModelInstaller.megabytes(m.env().diskMegabytes() * 1_000_000L) + " on disk)"));
            info.put("requirements", m.env().requirementFiles());
            List<String> installed = new ArrayList<>();
            for (ModelPackage.Installed p : ModelPackage.list(store, false)) {
                if (m.family().manifestFamily().equals(p.family())) installed.add(p.dir().toString());
            }
            info.put("installed", installed);
            if (installed.isEmpty()) info.put("install", "pianola models install " + m.name());
        }

        private static void packageInfo(Path dir, Map<String, Object> info) {
            ModelManifest m = ModelPackage.readManifest(dir);
            info.put("dir", dir.toAbsolutePath().normalize().toString());
            info.put("family", m.family());
            info.put("version", m.version());
            info.put("precision", m.precision());
            info.put("vocabSize", m.vocabSize());
            List<String> files = new ArrayList<>();
            for (ModelManifest.FileEntry f : m.files()) {
                Path p = dir.resolve(f.path());
                String size;
                try {
                    size = ModelInstaller.megabytes(Files.size(p));
                } catch (IOException e) {
                    size = "missing";
                }
                files.add(f.path() + " (" + size + ")");
            }
            info.put("files", files);
            info.put("graphs", new ArrayList<>(m.graphs().keySet()));
            if (m.source() != null) {
                info.put("source", m.source().checkpoint());
                info.put("licence", m.source().licence());
                info.put("exporter", m.source().exporter());
            }
            Map<String, Object> record = ModelInstaller.record(dir);
            if (record != null) info.put("installedBy", record);
            info.put("check", "pianola models verify " + dir);
        }

        private static void print(Map<String, Object> info, String indent, PrintStream out) {
            for (Map.Entry<String, Object> e : info.entrySet()) {
                if (e.getKey().equals("command")) continue;
                Object v = e.getValue();
                if (v instanceof List<?> l) {
                    out.println(indent + e.getKey() + ":" + (l.isEmpty() ? " none" : ""));
                    for (Object o : l) out.println(indent + "  " + (o instanceof Map<?, ?> ? o.toString() : o));
                } else if (v instanceof Map<?, ?> map) {
                    out.println(indent + e.getKey() + ":");
                    Map<String, Object> inner = new LinkedHashMap<>();
                    map.forEach((k, x) -> inner.put(String.valueOf(k), x));
                    print(inner, indent + "  ", out);
                } else {
                    out.println(indent + e.getKey() + ": " + v);
                }
            }
        }
    }

    /** Questions on the terminal, news on standard error. */
    private static final class TerminalUi implements ModelInstaller.Ui {
        private final String command;
        private final boolean yes;
        private final ReportOptions common;
        private final CliProgress progress;

        TerminalUi(String command, boolean yes, ReportOptions common, CliProgress progress) {
            this.command = command;
            this.yes = yes;
            this.common = common;
            this.progress = progress;
        }

        @Override
        public boolean confirm(List<String> what) {
            if (yes) return true;
            Console console = System.console();
            if (console == null) {
                throw new UsageException("pianola " + command + " would " + String.join(", and ", what)
                        + ": pass --yes to agree (there is no terminal to ask on)");
            }
            System.err.println("pianola " + command + " will:");
            for (String w : what) System.err.println("  - " + w);
            String answer = console.readLine("Go ahead? [y/N] ");
            return answer != null && answer.strip().toLowerCase(Locale.ROOT).matches("y|yes");
        }

        @Override
        public void say(String line) {
            if (!common.quiet) {
                progress.close(); // a finished bar's line stays; the news goes below it
                System.err.println("pianola: " + line);
            }
        }

        @Override
        public void detail(String line) {
            if (common.verbose) System.err.println("  " + line);
        }

        @Override
        public Progress progress() {
            return progress;
        }
    }
}
