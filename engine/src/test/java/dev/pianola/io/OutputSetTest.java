package dev.pianola.io;

import dev.pianola.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputSetTest {
    @TempDir
    Path tmp;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void outputsAppearTogetherAtTheCommitUnderTheirOwnNames() throws Exception {
        try (OutputSet set = new OutputSet(false)) {
            Path mid = set.stage(tmp.resolve("a.mid")), wav = set.stage(tmp.resolve("a.wav"));
            assertEquals("a.mid", mid.getFileName().toString(), "the name is kept (formats follow it)");
            Files.writeString(mid, "midi");
            assertEquals(1, names().size(), "only the hidden staging folder so far: " + names());
            Files.writeString(wav, "wave");
            set.commit();
        }
        assertEquals(List.of("a.mid", "a.wav"), names(), "both, and no staging folder left");
        assertEquals("wave", Files.readString(tmp.resolve("a.wav")));
    }

    @Test
    void aJobThatFailsLeavesNothingAndTouchesNothing() throws Exception {
        Path mine = Files.writeString(tmp.resolve("b.mid"), "mine");
        try (OutputSet set = new OutputSet(true)) {
            Files.writeString(set.stage(mine), "new");
            set.stage(tmp.resolve("b.wav"));
            // the render fails here: no commit
        }
        assertEquals(List.of("b.mid"), names());
        assertEquals("mine", Files.readString(mine), "--force replaces a file only when the whole set is there");
    }

    @Test
    void anExistingOutputIsRefusedWithoutForce() throws Exception {
        Files.writeString(tmp.resolve("c.mid"), "mine");
        try (OutputSet set = new OutputSet(false)) {
            assertThrows(UsageException.class, () -> set.stage(tmp.resolve("c.mid")));
            Path wav = set.stage(tmp.resolve("c.wav"));
            Files.writeString(wav, "wave");
            Files.writeString(tmp.resolve("c.wav"), "someone else's, meanwhile");
            assertThrows(UsageException.class, set::commit);
        }
        assertEquals("someone else's, meanwhile", Files.readString(tmp.resolve("c.wav")));
        assertFalse(names().stream().anyMatch(n -> n.startsWith(".pianola-staging-")), names().toString());
        assertTrue(Files.exists(tmp.resolve("c.mid")));
    }

    @Test
    void aKilledJobsStagingFolderIsRemovedByTheNextJob() throws Exception {
        // a process id that runs no process (the largest possible pid is far below this)
        Path left = Files.createDirectories(tmp.resolve(".pianola-staging-pid999999999-123"));
        Files.writeString(left.resolve("half.wav"), "half");
        Path running = Files.createDirectories(tmp.resolve(".pianola-staging-pid" + ProcessHandle.current().pid() + "-456"));
        try (OutputSet set = new OutputSet(false)) {
            Files.writeString(set.stage(tmp.resolve("d.mid")), "midi");
            set.commit();
        }
        assertFalse(Files.exists(left), "the dead process's folder is gone");
        assertTrue(Files.exists(running), "a running process's folder is kept");
    }
}
