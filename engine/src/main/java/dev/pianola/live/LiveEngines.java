package dev.pianola.live;

import dev.pianola.UsageException;
import dev.pianola.models.ModelFamily;
import dev.pianola.runtime.OnnxSessions;

import java.nio.file.Path;

/** Opens the engine a session's parameters name. */
public final class LiveEngines {
    private LiveEngines() {}

    /**
     * The live engine of {@code family}; {@code modelDir} is its package (unused for a family that
     * needs none). Loading a model takes seconds: call it on the worker that will run it.
     */
    public static LiveEngine open(ModelFamily family, Path modelDir, OnnxSessions.Device device) {
        if (!family.isLive()) throw new UsageException(family.name() + " is not a live engine");
        if (family.needsPackage() && modelDir == null) {
            throw new UsageException("the " + family.name() + " engine needs a model package (made by tools/export)");
        }
        return family.live().open(modelDir, device);
    }
}
