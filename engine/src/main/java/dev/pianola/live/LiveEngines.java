package dev.pianola.live;

import dev.pianola.UsageException;
import dev.pianola.runtime.OnnxSessions;

import java.nio.file.Path;

/** Opens the engine a session's parameters name. */
public final class LiveEngines {
    private LiveEngines() {}

    /**
     * The engine for {@code choice}; {@code modelDir} is the package of remi or perceiver (unused
     * for the Continuator). Loading a model takes seconds: call it on the worker that will run it.
     */
    public static LiveEngine open(LiveParameters.Engine choice, Path modelDir, OnnxSessions.Device device) {
        if (choice != LiveParameters.Engine.CONTINUATOR && modelDir == null) {
            throw new UsageException("the " + choice.name().toLowerCase(java.util.Locale.ROOT) + " engine needs a model package (made by tools/export)");
        }
        return switch (choice) {
            case CONTINUATOR -> new ContinuatorEngine();
            case REMI -> RemiEngine.open(modelDir, device);
            case PERCEIVER -> PerceiverEngine.open(modelDir, device);
        };
    }
}
