package dev.pianola.it;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Hugging Face hub on 127.0.0.1 that speaks the hub's file protocol, as huggingface_hub's
 * client meets it: {@code /{owner}/{name}/resolve/{revision}/{file}} answers HEAD and GET with
 * {@code X-Repo-Commit}; a Git LFS file (weights: .safetensors, .bin, as the hub's .gitattributes
 * has them) is a 302 to a CDN address carrying {@code X-Linked-Etag} (its sha256) and
 * {@code X-Linked-Size}; a small file is answered directly, its {@code ETag} the Git blob id; errors
 * carry {@code X-Error-Code} (RepoNotFound 401, RevisionNotFound 404, EntryNotFound 404). The CDN
 * answers Range requests with 206. Faults on demand: a connection cut once part-way through a
 * file, a file sent damaged once. Every request is logged.
 */
final class LocalHub implements AutoCloseable {
    /** A request as the server saw it. */
    record Request(String method, String path, String range, boolean authorized) {}

    private final HttpServer server;
    /** The CDN is another origin, as cdn-lfs.huggingface.co is: what the hub's token must not reach. */
    private final HttpServer cdn;
    /** repo -> branch -> commit */
    private final Map<String, Map<String, String>> branches = new ConcurrentHashMap<>();
    /** commit -> file -> content */
    private final Map<String, Map<String, byte[]>> trees = new ConcurrentHashMap<>();
    /** sha256 -> content, the CDN's store */
    private final Map<String, byte[]> lfs = new ConcurrentHashMap<>();
    private final Map<String, Long> cutOnce = new ConcurrentHashMap<>();
    private final Map<String, Integer> corrupt = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile String token;

    LocalHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        cdn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        cdn.createContext("/", this::handle);
        cdn.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Serves every file of {@code dir} as {@code repo} at {@code commit}, with {@code branch} pointing at it. */
    LocalHub repo(String repo, String branch, String commit, Path dir) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        try (var s = Files.list(dir)) {
            for (Path f : s.sorted().toList()) files.put(f.getFileName().toString(), Files.readAllBytes(f));
        }
        trees.put(commit, files);
        branches.computeIfAbsent(repo, r -> new ConcurrentHashMap<>()).put(branch, commit);
        for (Map.Entry<String, byte[]> f : files.entrySet()) if (isLfs(f.getKey())) lfs.put(sha256(f.getValue()), f.getValue());
        return this;
    }

    /** Repositories then need {@code Authorization: Bearer token}. */
    void requireToken(String token) {
        this.token = token;
    }

    /** The next download of {@code file} stops after {@code bytes} bytes (the connection closes). */
    void cutOnce(String file, long bytes) {
        cutOnce.put(file, bytes);
    }

    /** The next {@code times} downloads of {@code file} arrive with one byte changed. */
    void corrupt(String file, int times) {
        corrupt.put(file, times);
    }

    List<Request> downloads(String file) {
        List<Request> r = new ArrayList<>();
        for (Request q : requests) if (q.method().equals("GET") && q.path().endsWith("#" + file)) r.add(q);
        return r;
    }

    static boolean isLfs(String file) {
        return file.endsWith(".safetensors") || file.endsWith(".bin");
    }

    static String sha256(byte[] b) {
        return hex("SHA-256", b, null);
    }

    static String gitBlobId(byte[] b) {
        return hex("SHA-1", b, ("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII));
    }

    private static String hex(String algorithm, byte[] b, byte[] prefix) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            if (prefix != null) md.update(prefix);
            return HexFormat.of().formatHex(md.digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            boolean authorized = token != null && ("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"));
            boolean sentAuth = ex.getRequestHeaders().containsKey("Authorization");
            String method = ex.getRequestMethod();
            if (path.startsWith("/cdn/")) {
                String sha = path.substring("/cdn/".length());
                String file = ex.getRequestURI().getQuery() == null ? "" : ex.getRequestURI().getQuery().replaceFirst("^file=", "");
                requests.add(new Request(method, "/cdn/" + sha + "#" + file, ex.getRequestHeaders().getFirst("Range"), sentAuth));
                byte[] content = lfs.get(sha);
                if (content == null) {
                    send(ex, 404, null);
                    return;
                }
                serve(ex, file, content);
                return;
            }
            // /owner/name/resolve/revision/file
            String[] parts = path.split("/", 6);
            if (parts.length < 6 || !parts[3].equals("resolve")) {
                send(ex, 404, null);
                return;
            }
            String repo = parts[1] + "/" + parts[2];
            String revision = URLDecoder.decode(parts[4], StandardCharsets.UTF_8);
            String file = URLDecoder.decode(parts[5], StandardCharsets.UTF_8);
            requests.add(new Request(method, path + "#" + file, ex.getRequestHeaders().getFirst("Range"), sentAuth));
            Headers h = ex.getResponseHeaders();
            Map<String, String> repoBranches = branches.get(repo);
            if (repoBranches == null || token != null && !authorized) {
                h.set("X-Error-Code", "RepoNotFound");
                h.set("X-Error-Message", "Repository Not Found for url: " + path);
                send(ex, 401, null);
                return;
            }
            String commit = repoBranches.getOrDefault(revision, trees.containsKey(revision) && repoBranches.containsValue(revision) ? revision : null);
            if (commit == null) {
                h.set("X-Error-Code", "RevisionNotFound");
                h.set("X-Error-Message", "Invalid rev id: " + revision);
                send(ex, 404, null);
                return;
            }
            byte[] content = trees.get(commit).get(file);
            h.set("X-Repo-Commit", commit);
            if (content == null) {
                h.set("X-Error-Code", "EntryNotFound");
                h.set("X-Error-Message", file + " does not exist on \"" + revision + "\"");
                send(ex, 404, null);
                return;
            }
            if (isLfs(file)) {
                String sha = sha256(content);
                h.set("X-Linked-Etag", "\"" + sha + "\"");
                h.set("X-Linked-Size", String.valueOf(content.length));
                h.set("ETag", "W/\"" + gitBlobId(("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha).getBytes(StandardCharsets.US_ASCII)) + "\"");
                h.set("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/cdn/" + sha + "?file=" + file);
                send(ex, 302, null);
                return;
            }
            h.set("ETag", "\"" + gitBlobId(content) + "\"");
            serve(ex, file, content);
        }
    }

    /** The content, or from a Range's first byte on (206); with the faults asked for. */
    private void serve(HttpExchange ex, String file, byte[] content) throws IOException {
        Headers h = ex.getResponseHeaders();
        if (ex.getRequestMethod().equals("HEAD")) {
            h.set("Content-Length", String.valueOf(content.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        int from = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null && range.matches("bytes=\\d+-")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
            if (from >= content.length) {
                h.set("Content-Range", "bytes */" + content.length);
                send(ex, 416, null);
                return;
            }
            h.set("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
        }
        byte[] body = java.util.Arrays.copyOfRange(content, from, content.length);
        if (corrupt.getOrDefault(file, 0) > 0) {
            corrupt.merge(file, -1, Integer::sum);
            body[body.length / 2] ^= 0x5A;
        }
        Long cut = cutOnce.remove(file);
        ex.sendResponseHeaders(from > 0 ? 206 : 200, body.length);
        OutputStream out = ex.getResponseBody();
        if (cut != null && cut < body.length) {
            out.write(body, 0, (int) (long) cut);
            out.flush();
            ex.close(); // short of the length: the server drops the connection, as a network cut does
            return;
        }
        out.write(body);
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        if (ex.getRequestMethod().equals("HEAD") || body == null) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        cdn.stop(0);
    }
}
