package dev.pianola.cli;

import dev.pianola.ModelException;
import dev.pianola.PianolaException;
import dev.pianola.models.Installable;
import dev.pianola.models.ModelCatalog;
import dev.pianola.runtime.ModelPackage;
import dev.pianola.runtime.ModelStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "models", mixinStandardHelpOptions = true,
        header = "The models Pianola can use: the embedded Basic Pitch and the installed packages.",
        description = {"Packages are folders with a pianola-model.json in the model store: pianola models install NAME makes one "
                + "from the original checkpoint on the Hugging Face hub (tools/export makes them by hand)."},
        footer = {"", "The model store: $PIANOLA_MODELS, else $XDG_DATA_HOME/pianola/models,",
                "else ~/.local/share/pianola/models.",
                "", "Start with:  pianola models list  and  pianola models install gpt2-remi"},
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Verify.class, ModelInstallCommands.Install.class,
                ModelInstallCommands.Remove.class, ModelInstallCommands.Info.class})
final class ModelsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "What is installed, where, and (with --verify) whether every file checks out.")
    static final class ListModels implements Runnable {
        @Option(names = "--verify", description = "Check each package fully (sha256 of every file, graphs opened).")
        boolean verify;

        @Mixin
        ReportOptions common;

        @Override
        public void run() {
            ModelStore store = ModelStore.locate();
            List<Map<String, Object>> rows = new ArrayList<>();
            Path embedded = store.root().resolve(ModelStore.BASIC_PITCH_FILE);
            String embeddedState;
            try {
                ModelStore.verified(embedded, ModelStore.BASIC_PITCH_SHA256);
                embeddedState = "ok";
            } catch (ModelException e) {
                embeddedState = Files.exists(embedded) ? "BAD: " + e.getMessage() : "missing (run scripts/setup)";
            }
            rows.add(row("basic-pitch (embedded)", "0.4.0", "float32", embedded, embeddedState));
            for (ModelPackage.Installed p : ModelPackage.list(store, verify)) {
                String state = p.report() == null ? "found (not verified)" : p.report().ok() ? "ok" : "BAD: " + p.report().problem();
                rows.add(row(orUnknown(p.family()), orUnknown(p.version()), orUnknown(p.precision()), p.dir(), state));
            }
            // what models install could add: the catalog's models of which no package is in the store
            List<String> installable = new ArrayList<>();
            for (Installable m : ModelCatalog.ALL) {
                boolean there = rows.stream().anyMatch(r -> m.family().manifestFamily().equals(r.get("family")));
                if (!there) installable.add(m.name());
            }
            if (common.json) {
                System.out.println(new Summary().put("command", "models list").put("store", store.root().toString()).put("models", rows)
                        .put("installable", installable).toJson());
                return;
            }
            System.out.println("model store: " + store.root());
            for (Map<String, Object> r : rows) {
                System.out.printf("  %-24s %-6s %-13s %s%n      %s%n", r.get("family"), r.get("version"), r.get("precision"),
                        r.get("state"), r.get("dir"));
            }
            if (!installable.isEmpty()) {
                System.out.println("not installed: " + String.join(", ", installable) + " (pianola models install NAME; pianola models info NAME says what it takes)");
            }
        }

        private static String orUnknown(String s) {
            return s == null ? "?" : s;
        }

        private static Map<String, Object> row(String family, String version, String precision, Path dir, String state) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("family", family);
            r.put("version", version);
            r.put("precision", precision);
            r.put("dir", dir.toString());
            r.put("state", state);
            return r;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check a package: its manifest, every file and sha256, the ONNX inputs and outputs, the vocabulary size.")
    static final class Verify implements java.util.concurrent.Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "The package folder.")
        Path dir;

        @Mixin
        ReportOptions common;

        @Override
        public Integer call() {
            ModelPackage.VerifyReport r = ModelPackage.verify(dir);
            if (common.json) {
                System.out.println(new Summary().put("command", "models verify").put("dir", dir.toString()).put("ok", r.ok())
                        .put("family", r.family()).put("version", r.version()).put("precision", r.precision()).put("checked", r.checked()).put("problem", r.problem()).toJson());
            } else if (!common.quiet) {
                for (String line : r.checked()) System.out.println("  ok  " + line);
                if (r.ok()) System.out.println(dir + ": a valid " + r.family() + " package (version " + r.version() + ", " + r.precision() + ")");
            }
            // the report's problem already names the file
            if (!r.ok()) throw new PianolaException(PianolaException.EXIT_MODEL, r.problem());
            return 0;
        }
    }
}
