package dev.pianola.install;

import dev.pianola.PianolaException;

/** The hub, or its cache, cannot give a checkpoint file: what went wrong, in one line, and the exit code it gives. */
public final class HubException extends PianolaException {
    public enum Kind {
        /** The repository does not exist, or is private or gated and no token opens it. */
        REPOSITORY,
        /** The repository has no such branch, tag or commit. */
        REVISION,
        /** The revision lacks a file. */
        FILE,
        /** A download did not match the hub's checksum, even after fetching it again. */
        CORRUPT,
        /** HF_HUB_OFFLINE is set and the cache lacks what is needed. */
        NOT_CACHED,
        /** The hub cannot be reached, or answered what a hub does not. */
        NETWORK
    }

    private final Kind kind;

    public HubException(Kind kind, String message, Throwable cause) {
        super(kind == Kind.NETWORK ? EXIT_OTHER : EXIT_MODEL, message, cause);
        this.kind = kind;
    }

    public HubException(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }
}
