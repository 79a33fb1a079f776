package dev.pianola.install;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pianola.BadInputException;
import dev.pianola.ModelException;
import dev.pianola.PianolaException;
import dev.pianola.models.Installable;
import dev.pianola.runtime.ModelPackage;
import dev.pianola.runtime.ModelStore;
import dev.pianola.runtime.Progress;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code pianola models install NAME}: the checkpoint from the hub (or a folder), the pinned exporter
 * in its Python environment, the package checked, then put in the model store by one rename. The
 * folder {@code store/NAME} appears whole and verified, or not at all; a failed step leaves the store
 * as it was (the download stays in the hub cache and resumes; the exporter's log stays beside the store).
 */
public final class ModelInstaller {
    /** The record an install leaves in the package folder: where the package came from (not one of the manifest's files). */
    public static final String RECORD = "pianola-install.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * @param revision a revision instead of the catalog's pin, or null
     * @param from     a checkpoint folder on disk instead of the hub, or null
     * @param venv     a Python environment to run the exporter in instead of making one (checked, never changed), or null
     * @param force    install again over a package that is installed and checks out
     */
    public record Options(String revision, Path from, Path venv, boolean force) {}

    /** How the installer talks to the user. */
    public interface Ui {
        /** Asks before anything big is downloaded; {@code what} lists it, one item a line. False: do nothing. */
        boolean confirm(List<String> what);

        /** A line of news (stderr on the command line). */
        void say(String line);

        /** The output of pip and of the exporter, a line at a time (shown with --verbose, always logged). */
        void detail(String line);

        Progress progress();
    }

    /** What an install did. */
    public record Result(Installable model, Path dir, String revision, String commit, long downloadedBytes, ModelPackage.VerifyReport report,
                         boolean alreadyInstalled) {}

    private final ModelStore store;
    private final HubClient hub;
    private final PythonEnvironments envs;
    private final Path root;

    /** {@code root}: the Pianola repository, whose tools/export holds the exporters. */
    public ModelInstaller(ModelStore store, HubClient hub, PythonEnvironments envs, Path root) {
        this.store = store;
        this.hub = hub;
        this.envs = envs;
        this.root = root;
    }

    public Result install(Installable model, Options options, Ui ui) {
        Path target = store.installed(model.name());
        if (Files.exists(target) && !options.force()) {
            ModelPackage.VerifyReport r = ModelPackage.verify(target);
            if (r.ok()) return new Result(model, target, null, recordedCommit(target), 0, r, true);
            ui.say(model.name() + " in " + target + " does not check out (" + r.problem() + "): installing it again");
        }
        Path exporter = root.resolve(model.exporter());
        if (!Files.isRegularFile(exporter)) {
            throw new PianolaException(PianolaException.EXIT_OTHER, exporter + ": the exporter is missing; models install runs from a Pianola"
                    + " checkout (the ./pianola launcher sets pianola.root to it)");
        }
        // what is needed, before anything is fetched: the checkpoint's files and an interpreter for the exporter
        String revision = options.revision() != null ? options.revision() : model.revision();
        HubClient.Plan plan = null;
        if (options.from() != null) {
            checkCheckpointFolder(model, options.from());
        } else {
            try {
                plan = hub.plan(model.repo(), revision, model.files());
            } catch (HubException e) {
                // a revision the user typed is a bad option value; the catalog's pin gone is a model problem
                if (e.kind() == HubException.Kind.REVISION && options.revision() != null) throw new BadInputException("--revision: " + e.getMessage());
                throw e;
            }
        }
        Path python;
        boolean makeEnv = false;
        if (options.venv() != null) {
            python = PythonEnvironments.python(options.venv());
            envs.checkPins(model.env(), python);
        } else {
            python = null;
            makeEnv = !envs.ready(model.env());
            if (makeEnv && PythonEnvironments.interpreter(model.env(), System.getenv("PATH")) == null) throw PythonEnvironments.missingInterpreter(model.env());
        }
        List<String> asks = new ArrayList<>();
        if (plan != null && plan.bytesToDownload() > 0) {
            asks.add("download " + megabytes(plan.bytesToDownload()) + " of " + model.repo() + " at " + revision + " (" + plan.files().size()
                    + " files) from " + hub.settings().endpoint() + " into " + hub.settings().cache());
        }
        if (makeEnv) {
            asks.add("make the exporter's Python environment " + envs.dirOf(model.env()) + ": about " + megabytes(model.env().downloadMegabytes() * 1_000_000L)
                    + " from PyPI, " + megabytes(model.env().diskMegabytes() * 1_000_000L) + " on disk (" + String.join(", ", model.env().requirementFiles()) + ")");
        }
        if (!asks.isEmpty() && !ui.confirm(asks)) throw new PianolaException(PianolaException.EXIT_OTHER, "cancelled; nothing was downloaded");

        Path checkpoint;
        String commit = null;
        if (plan != null) {
            if (plan.bytesToDownload() > 0) ui.say("downloading " + model.repo() + " at " + revision + (plan.commit().equals(revision) ? "" : " (commit " + plan.commit() + ")"));
            checkpoint = hub.fetch(plan, ui.progress());
            commit = plan.commit();
        } else {
            checkpoint = options.from().toAbsolutePath();
        }
        if (python == null) {
            if (makeEnv) ui.say("making the exporter's Python environment in " + envs.dirOf(model.env()) + " (pip install, once)");
            python = envs.ensure(model.env(), ui::detail);
        }

        Path staging = store.staging();
        Path work = staging.resolve(model.name() + ".new");
        Path log = staging.resolve(model.name() + ".export.log");
        try {
            Files.createDirectories(staging);
            deleteTree(work);
        } catch (IOException e) {
            throw new PianolaException(PianolaException.EXIT_OTHER, staging + ": cannot prepare the install there: " + e.getMessage(), e);
        }
        try {
            String source = plan != null ? model.repo() + "@" + commit : checkpoint.toString();
            List<String> command = new ArrayList<>(List.of(python.toString(), exporter.toString(), "--checkpoint", checkpoint.toString(), "--out", work.toString(),
                    "--source", source));
            command.addAll(model.exporterArgs());
            ui.say("exporting " + model.name() + " to ONNX with " + model.exporter() + " (a few minutes for the full-size model)");
            try (PrintWriter logWriter = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
                logWriter.println("$ " + String.join(" ", command));
                Consumer<String> both = line -> {
                    logWriter.println(line);
                    ui.detail(line);
                };
                PythonEnvironments.run(command, both, model.exporter(), log);
            } catch (IOException e) {
                throw new PianolaException(PianolaException.EXIT_OTHER, log + ": cannot write the exporter's log: " + e.getMessage(), e);
            }

            ModelPackage.VerifyReport report = ModelPackage.verify(work);
            if (!report.ok()) throw new ModelException(work, "the exported package does not check out: " + report.problem() + " (exporter log: " + log + ")");
            if (!model.family().manifestFamily().equals(report.family())) {
                throw new ModelException(work, "the exporter made a '" + report.family() + "' package, " + model.name() + " is '" + model.family().manifestFamily() + "'");
            }
            writeRecord(work, model, revision, commit, plan, options.from());
            replace(work, target, staging);
        } catch (RuntimeException e) {
            try {
                deleteTree(work); // the log stays, for the message that names it
            } catch (IOException ignored) {
                // left in the staging folder, which the next install clears
            }
            throw e;
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // only a log
        }
        removeIfEmpty(staging);
        return new Result(model, target, revision, commit, plan == null ? 0 : plan.bytesToDownload(), ModelPackage.verify(target), false);
    }

    /** The commit an install recorded in {@code dir}, or null. */
    public static String recordedCommit(Path dir) {
        Map<String, Object> r = record(dir);
        return r == null || !(r.get("commit") instanceof String s) ? null : s;
    }

    /** The install record of {@code dir} (what {@code models install} wrote there), or null. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> record(Path dir) {
        Path f = dir.resolve(RECORD);
        if (!Files.isRegularFile(f)) return null;
        try {
            Object o = JSON.readValue(f.toFile(), Object.class);
            return o instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
        } catch (IOException e) {
            return null; // a damaged record says nothing; the package itself is checked by its manifest
        }
    }

    /** A checkpoint folder given with --from must have every file the exporter reads. */
    private static void checkCheckpointFolder(Installable model, Path from) {
        if (!Files.isDirectory(from)) throw new BadInputException(from, "not a folder (--from takes the folder of a downloaded checkpoint)");
        for (Installable.CheckpointFile f : model.files()) {
            if (f.optional()) continue;
            if (f.names().stream().noneMatch(n -> Files.isRegularFile(from.resolve(n)))) {
                throw new BadInputException(from, "has no " + f.describe() + "; a " + model.name() + " checkpoint (" + model.repo() + ") holds "
                        + String.join(", ", model.files().stream().filter(x -> !x.optional()).map(Installable.CheckpointFile::describe).toList()));
            }
        }
    }

    private void writeRecord(Path dir, Installable model, String revision, String commit, HubClient.Plan plan, Path from) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", model.name());
        if (plan != null) {
            r.put("repo", model.repo());
            r.put("revision", revision);
            r.put("commit", commit);
            r.put("endpoint", hub.settings().endpoint());
            List<Map<String, Object>> files = new ArrayList<>();
            for (HubClient.PlannedFile f : plan.files()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("name", f.name());
                e.put("etag", f.etag());
                e.put("size", f.size());
                files.add(e);
            }
            r.put("files", files);
        } else {
            r.put("from", from.toAbsolutePath().toString());
        }
        r.put("exporter", model.exporter());
        r.put("installed", Instant.now().toString());
        try {
            Files.writeString(dir.resolve(RECORD), JSON.writeValueAsString(r) + "\n");
        } catch (IOException e) {
            throw new PianolaException(PianolaException.EXIT_OTHER, dir.resolve(RECORD) + ": cannot write it: " + e.getMessage(), e);
        }
    }

    /** {@code work} takes {@code target}'s place by one rename; an old package there is moved aside first and then deleted. */
    private static void replace(Path work, Path target, Path staging) {
        Path old = staging.resolve(target.getFileName() + ".old");
        try {
            Files.createDirectories(target.getParent());
            deleteTree(old);
            if (Files.exists(target)) move(target, old);
            move(work, target);
            deleteTree(old);
        } catch (AtomicMoveNotSupportedException e) {
            throw new PianolaException(PianolaException.EXIT_OTHER, target + ": the model store and " + staging
                    + " are on different disks, so the package cannot appear in one step; make the store a folder of its disk, not its mount point", e);
        } catch (IOException e) {
            throw new PianolaException(PianolaException.EXIT_OTHER, target + ": cannot put the package in place: " + e.getMessage(), e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Takes {@code dir} out of the store by one rename (so no half-deleted package is ever listed),
     * then deletes it. Returns the bytes freed.
     */
    public static long remove(Path dir, ModelStore store) {
        long bytes = size(dir);
        Path staging = store.staging();
        try {
            Files.createDirectories(staging);
            Path gone = Files.createTempDirectory(staging, dir.getFileName() + ".removed");
            Files.delete(gone);
            try {
                move(dir, gone);
            } catch (AtomicMoveNotSupportedException e) {
                gone = dir; // another disk: deleted in place
            }
            deleteTree(gone);
        } catch (IOException e) {
            throw new PianolaException(PianolaException.EXIT_OTHER, dir + ": cannot remove it: " + e.getMessage(), e);
        }
        removeIfEmpty(staging);
        return bytes;
    }

    /** The staging folder goes when nothing is left in it (a failed install's log stays, and so does the folder). */
    private static void removeIfEmpty(Path staging) {
        try {
            Files.deleteIfExists(staging);
        } catch (IOException e) {
            // not empty, or not ours to remove now: left for the next install
        }
    }

    /** The bytes of the regular files under {@code dir} (links not followed). */
    public static long size(Path dir) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) total[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // a size for a message: what could be read
        }
        return total[0];
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) throw e;
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** "196.3 MB", "3.0 GB". */
    public static String megabytes(long bytes) {
        if (bytes >= 1_000_000_000L) return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
        if (bytes >= 100_000L) return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        return String.format(Locale.ROOT, "%.0f kB", Math.max(1, bytes / 1e3));
    }
}
