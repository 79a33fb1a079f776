package dev.pianola.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A pid no process has now: one of a process that has ended. */
    private static long endedPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long pid = p.pid();
        org.junit.jupiter.api.Assumptions.assumeTrue(ProcessHandle.of(pid).isEmpty(), "pid " + pid + " taken again");
        return pid;
    }

    @Test
    void aWriteLeavesOnlyItsTarget() throws IOException {
        Path target = dir.resolve("song.mid");
        AtomicFiles.write(target, false, out -> out.write(new byte[] {1, 2, 3}));
        assertEquals(List.of("song.mid"), names());
        assertThrowsOnWrite(target);
        assertEquals(List.of("song.mid"), names(), "a failed write removes its temporary file");
    }

    private static void assertThrowsOnWrite(Path target) {
        try {
            AtomicFiles.write(target, true, out -> {
                out.write(new byte[1000]);
                throw new IOException("disk full");
            });
        } catch (RuntimeException expected) {
            return;
        }
        throw new AssertionError("a writer's IOException fails the write");
    }

    /** Killed renders left hidden temporary files (up to 63 MB) that no later run removed. */
    @Test
    void theNextWriteRemovesTheTemporaryFilesOfKilledProcesses() throws Exception {
        String target = "x6.5.wav";
        long live = ProcessHandle.current().parent().map(ProcessHandle::pid).orElseThrow();
        Path killed = Files.write(dir.resolve(AtomicFiles.tmpPrefix(target, endedPid()) + "12345.tmp"), new byte[100]);
        Path running = Files.write(dir.resolve(AtomicFiles.tmpPrefix(target, live) + "777.tmp"), new byte[100]);
        // as versions before the pid was in the name wrote them: removed once an hour old
        Path oldUnnamed = Files.write(dir.resolve("." + target + "4242424242.tmp"), new byte[100]);
        Files.setLastModifiedTime(oldUnnamed, FileTime.from(Instant.now().minusSeconds(7200)));
        Path newUnnamed = Files.write(dir.resolve("." + target + "99.tmp"), new byte[100]);
        Path otherTarget = Files.write(dir.resolve(AtomicFiles.tmpPrefix("other.wav", endedPid()) + "1.tmp"), new byte[100]);

        AtomicFiles.write(dir.resolve(target), false, out -> out.write(1));
        assertFalse(Files.exists(killed), "a dead process's temporary file is removed");
        assertFalse(Files.exists(oldUnnamed));
        assertTrue(Files.exists(running), "a running writer keeps its file");
        assertTrue(Files.exists(newUnnamed));
        assertTrue(Files.exists(otherTarget), "another target's files are left to its own writes");
        assertTrue(Files.exists(dir.resolve(target)));
    }
}
