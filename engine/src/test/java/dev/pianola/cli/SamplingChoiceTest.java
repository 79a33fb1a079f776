package dev.pianola.cli;

import dev.pianola.runtime.SamplingConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The CLI's sampling flags over a package's defaults. */
class SamplingChoiceTest {
    static final SamplingConfig PAPER = new SamplingConfig(true, 2.5, 15, 0.95, 1, List.of(0));
    static final SamplingConfig GREEDY = SamplingConfig.greedy().withSuppressed(List.of(0));

    @Test
    void noFlagsKeepThePackagesDefaults() {
        assertEquals(PAPER, new SamplingChoice(false, null, null, null).over(PAPER));
        assertEquals(GREEDY, new SamplingChoice(false, null, null, null).over(GREEDY));
    }

    @Test
    void flagsOverrideOneByOne() {
        assertEquals(new SamplingConfig(true, 1.0, 15, 0.95, 1, List.of(0)), new SamplingChoice(false, 1.0, null, null).over(PAPER));
        assertEquals(new SamplingConfig(true, 2.5, 15, 0.5, 1, List.of(0)), new SamplingChoice(false, null, null, 0.5).over(PAPER));
        // sampling a greedy package: transformers' own defaults fill what is not given (top-k 50)
        assertEquals(new SamplingConfig(true, 0.8, 50, 1.0, 1, List.of(0)), new SamplingChoice(false, 0.8, null, null).over(GREEDY));
    }

    @Test
    void greedyOrZeroTemperatureIsGreedyAndStillSuppresses() {
        assertEquals(GREEDY, new SamplingChoice(true, null, null, null).over(PAPER));
        assertEquals(GREEDY, new SamplingChoice(false, 0.0, null, null).over(PAPER));
    }
}
