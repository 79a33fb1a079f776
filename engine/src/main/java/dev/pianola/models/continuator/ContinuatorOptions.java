package dev.pianola.models.continuator;

import dev.pianola.BadInputException;

import java.util.Locale;

import static dev.pianola.models.continuator.ContinuatorConstants.*;

/**
 * How the Continuator learns and chooses.
 *
 * @param maxOrder    longest context (in events) it looks for before backing off to shorter ones, 1..16
 * @param transpose   learn every phrase in all twelve keys too, so it can answer in a key it never heard
 * @param temperature how freely contexts and continuations are drawn (see Continuator.next): 0 always
 *                    takes the longest, finest context and its most frequent continuation (Pachet's
 *                    rule); 1 draws shorter and coarser contexts now and then, and continuations in
 *                    proportion to how often they followed; higher flattens towards uniform
 * @param seed        seed of the continuations that do not name their own
 */
public record ContinuatorOptions(int maxOrder, boolean transpose, double temperature, long seed) {
    /**
     * Defaults: order 4, no transposition (a prompt's own key is the one to answer in; the live
     * session turns it on to follow a player who changes key), temperature 1, seed 0.
     */
    public static final ContinuatorOptions DEFAULT = new ContinuatorOptions(DEFAULT_MAX_ORDER, false, DEFAULT_TEMPERATURE, 0);

    public ContinuatorOptions {
        if (maxOrder < 1 || maxOrder > MAX_ORDER)
            throw new BadInputException("continuator max order must be 1.." + MAX_ORDER + ", got " + maxOrder);
        if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE))
            throw new BadInputException(String.format(Locale.ROOT, "continuator temperature must be 0..%.0f, got %s", MAX_TEMPERATURE, temperature));
    }

    public ContinuatorOptions withMaxOrder(int order) { return new ContinuatorOptions(order, transpose, temperature, seed); }
    public ContinuatorOptions withTranspose(boolean t) { return new ContinuatorOptions(maxOrder, t, temperature, seed); }
    public ContinuatorOptions withTemperature(double t) { return new ContinuatorOptions(maxOrder, transpose, t, seed); }
    public ContinuatorOptions withSeed(long s) { return new ContinuatorOptions(maxOrder, transpose, temperature, s); }
}
