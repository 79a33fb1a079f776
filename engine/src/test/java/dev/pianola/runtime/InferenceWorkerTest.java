package dev.pianola.runtime;

import dev.pianola.ModelException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The model thread's lifecycle: a failed warm-up fails every job, closing cancels what is queued. */
class InferenceWorkerTest {
    @Test
    void jobsRunInOrderAndReturnTheirResults() throws Exception {
        try (InferenceWorker worker = new InferenceWorker("test", () -> { })) {
            worker.awaitWarmUp();
            InferenceWorker.Job<Integer> a = worker.submit((cancelled, progress) -> 1, Progress.NONE);
            InferenceWorker.Job<Integer> b = worker.submit((cancelled, progress) -> 2, Progress.NONE);
            assertEquals(1, a.get());
            assertEquals(2, b.get());
        }
    }

    @Test
    void aFailedWarmUpFailsEveryJobWithItsError() {
        ModelException broken = new ModelException(Path.of("model.onnx"), "cannot start");
        try (InferenceWorker worker = new InferenceWorker("broken", () -> { throw broken; })) {
            InferenceWorker.Job<Integer> job = worker.submit((cancelled, progress) -> 42, Progress.NONE);
            assertSame(broken, assertThrows(ModelException.class, job::get));
        }
    }

    @Test
    void closingCancelsTheRunningJobAndFailsTheQueuedOnes() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        InferenceWorker worker = new InferenceWorker("long", () -> { });
        InferenceWorker.Job<Integer> running = worker.submit((cancelled, progress) -> {
            started.countDown();
            while (!cancelled.getAsBoolean()) Thread.onSpinWait();
            return -1;
        }, Progress.NONE);
        InferenceWorker.Job<Integer> queued = worker.submit((cancelled, progress) -> 7, Progress.NONE);
        assertTrue(started.await(10, TimeUnit.SECONDS));
        worker.close();
        assertTrue(running.isCancelRequested(), "the running job was asked to stop");
        assertThrows(CancellationException.class, queued::get, "a queued job never runs after close");
        assertThrows(CancellationException.class, () -> worker.submit((c, p) -> 1, Progress.NONE).get(), "nor one submitted after");
    }
}
