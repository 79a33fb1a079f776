package dev.pianola.models;

import dev.pianola.live.LiveEngine;
import dev.pianola.runtime.OnnxSessions;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * One model family this build runs: what users call it, what its model package must say, which job
 * it does and how it is opened as a live engine. Every family is one entry of {@link ModelFamilies},
 * and the model store, the command line, the device and the plug-in find families only there.
 *
 * @param name           what users type ({@code --engine remi}) and logs say
 * @param title          how a host shows it (the plug-in's Engine menu)
 * @param manifestFamily the {@code family} its model package's manifest names; null when it needs no package
 * @param job            what it does
 * @param precisions     the precisions of its package this build runs (what its exporter writes and its tests cover)
 * @param live           opens it as a live engine on the worker that will run it (seconds for a model); null when it is not one
 * @param composer       opens it as a composer (text to audio) for the plug-in's Compose engine; null when it is not one
 */
public record ModelFamily(String name, String title, String manifestFamily, Job job, Set<String> precisions, LiveOpener live,
                          ComposerOpener composer) {
    public enum Job {
        CONTINUE, COVER, COMPOSE;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Opens a live engine from its package folder (null for a family that needs none). */
    @FunctionalInterface
    public interface LiveOpener {
        LiveEngine open(Path packageDir, OnnxSessions.Device device);
    }

    /** Opens a composer from its package folder, on the worker that will run it. */
    @FunctionalInterface
    public interface ComposerOpener {
        dev.pianola.live.Composer open(Path packageDir, OnnxSessions.Device device);
    }

    /** A family that is no composer. */
    public ModelFamily(String name, String title, String manifestFamily, Job job, Set<String> precisions, LiveOpener live) {
        this(name, title, manifestFamily, job, precisions, live, null);
    }

    public ModelFamily {
        if (name == null || title == null || job == null || precisions == null) throw new IllegalArgumentException("a model family needs a name, a title, a job and precisions");
        precisions = Set.copyOf(precisions);
    }

    /** Whether it needs a model package (made by tools/export) to run. */
    public boolean needsPackage() {
        return manifestFamily != null;
    }

    public boolean isLive() {
        return live != null;
    }

    /** Whether the plug-in's Compose engine can run it. */
    public boolean composes() {
        return composer != null;
    }

    /** How the plug-in's Engine menu names it: a live engine by its title, a composer as "Compose (title)". */
    public String menuTitle() {
        return isLive() ? title : "Compose (" + title + ")";
    }
}
