package dev.pianola.live;

import java.util.function.BooleanSupplier;

/**
 * A text-to-music model as the plug-in's Compose engine uses it ({@link ComposeSession}): a prompt
 * in, mono audio out. Opened through its family's entry in the registry
 * ({@link dev.pianola.models.ModelFamily#composer()}); every call on the session's worker thread.
 */
public interface Composer extends AutoCloseable {
    /** Short name for logs ("musicgen"). */
    String name();

    /** The rate of the audio {@link #compose} returns. */
    int sampleRate();

    /** The longest piece one call can make, in seconds (the model's positions). */
    double maxSeconds();

    /**
     * About {@code seconds} (at most {@link #maxSeconds()}) of music for {@code prompt}, sampled
     * at {@code temperature} (0: the likeliest, greedy) from {@code seed}.
     *
     * @throws java.util.concurrent.CancellationException when {@code cancelled} said so before the end
     */
    float[] compose(String prompt, double seconds, long seed, double temperature, BooleanSupplier cancelled);

    @Override
    void close();
}
