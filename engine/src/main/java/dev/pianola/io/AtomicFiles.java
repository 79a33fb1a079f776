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
 */
public final class AtomicFiles {
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

    public static void write(Path target, boolean force, Writer writer) {
        checkWritable(target, force);
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp");
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
            tmp = null;
        } catch (IOException e) {
            throw new PianolaException(PianolaException.EXIT_OTHER, target + ": cannot write (" + e.getMessage() + ")", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a leftover hidden temp file is harmless
                }
            }
        }
    }
}
