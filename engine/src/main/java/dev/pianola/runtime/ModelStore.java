package dev.pianola.runtime;

import dev.pianola.ModelException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where models live on this machine: system property {@code pianola.models}, else the environment
 * variable {@code PIANOLA_MODELS}, else {@code $XDG_DATA_HOME/pianola/models}, else
 * {@code ~/.local/share/pianola/models}.
 */
public final class ModelStore {
    /** Basic Pitch's {@code nmp.onnx} from the PyPI wheel basic-pitch 0.4.0 (230,444 bytes). */
    public static final String BASIC_PITCH_FILE = "basic-pitch/nmp.onnx";
    public static final String BASIC_PITCH_SHA256 = "2c3c1d144bfa61ad236e92e169c13535c880469a12a047d4e73451f2c059a0ec";

    /** Digests already checked, keyed by file; re-hashed only when size or modification time changes. */
    private static final Map<Path, Verified> VERIFIED = new ConcurrentHashMap<>();

    private record Verified(long size, FileTime modified, String sha256) {}

    private final Path root;

    public ModelStore(Path root) {
        this.root = root;
    }

    /** The store this process uses, found by the rule in the class comment. */
    public static ModelStore locate() {
        return new ModelStore(resolveRoot(System.getProperty("pianola.models"), System.getenv("PIANOLA_MODELS"),
                System.getenv("XDG_DATA_HOME"), System.getProperty("user.home")));
    }

    static Path resolveRoot(String property, String env, String xdgDataHome, String home) {
        if (isSet(property)) return Path.of(property);
        if (isSet(env)) return Path.of(env);
        if (isSet(xdgDataHome)) return Path.of(xdgDataHome, "pianola", "models");
        return Path.of(home, ".local", "share", "pianola", "models");
    }

    private static boolean isSet(String s) {
        return s != null && !s.isBlank();
    }

    public Path root() {
        return root;
    }

    /** Where {@code pianola models install NAME} puts its package: a folder of the store named after it. */
    public Path installed(String name) {
        return root.resolve(name);
    }

    /**
     * Where installs are made and removals taken apart before they take (or leave) their place: a
     * folder beside the store ({@code models.partial}), on the same disk so that a package appears
     * by one rename, and outside it so that {@code models list} never sees a package half made.
     */
    public Path staging() {
        Path absolute = root.toAbsolutePath().normalize();
        return absolute.getFileName() == null ? absolute.resolve(".partial") : absolute.resolveSibling(absolute.getFileName() + ".partial");
    }

    /** The embedded Basic Pitch model, checked against its sha256. */
    public Path basicPitch() {
        return verified(root.resolve(BASIC_PITCH_FILE), BASIC_PITCH_SHA256);
    }

    /** {@code file}, after checking that it exists and has the sha256 {@code expectedSha256} (lower-case hex). */
    public static Path verified(Path file, String expectedSha256) {
        if (!Files.isRegularFile(file)) {
            throw new ModelException(file, "model file is missing; run ./scripts/setup to fetch it");
        }
        String actual;
        try {
            actual = cachedSha256(file);
        } catch (IOException e) {
            throw new ModelException(file, "cannot read the model file: " + e.getMessage(), e);
        }
        if (!actual.equals(expectedSha256)) {
            throw new ModelException(file, "sha256 is " + actual + ", expected " + expectedSha256
                    + "; the file is damaged or a different model (run ./scripts/setup to fetch it again)");
        }
        return file;
    }

    /** The sha256 of {@code file}, hashed again only when its size or modification time changed. */
    static String cachedSha256(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        long size = Files.size(key);
        FileTime modified = Files.getLastModifiedTime(key);
        Verified known = VERIFIED.get(key);
        if (known != null && known.size == size && known.modified.equals(modified)) return known.sha256;
        String actual = sha256(key);
        VERIFIED.put(key, new Verified(size, modified, actual));
        return actual;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
