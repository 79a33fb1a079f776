package dev.pianola.runtime;

/** Progress of a long job, reported from the thread doing the work. */
@FunctionalInterface
public interface Progress {
    Progress NONE = (done, total, what) -> { };

    /** {@code done} of {@code total} units of {@code what} (in a musician's words: "seconds heard", "seconds rendered", "tokens") are finished. */
    void update(long done, long total, String what);
}
