package dev.pianola.fuzz;

import dev.pianola.PianolaException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every fuzz target of a reader of outside data shares: the fuzzer's bytes as a file the
 * reader opens, and the one rule all of them check. A reader must accept its input or refuse it
 * with the project's own exception of the kind its exit code promises (BadInputException: exit 3
 * for a user's file, ModelException: exit 4 for a model package), in one line naming the file and
 * naming no Java exception.
 * Any other exception, a hang (the targets' {@code @Timeout}) or an OutOfMemoryError is a finding.
 */
public final class FuzzFiles {
    private static final Path DIR = scratch();
    /** Java type names as Jackson quotes them ("type `java.lang.Integer`"). */
    private static final java.util.regex.Pattern JAVA_TYPE = java.util.regex.Pattern.compile("`(java|javax|com|org)\\.[a-z]");

    private FuzzFiles() {}

    /** A folder of its own for this JVM, on tmpfs where there is one (inputs are written thousands of times a second). */
    private static Path scratch() {
        try {
            Path shm = Path.of("/dev/shm");
            Path dir = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "pianola-fuzz") : Files.createTempDirectory("pianola-fuzz");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The scratch folder's {@code relative} path holding {@code data} (its folders made). */
    public static Path write(String relative, byte[] data) {
        Path file = DIR.resolve(relative);
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, data);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh empty folder under the scratch folder (emptied of what an earlier input left). */
    public static Path folder(String relative) {
        Path dir = DIR.resolve(relative);
        try {
            if (Files.isDirectory(dir)) {
                try (var files = Files.walk(dir)) {
                    for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) if (!p.equals(dir)) Files.delete(p);
                }
            }
            Files.createDirectories(dir);
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether the message names the class of an exception behind it (NullPointerException, an
     * EOFException's toString): what went wrong inside, not what is wrong with the file. The words
     * of the input itself may look like Java (a fuzzer soon writes "Exception"), so only the causes
     * really there count.
     */
    private static boolean namesItsCause(Throwable e, String message) {
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (!(c instanceof PianolaException) && message.contains(c.getClass().getSimpleName())) return true;
        }
        return false;
    }

    @FunctionalInterface
    public interface Reader {
        void read() throws Exception;
    }

    /**
     * Runs {@code reader}; returns normally when it accepts the input or refuses it as {@code refusal}
     * with a one-line message that names {@code file} (its file name); rethrows everything else.
     */
    public static void acceptOrRefuse(Path file, Class<? extends PianolaException> refusal, Reader reader) throws Exception {
        try {
            reader.read();
        } catch (PianolaException e) {
            if (!refusal.isInstance(e)) throw new AssertionError("refused as " + e.getClass().getSimpleName()
                    + " (exit " + e.exitCode() + "), expected " + refusal.getSimpleName() + ": " + e.getMessage(), e);
            String message = e.getMessage();
            if (message == null || message.contains("\n") || message.contains("\r"))
                throw new AssertionError("refusal is not one line: " + message, e);
            if (JAVA_TYPE.matcher(message).find() || namesItsCause(e, message))
                throw new AssertionError("refusal is written for programmers, not musicians: " + message, e);
            if (file != null && !message.contains(file.getFileName().toString()))
                throw new AssertionError("refusal does not name " + file.getFileName() + ": " + message, e);
        }
    }
}
