package dev.pianola.install;

import dev.pianola.models.Installable;
import dev.pianola.runtime.Progress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Downloads checkpoint files from the Hugging Face hub the way its own client does, into the same
 * cache, so that files Python already fetched are used and files fetched here serve Python too.
 *
 * <p>The protocol: {@code HEAD {endpoint}/{repo}/resolve/{revision}/{file}} answers with the commit
 * the revision is at ({@code X-Repo-Commit}) and the file's ETag: for a file in Git LFS (weights)
 * the 302 to the CDN carries {@code X-Linked-Etag}, the file's sha256, and {@code X-Linked-Size};
 * a small file is answered directly, its ETag the Git blob id (sha1 of "blob SIZE\0" + content).
 * Errors carry {@code X-Error-Code} (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo).
 * The cache: {@code models--owner--name/blobs/ETAG} holds the content,
 * {@code snapshots/COMMIT/FILE} links to it, {@code refs/REVISION} holds the commit a branch was at.
 *
 * <p>A download goes to {@code blobs/ETAG.incomplete}: a cut connection is resumed with an HTTP
 * Range from where it stopped (also by the next run), and the finished file is checked against the
 * ETag before it takes its name; a mismatch is fetched once more from scratch, then refused. The
 * revision is resolved once, by the first file, and every other file is asked for at that commit.
 */
public final class HubClient {
    private static final int MAX_ATTEMPTS = 5;
    private static final int MAX_REDIRECTS = 10;
    private static final long MEGABYTE = 1_000_000L;

    private final HubSettings settings;
    private final HttpClient http;
    private final Duration retryPause;

    public HubClient(HubSettings settings) {
        this(settings, Duration.ofSeconds(1));
    }

