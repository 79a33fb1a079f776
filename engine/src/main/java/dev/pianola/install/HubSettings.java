package dev.pianola.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the Hugging Face hub is and how to use it, read from the environment variables the hub's own
 * client (huggingface_hub) reads, so that one cache and one token serve both:
 * <ul>
 * <li>{@code HF_ENDPOINT}: the hub (default https://huggingface.co);</li>
 * <li>{@code HF_TOKEN} (or the older {@code HUGGING_FACE_HUB_TOKEN}), else the file {@code HF_TOKEN_PATH}, else
 * {@code $HF_HOME/token} (what {@code huggingface-cli login} writes): sent as {@code Authorization: Bearer};</li>
 * <li>{@code HF_HUB_CACHE} (or the older {@code HUGGINGFACE_HUB_CACHE}), else {@code $HF_HOME/hub}; {@code HF_HOME}
 * defaults to {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface};</li>
 * <li>{@code HF_HUB_OFFLINE=1}: no network at all, the cache only.</li>
 * </ul>
 *
 * @param endpoint the hub's address, without a trailing slash
 * @param token    the access token, or null
 * @param cache    the hub cache folder (models--owner--name/{blobs,snapshots,refs})
 * @param offline  whether to stay off the network
 */
public record HubSettings(String endpoint, String token, Path cache, boolean offline) {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    /** The values huggingface_hub takes as true. */
    private static final Set<String> TRUE = Set.of("1", "on", "yes", "true");

    public HubSettings {
        while (endpoint.endsWith("/")) endpoint = endpoint.substring(0, endpoint.length() - 1);
    }

    /** The settings this process's environment gives. */
    public static HubSettings fromEnvironment() {
        return from(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    public static HubSettings from(Map<String, String> env, Path home) {
        String endpoint = set(env.get("HF_ENDPOINT")) ? env.get("HF_ENDPOINT").strip() : DEFAULT_ENDPOINT;
        Path hfHome = set(env.get("HF_HOME")) ? Path.of(env.get("HF_HOME"))
                : set(env.get("XDG_CACHE_HOME")) ? Path.of(env.get("XDG_CACHE_HOME"), "huggingface") : home.resolve(".cache/huggingface");
        Path cache = set(env.get("HF_HUB_CACHE")) ? Path.of(env.get("HF_HUB_CACHE"))
                : set(env.get("HUGGINGFACE_HUB_CACHE")) ? Path.of(env.get("HUGGINGFACE_HUB_CACHE")) : hfHome.resolve("hub");
        String token = set(env.get("HF_TOKEN")) ? env.get("HF_TOKEN").strip()
                : set(env.get("HUGGING_FACE_HUB_TOKEN")) ? env.get("HUGGING_FACE_HUB_TOKEN").strip()
                : readToken(set(env.get("HF_TOKEN_PATH")) ? Path.of(env.get("HF_TOKEN_PATH")) : hfHome.resolve("token"));
        boolean offline = env.get("HF_HUB_OFFLINE") != null && TRUE.contains(env.get("HF_HUB_OFFLINE").strip().toLowerCase(Locale.ROOT));
        return new HubSettings(endpoint, token, cache, offline);
    }

    private static boolean set(String s) {
        return s != null && !s.isBlank();
    }

    private static String readToken(Path file) {
        try {
            String t = Files.isRegularFile(file) ? Files.readString(file).strip() : "";
            return t.isEmpty() ? null : t;
        } catch (IOException e) {
            return null; // an unreadable token file is as good as none: public repositories need no token
        }
    }

    /** The settings with another cache folder or offline flag (the tests use this). */
    public HubSettings offline(boolean offline) {
        return new HubSettings(endpoint, token, cache, offline);
    }

    @Override
    public String toString() {
        // never the token itself
        return "HubSettings[" + endpoint + ", cache " + cache + (token != null ? ", with a token" : "") + (offline ? ", offline" : "") + "]";
    }
}
