package dev.pianola.io;

import dev.pianola.PianolaException;
import dev.pianola.UsageException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes outputs so that a reader never sees half a file and a user's existing file is never
 * replaced unless they asked for it: write to a temporary file beside the target, then rename.
 *
 * <p>The temporary file is hidden and names the target and the process writing it
 * ({@code .song.wav.pid4242-123456789.tmp}). It is deleted when the write fails, when the JVM
 * exits (Ctrl-C included), and, after a kill no JVM outlives, by the next write to the same target,
 * which removes the temporary files of processes that no longer run.
 */
public final class AtomicFiles {
    private static final String TMP_SUFFIX = ".tmp";
    /** Temporary files of versions before the process id was in the name are removed once this old. */
    private static final java.time.Duration UNNAMED_STALE_AFTER = java.time.Duration.ofHours(1);
    /** Temporary files being written now; the JVM's shutdown (Ctrl-C, SIGTERM) deletes what is left of them. */
    private static final java.util.Set<Path> IN_FLIGHT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Path p : IN_FLIGHT) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // the next write to the same target removes it
                }
            }
        }, "pianola-temporary-files"));
    }

    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /** Refuses early, before any work is done, when {@code target} exists and {@code force} is off. */
    public static void checkWritable(Path target, boolean force) {
        if (Files.exists(target) && !force) {
            throw new UsageException(target + ": already exists (pass --force to overwrite it)");
        }
        if (Files.isDirectory(target)) {
            throw new UsageException(target + ": is a directory, expected a file name");
        }
    }

    private static void readableByAll(Path file) {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: its defaults apply
        }
    }

    static String tmpPrefix(String target, long pid) {
        return "." + target + ".pid" + pid + "-";
    }

    /**
     * Deletes the temporary files of {@code target} in {@code dir} that a killed process left: those
     * naming a process that no longer runs, and unnamed ones (older versions) an hour old. Another
     * process writing the same target right now keeps its file.
     */
    static void removeStaleTemporaries(Path dir, String target) {
        java.util.regex.Pattern ours = java.util.regex.Pattern.compile(
                java.util.regex.Pattern.quote("." + target) + "(?:\\.pid(\\d+)-)?\\d+" + java.util.regex.Pattern.quote(TMP_SUFFIX));
        try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(dir, f -> ours.matcher(f.getFileName().toString()).matches())) {
            for (Path f : files) {
                java.util.regex.Matcher m = ours.matcher(f.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
                boolean stale;
                if (m.group(1) != null) {
                    long pid;
                    try {
                        pid = Long.parseLong(m.group(1));
                    } catch (NumberFormatException e) {
                        continue;
                    }
                    stale = pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty();
                } else {
                    stale = Files.getLastModifiedTime(f).toInstant().isBefore(java.time.Instant.now().minus(UNNAMED_STALE_AFTER));
                }
                if (stale) Files.deleteIfExists(f);
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            // best effort: a leftover is only clutter, and the write itself may still work
        }
    }

    public static void write(Path target, boolean force, Writer writer) {
        checkWritable(target, force);
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path tmp = null;
        boolean moved = false;
        try {
            Files.createDirectories(dir);
            removeStaleTemporaries(dir, absolute.getFileName().toString());
            tmp = Files.createTempFile(dir, tmpPrefix(absolute.getFileName().toString(), ProcessHandle.current().pid()), TMP_SUFFIX);
            IN_FLIGHT.add(tmp);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                writer.write(out);
            }
            checkWritable(target, force); // someone may have created it while we worked
            readableByAll(tmp); // createTempFile makes 0600; an output file should look like any other
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } catch (IOException e) {
            throw new PianolaException(PianolaException.EXIT_OTHER, target + ": cannot write (" + e.getMessage() + ")", e);
        } finally {
            if (tmp != null) {
                if (!moved) {
                    try {
                        Files.deleteIfExists(tmp);
                    } catch (IOException ignored) {
                        // best effort: the next write to this target removes it
                    }
                }
                IN_FLIGHT.remove(tmp);
            }
        }
    }
}