    /** {@code retryPause}: the pause before the first retry after a cut, doubled each time. */
    public HubClient(HubSettings settings, Duration retryPause) {
        this.settings = settings;
        this.retryPause = retryPause;
        // redirects are followed by hand: the token goes to the hub only, never to the CDN
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(20)).build();
    }

    public HubSettings settings() {
        return settings;
    }

    /** One file of a plan: where it comes from, its ETag and size, and whether the cache already holds it. */
    public record PlannedFile(String name, String etag, long size, URI url, boolean cached) {}

    /**
     * What fetching {@code repo} at {@code revision} takes: the commit, each file found (the first of
     * each entry's names that the revision has; optional ones it lacks are left out), and which are
     * cached already.
     */
    public record Plan(String repo, String revision, String commit, List<PlannedFile> files) {
        /** Bytes still to download (a partial download counts whole). */
        public long bytesToDownload() {
            return files.stream().filter(f -> !f.cached()).mapToLong(PlannedFile::size).sum();
        }

        public long bytes() {
            return files.stream().mapToLong(PlannedFile::size).sum();
        }
    }

    /** Asks the hub (or, offline, the cache) what {@code files} of {@code repo} at {@code revision} are. */
    public Plan plan(String repo, String revision, List<Installable.CheckpointFile> files) {
        if (settings.offline()) return planOffline(repo, revision, files);
        String commit = null;
        List<PlannedFile> planned = new ArrayList<>();
        for (Installable.CheckpointFile wanted : files) {
            Remote found = null;
            for (String name : wanted.names()) {
                found = head(repo, commit != null ? commit : revision, revision, name);
                if (found != null) break;
            }
            if (found == null) {
                if (wanted.optional()) continue;
                throw new HubException(HubException.Kind.FILE, repo + " at " + revision + " has no " + wanted.describe() + " ("
                        + settings.endpoint() + "); the checkpoint is not the one pianola expects");
            }
            if (commit == null) commit = found.commit();
            planned.add(new PlannedFile(found.name(), found.etag(), found.size(), found.url(), cachedBlob(repo, found.etag(), found.size())));
        }
        if (commit == null) throw new HubException(HubException.Kind.FILE, repo + " at " + revision + ": no files to fetch");
        return new Plan(repo, revision, commit, planned);
    }

    /**
     * Fetches every file of {@code plan} into the cache (those there already are checked, not
     * fetched) and returns the snapshot folder that holds them under their names.
     */
    public Path fetch(Plan plan, Progress progress) {
        Path repoDir = repoDir(plan.repo());
        Path snapshot = repoDir.resolve("snapshots").resolve(plan.commit());
        for (PlannedFile f : plan.files()) {
            Path target = snapshot.resolve(f.name());
            if (settings.offline()) {
                if (f.etag() != null && !matches(target, f.etag(), f.size())) {
                    throw new HubException(HubException.Kind.NOT_CACHED, target + ": damaged in the hub cache (it does not match its ETag "
                            + f.etag() + ") and HF_HUB_OFFLINE is set; unset it to fetch the file again");
                }
                continue;
            }
            Path blob = repoDir.resolve("blobs").resolve(f.etag());
            fetchBlob(plan, f, blob, progress);
            link(blob, target);
        }
        if (!settings.offline() && !plan.revision().equals(plan.commit())) {
            writeRef(repoDir, plan.revision(), plan.commit());
        }
        return snapshot;
    }

    /** The cache folder of {@code repo}: models--owner--name. */
    public Path repoDir(String repo) {
        return settings.cache().resolve("models--" + repo.replace("/", "--"));
    }

    // ---- asking the hub

    /** A file as the hub describes it at one commit. */
    private record Remote(String name, String commit, String etag, long size, URI url) {}

    private URI resolveUrl(String repo, String revision, String file) {
        StringBuilder path = new StringBuilder();
        for (String part : file.split("/")) path.append('/').append(encode(part));
        return URI.create(settings.endpoint() + "/" + repo + "/resolve/" + encode(revision) + path);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The file's metadata, or null when the revision lacks it. {@code asked} is the revision the user named, for messages. */
    private Remote head(String repo, String revision, String asked, String file) {
        URI uri = resolveUrl(repo, revision, file);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<Void> r = send(request(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding(), uri);
            HttpHeaders h = r.headers();
            int status = r.statusCode();
            String location = h.firstValue("Location").orElse(null);
            // a relative redirect stays on the hub (a renamed repository): follow it; an absolute one is the CDN: its headers are the answer
            if (status / 100 == 3 && location != null && URI.create(location).getHost() == null) {
                uri = uri.resolve(location);
                continue;
            }
            if (status / 100 != 2 && status / 100 != 3) {
                String code = h.firstValue("X-Error-Code").orElse("");
                String said = h.firstValue("X-Error-Message").map(m -> " (the hub says: " + m + ")").orElse("");
                if (code.equals("EntryNotFound") || status == 404 && code.isEmpty()) return null;
                if (code.equals("RevisionNotFound")) {
                    throw new HubException(HubException.Kind.REVISION, repo + " has no revision '" + asked + "' on " + settings.endpoint() + said);
                }
                if (code.equals("GatedRepo")) {
                    throw new HubException(HubException.Kind.REPOSITORY, repo + " is gated on " + settings.endpoint()
                            + ": accept its terms on its page there, then set HF_TOKEN to a token of that account" + said);
                }
                if (code.equals("RepoNotFound") || status == 401 || status == 403) {
                    throw new HubException(HubException.Kind.REPOSITORY, "no repository " + repo + " on " + settings.endpoint()
                            + (settings.token() == null ? " (if it is private, set HF_TOKEN)" : " that this HF_TOKEN can see") + said);
                }
                throw new HubException(HubException.Kind.NETWORK, uri + ": the hub answered HTTP " + status + said);
            }
            String commit = h.firstValue("X-Repo-Commit").orElse(null);
            String etag = normalizeEtag(h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).orElse(null));
            long size = h.firstValueAsLong("X-Linked-Size").orElse(h.firstValueAsLong("Content-Length").orElse(-1));
            if (commit == null || etag == null || size < 0) {
                throw new HubException(HubException.Kind.NETWORK, uri + ": the answer lacks " + (commit == null ? "X-Repo-Commit" : etag == null ? "an ETag" : "the size")
                        + "; is " + settings.endpoint() + " a Hugging Face hub (HF_ENDPOINT)?");
            }
            URI url = status / 100 == 3 && location != null ? URI.create(location) : uri;
            return new Remote(file, commit, etag, size, url);
        }
        throw new HubException(HubException.Kind.NETWORK, resolveUrl(repo, revision, file) + ": more than " + MAX_REDIRECTS + " redirects");
    }

    /** ETags come quoted, and weak ones prefixed with W/; the cache names blobs by the bare value. */
    static String normalizeEtag(String etag) {
        if (etag == null) return null;
        String e = etag.strip();
        if (e.startsWith("W/")) e = e.substring(2);
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) e = e.substring(1, e.length() - 1);
        // the name becomes a file name in the cache: nothing that could leave the blobs folder
        return e.isEmpty() || !e.matches("[\\w.-]+") || e.startsWith(".") ? null : e;
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("User-Agent", "pianola/" + Objects.requireNonNullElse(HubClient.class.getPackage().getImplementationVersion(), "dev"))
                .header("Accept-Encoding", "identity");
        if (settings.token() != null && sameHost(uri, URI.create(settings.endpoint()))) b.header("Authorization", "Bearer " + settings.token());
        return b;
    }

    private static boolean sameHost(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort()
                && Objects.equals(a.getScheme(), b.getScheme());
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body, URI uri) {
        try {
            return sendOrFail(request, body);
        } catch (IOException e) {
            throw unreachable(uri, e);
        }
    }

    /** Sends; a failed connection is the caller's to retry. */
    private <T> HttpResponse<T> sendOrFail(HttpRequest request, HttpResponse.BodyHandler<T> body) throws IOException {
        try {
            return http.send(request, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(HubException.Kind.NETWORK, request.uri() + ": interrupted", e);
        }
    }

    private HubException unreachable(URI uri, IOException e) {
        String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new HubException(HubException.Kind.NETWORK, "cannot reach " + uri.getScheme() + "://" + uri.getAuthority() + " (" + why
                + "); check the connection or HF_ENDPOINT, or use files on disk: HF_HUB_OFFLINE=1 (the hub cache) or --from DIR", e);
    }

    // ---- downloading

    private boolean cachedBlob(String repo, String etag, long size) {
        Path blob = repoDir(repo).resolve("blobs").resolve(etag);
        try {
            return Files.isRegularFile(blob) && Files.size(blob) == size;
        } catch (IOException e) {
            return false;
        }
    }

    private void fetchBlob(Plan plan, PlannedFile f, Path blob, Progress progress) {
        if (Files.isRegularFile(blob)) {
            if (matches(blob, f.etag(), f.size())) return;
            deleteQuietly(blob); // damaged in the cache: fetched again below
        }
        Path incomplete = blob.resolveSibling(blob.getFileName() + ".incomplete");
        Path lockFile = settings.cache().resolve(".locks").resolve(repoDir(plan.repo()).getFileName()).resolve(f.etag() + ".lock");
        try {
            Files.createDirectories(blob.getParent());
            Files.createDirectories(lockFile.getParent());
        } catch (IOException e) {
            throw new HubException(HubException.Kind.NETWORK, blob.getParent() + ": cannot write to the hub cache: " + e.getMessage(), e);
        }
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = tryLock(lockChannel, lockFile)) {
            if (Files.isRegularFile(blob) && matches(blob, f.etag(), f.size())) return; // another process finished it meanwhile
            boolean refetched = false;
            while (true) {
                download(plan, f, incomplete, progress);
                if (matches(incomplete, f.etag(), f.size())) break;
                deleteQuietly(incomplete);
                if (refetched) {
                    throw new HubException(HubException.Kind.CORRUPT, f.url() + ": " + f.name() + " arrived damaged twice (it does not match the hub's "
                            + (f.etag().length() == 64 ? "sha256 " : "ETag ") + f.etag() + "); try again later");
                }
                refetched = true; // a file that does not match is refused and fetched once more from scratch
            }
            try {
                Files.move(incomplete, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(incomplete, blob, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new HubException(HubException.Kind.NETWORK, blob + ": cannot write to the hub cache: " + e.getMessage(), e);
        }
    }

    private static FileLock tryLock(FileChannel channel, Path lockFile) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new HubException(HubException.Kind.NETWORK, lockFile + ": another pianola is downloading this file into the hub cache; wait for it and try again");
        }
        return lock;
    }

    /** Brings {@code incomplete} to {@code f.size()} bytes, resuming from what it holds; a cut connection is resumed up to MAX_ATTEMPTS times. */
    private void download(Plan plan, PlannedFile f, Path incomplete, Progress progress) throws IOException {
        URI url = f.url();
        IOException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            long have = Files.isRegularFile(incomplete) ? Files.size(incomplete) : 0;
            if (have > f.size()) {
                Files.delete(incomplete);
                have = 0;
            }
            if (have == f.size() && have > 0) return;
            try {
                receive(url, f, incomplete, have, progress);
                if (Files.size(incomplete) == f.size()) return;
                last = new IOException("the connection closed after " + Files.size(incomplete) + " of " + f.size() + " bytes");
            } catch (IOException e) {
                last = e;
            }
            if (attempt < MAX_ATTEMPTS) {
                pause(retryPause.multipliedBy(1L << (attempt - 1)));
                // a CDN link is signed for a while only: ask the hub again for a fresh one
                if (!f.url().equals(resolveUrl(plan.repo(), plan.commit(), f.name()))) {
                    Remote again = head(plan.repo(), plan.commit(), plan.revision(), f.name());
                    if (again != null && again.etag().equals(f.etag())) url = again.url();
                }
            }
        }
        throw new HubException(HubException.Kind.NETWORK, f.name() + " from " + url.getHost() + ": the download broke off " + MAX_ATTEMPTS
                + " times (" + last.getMessage() + "); run the command again to resume it", last);
    }

    /** One GET from byte {@code have} on, following redirects, appended to {@code incomplete}. */
    private void receive(URI url, PlannedFile f, Path incomplete, long have, Progress progress) throws IOException {
        URI uri = url;
        HttpResponse<InputStream> r = null;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = request(uri).GET();
            if (have > 0) b.header("Range", "bytes=" + have + "-");
            r = sendOrFail(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            Optional<String> location = r.headers().firstValue("Location");
            if (r.statusCode() / 100 == 3 && location.isPresent()) {
                r.body().close();
                uri = uri.resolve(location.get());
                continue;
            }
            break;
        }
        int status = r.statusCode();
        boolean append;
        if (status == 206) {
            long start = r.headers().firstValue("Content-Range").map(HubClient::rangeStart).orElse(-1L);
            if (start != have) {
                r.body().close();
                throw new IOException("the server resumed at byte " + start + ", not " + have);
            }
            append = true;
        } else if (status == 200) {
            append = false; // the server sends it whole: start again
        } else if (status == 416 && have >= f.size()) {
            r.body().close();
            return;
        } else {
            r.body().close();
            if (status == 416) {
                Files.deleteIfExists(incomplete);
                throw new IOException("the server refused to resume at byte " + have);
            }
            throw new HubException(HubException.Kind.NETWORK, uri + ": HTTP " + status + " while downloading " + f.name());
        }
        long done = append ? have : 0;
        long total = f.size();
        String what = "MB of " + f.name();
        try (InputStream in = r.body();
             OutputStream out = Files.newOutputStream(incomplete, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buffer = new byte[1 << 16];
            long reported = -1;
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                done += n;
                if (done / MEGABYTE != reported) {
                    reported = done / MEGABYTE;
                    progress.update(reported, Math.max(1, total / MEGABYTE), what);
                }
            }
        }
        progress.update(Math.max(1, total / MEGABYTE), Math.max(1, total / MEGABYTE), what);
    }

    /** "bytes 100-199/200" -> 100. */
    static long rangeStart(String contentRange) {
        String s = contentRange.strip().toLowerCase(Locale.ROOT);
        if (!s.startsWith("bytes ")) return -1;
        int dash = s.indexOf('-');
        try {
            return dash < 0 ? -1 : Long.parseLong(s.substring(6, dash).strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(HubException.Kind.NETWORK, "interrupted", e);
        }
    }

    // ---- checking

    /**
     * Whether {@code file} is what the ETag names: a 64-hex ETag is the sha256 of the content (Git
     * LFS), a 40-hex one the Git blob id (sha1 of "blob SIZE\0" + content). Another ETag (a server
     * that is not the hub) cannot be checked: the size has to do.
     */
    public static boolean matches(Path file, String etag, long size) {
        try {
            if (!Files.isRegularFile(file) || size >= 0 && Files.size(file) != size) return false;
            String e = etag.toLowerCase(Locale.ROOT);
            if (e.matches("[0-9a-f]{64}")) return digest(file, "SHA-256", null).equals(e);
            if (e.matches("[0-9a-f]{40}")) return digest(file, "SHA-1", ("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII)).equals(e);
            return true;
        } catch (IOException ex) {
            return false;
        }
    }

    static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has " + algorithm, e);
        }
        if (prefix != null) md.update(prefix);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) md.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    // ---- the cache's snapshots and refs

    /** snapshots/COMMIT/NAME -> ../../blobs/ETAG, as huggingface_hub links it; a copy where links cannot be made. */
    private static void link(Path blob, Path target) {
        try {
            Files.createDirectories(target.getParent());
            Path relative = target.getParent().relativize(blob);
            if (Files.isSymbolicLink(target) && Files.readSymbolicLink(target).equals(relative)) return;
            Files.deleteIfExists(target);
            try {
                Files.createSymbolicLink(target, relative);
            } catch (UnsupportedOperationException | IOException e) {
                Files.copy(blob, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new HubException(HubException.Kind.NETWORK, target + ": cannot write to the hub cache: " + e.getMessage(), e);
        }
    }

    private static void writeRef(Path repoDir, String revision, String commit) {
        Path ref = repoDir.resolve("refs").resolve(revision);
        try {
            if (!ref.normalize().startsWith(repoDir.resolve("refs"))) return; // a revision like ../x names no ref file
            Files.createDirectories(ref.getParent());
            if (Files.isRegularFile(ref) && Files.readString(ref).strip().equals(commit)) return;
            Path tmp = Files.createTempFile(ref.getParent(), "." + ref.getFileName(), ".tmp");
            Files.writeString(tmp, commit);
            Files.move(tmp, ref, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new HubException(HubException.Kind.NETWORK, ref + ": cannot write to the hub cache: " + e.getMessage(), e);
        }
    }

    private Plan planOffline(String repo, String revision, List<Installable.CheckpointFile> files) {
        Path repoDir = repoDir(repo);
        String commit = revision;
        if (!revision.matches("[0-9a-f]{40}")) {
            Path ref = repoDir.resolve("refs").resolve(revision);
            try {
                commit = Files.isRegularFile(ref) ? Files.readString(ref).strip() : null;
            } catch (IOException e) {
                commit = null;
            }
        }
        Path snapshot = commit == null ? null : repoDir.resolve("snapshots").resolve(commit);
        if (snapshot == null || !Files.isDirectory(snapshot)) {
            throw new HubException(HubException.Kind.NOT_CACHED, "HF_HUB_OFFLINE is set and the hub cache " + settings.cache() + " has no "
                    + repo + " at " + revision + "; unset HF_HUB_OFFLINE to download it, or use --from DIR");
        }
        List<PlannedFile> planned = new ArrayList<>();
        for (Installable.CheckpointFile wanted : files) {
            PlannedFile found = null;
            for (String name : wanted.names()) {
                Path p = snapshot.resolve(name);
                if (!Files.isRegularFile(p)) continue;
                try {
                    found = new PlannedFile(name, cachedEtag(p), Files.size(p), p.toUri(), true);
                } catch (IOException e) {
                    continue;
                }
                break;
            }
            if (found != null) planned.add(found);
            else if (!wanted.optional()) {
                throw new HubException(HubException.Kind.NOT_CACHED, "HF_HUB_OFFLINE is set and the hub cache holds " + repo + " at " + revision
                        + " without " + wanted.describe() + " (" + snapshot + "); unset HF_HUB_OFFLINE to download it");
            }
        }
        return new Plan(repo, revision, commit, planned);
    }

    /** The ETag a snapshot file was stored under: the name of the blob it links to (null for a plain copy, which cannot be checked). */
    private static String cachedEtag(Path snapshotFile) throws IOException {
        if (!Files.isSymbolicLink(snapshotFile)) return null;
        Path blob = snapshotFile.toRealPath();
        String name = blob.getFileName().toString();
        return blob.getParent() != null && blob.getParent().getFileName().toString().equals("blobs")
                && Files.isRegularFile(blob, LinkOption.NOFOLLOW_LINKS) ? normalizeEtag(name) : null;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // the next write replaces it anyway
        }
    }
}
