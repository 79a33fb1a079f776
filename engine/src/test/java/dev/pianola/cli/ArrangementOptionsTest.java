package dev.pianola.cli;

import dev.pianola.arrange.ArrangeOptions;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ArrangementOptionsTest {
    /** The help writes a grid as --grid reads it: one spelling per grid, read back as the same grid. */
    @Test
    void everyGridIsWrittenAsItIsRead() {
        for (ArrangeOptions.Grid g : ArrangeOptions.Grid.values()) assertEquals(g, ArrangementOptions.gridOf(ArrangementOptions.gridName(g)));
    }

    @Test
    void theHelpFollowsTheTerminalWidthTheShellGives() {
        assertEquals(OptionalInt.of(120), Main.helpWidth("120"));
        assertEquals(OptionalInt.empty(), Main.helpWidth(null));
        assertEquals(OptionalInt.empty(), Main.helpWidth("wide"));
        assertEquals(OptionalInt.empty(), Main.helpWidth("20"), "too narrow for picocli: its default");
        assertEquals(OptionalInt.of(200), Main.helpWidth("5000"));
    }
}
