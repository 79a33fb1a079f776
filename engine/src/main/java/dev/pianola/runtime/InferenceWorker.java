package dev.pianola.runtime;

import dev.pianola.PianolaException;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The one thread that runs a loaded model: jobs run one after another (a model's sessions and KV
 * cache serve one generation at a time), each can be cancelled while it runs (the decoding loop
 * checks its flag every step) and reports progress. The model is warmed up first, so that the
 * first real job does not pay for ONNX Runtime's lazy initialisation.
 */
public final class InferenceWorker implements AutoCloseable {
    /** Work for the model thread; it should check {@code cancelled} often and report {@code progress}. */
    @FunctionalInterface
    public interface Task<T> {
        T run(BooleanSupplier cancelled, Progress progress) throws Exception;
    }

    /** A submitted job: its result to come, and a way to cancel it. */
    public static final class Job<T> {
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final CompletableFuture<T> result = new CompletableFuture<>();

        /** Asks the job to stop at its next check; a job not yet started never starts. */
        public void cancel() {
            cancelled.set(true);
        }

        public boolean isCancelRequested() {
            return cancelled.get();
        }

        public CompletableFuture<T> future() {
            return result;
        }

        /** Waits for the result; a failure of the model is rethrown as it was (e.g. a ModelException). */
        public T get() throws InterruptedException {
            try {
                return result.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof PianolaException p) throw p;
                if (cause instanceof RuntimeException r) throw r;
                throw new IllegalStateException("inference job failed: " + cause, cause);
            }
        }
    }

    private final ExecutorService thread;
    private final Job<Void> warmUp;

    /** Starts the thread for the model called {@code name}, running {@code warmUp} before any job. */
    public InferenceWorker(String name, Runnable warmUp) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "inference-" + name);
            t.setDaemon(true);
            return t;
        });
        this.warmUp = submit((cancelled, progress) -> {
            warmUp.run();
            return null;
        }, Progress.NONE);
    }

    /** Waits until the warm-up has run (it fails as the model would). */
    public void awaitWarmUp() throws InterruptedException {
        warmUp.get();
    }

    /** Queues {@code task}; {@code progress} is called from the model thread. */
    public <T> Job<T> submit(Task<T> task, Progress progress) {
        Job<T> job = new Job<>();
        thread.execute(() -> {
            if (job.cancelled.get()) {
                job.result.completeExceptionally(new CancellationException("cancelled before it started"));
                return;
            }
            try {
                job.result.complete(task.run(job.cancelled::get, progress));
            } catch (Throwable t) {
                job.result.completeExceptionally(t);
            }
        });
        return job;
    }

    /** Stops taking jobs; the running one finishes (cancel it first to stop it sooner). */
    @Override
    public void close() {
        thread.shutdown();
    }
}
