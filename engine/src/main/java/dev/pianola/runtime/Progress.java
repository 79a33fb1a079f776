package dev.pianola.runtime;

/** Progress of a long job, reported from the thread doing the work. */
@FunctionalInterface
public interface Progress {
    Progress NONE = (done, total, what) -> { };

    /** {@code done} of {@code total} units of {@code what} (e.g. "windows", "notes") are finished. */
    void update(long done, long total, String what);
}
