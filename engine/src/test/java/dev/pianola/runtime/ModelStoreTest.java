package dev.pianola.runtime;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ModelStoreTest {
    @Test
    void rootIsFoundInOrder() {
        assertEquals(Path.of("/p"), ModelStore.resolveRoot("/p", "/e", "/x", "/home/u"));
        assertEquals(Path.of("/e"), ModelStore.resolveRoot(null, "/e", "/x", "/home/u"));
        assertEquals(Path.of("/e"), ModelStore.resolveRoot(" ", "/e", "/x", "/home/u"));
        assertEquals(Path.of("/x/pianola/models"), ModelStore.resolveRoot(null, "", "/x", "/home/u"));
        assertEquals(Path.of("/home/u/.local/share/pianola/models"), ModelStore.resolveRoot(null, null, null, "/home/u"));
    }
}
