package dev.pianola.io;

import dev.pianola.PianolaException;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The outputs of one job, which appear together or not at all: each is written under its own name
 * into a hidden staging folder beside it ({@code .pianola-staging-pid<PID>-*}), and {@link #commit}
 * moves them all into place at the end. A job that fails, or is stopped (Ctrl-C, SIGTERM: a shutdown
 * hook), leaves nothing behind, not even the staging folder, and no existing file was touched; the
 * folder of a killed job (SIGKILL) is removed by the next job that writes beside it.
 */
public final class OutputSet implements AutoCloseable {
    private record Staged(Path staged, Path target) {}

    private final boolean force;
    private final List<Staged> staged = new ArrayList<>();
    /** One staging folder per folder written to (moves stay within a file system). */
    private final java.util.Map<Path, Path> stagingDirs = new java.util.LinkedHashMap<>();
    private final Thread cleanUp = new Thread(this::discard, "pianola-output-cleanup");
    private boolean done;

    public OutputSet(boolean force) {
        this.force = force;
        Runtime.getRuntime().addShutdownHook(cleanUp);
    }

    /**
     * Where to write {@code target} now (a file of the same name in the staging folder beside it,
     * which does not exist yet: write it there with force on). Refused like {@link AtomicFiles#checkWritable}.
     */
    public synchronized Path stage(Path target) {
        AtomicFiles.checkWritable(target, force);
        Path dir = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path staging = stagingDirs.get(dir);
            if (staging == null) {
                removeStale(dir);
                staging = Files.createTempDirectory(dir, STAGING + ProcessHandle.current().pid() + "-");
                stagingDirs.put(dir, staging);
            }
            Path file = staging.resolve(target.getFileName());
            staged.add(new Staged(file, target.toAbsolutePath()));
            return file;
        } catch (IOException e) {
            throw new PianolaException(PianolaException.EXIT_OTHER, target + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    /** Moves every staged output into place; an output that appeared meanwhile (without force) stops it before any move. */
    public synchronized void commit() {
        for (Staged s : staged) {
            if (!Files.isRegularFile(s.staged())) throw new IllegalStateException(s.target() + " was staged but never written");
            AtomicFiles.checkWritable(s.target(), force);
        }
        try {
            for (Staged s : staged) {
                try {
                    Files.move(s.staged(), s.target(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(s.staged(), s.target(), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new PianolaException(PianolaException.EXIT_OTHER, "cannot move the outputs into place (" + e.getMessage() + ")", e);
        } finally {
            discard();
        }
    }

    private static final String STAGING = ".pianola-staging-pid";

    /** Removes what was staged and not moved, and the staging folders. */
    private synchronized void discard() {
        if (done) return;
        done = true;
        for (Path dir : stagingDirs.values()) delete(dir);
    }

    /** The staging folders in {@code dir} of processes that no longer run (killed before they could clean up). */
    private static void removeStale(Path dir) {
        java.util.regex.Pattern ours = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(STAGING) + "(\\d+)-\\d+");
        try (java.nio.file.DirectoryStream<Path> found = Files.newDirectoryStream(dir, p -> ours.matcher(p.getFileName().toString()).matches())) {
            for (Path p : found) {
                java.util.regex.Matcher m = ours.matcher(p.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty() && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) delete(p);
            }
        } catch (IOException | RuntimeException e) {
            // best effort: a leftover is only clutter
        }
    }

    private static void delete(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a hidden staging folder left behind holds no user data, and the next job removes it
        }
    }

    @Override
    public void close() {
        discard();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanUp);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }
}
