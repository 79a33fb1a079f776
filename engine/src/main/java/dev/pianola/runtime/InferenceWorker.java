package dev.pianola.runtime;

import dev.pianola.PianolaException;

import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InferenceWorker.class);

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
    /** Jobs queued or running: closing the worker cancels them, so no caller waits for ever. */
    private final Set<Job<?>> unfinished = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

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

    /**
     * Queues {@code task}; {@code progress} is called from the model thread. After a failed warm-up
     * every job fails with the warm-up's error (the model cannot run); after {@link #close} every
     * job is cancelled.
     */
    public <T> Job<T> submit(Task<T> task, Progress progress) {
        Job<T> job = new Job<>();
        unfinished.add(job);
        job.result.whenComplete((r, e) -> unfinished.remove(job));
        try {
            thread.execute(() -> {
                if (job.cancelled.get() || closed.get()) {
                    job.result.completeExceptionally(new CancellationException(closed.get() ? "the model was closed" : "cancelled before it started"));
                    return;
                }
                if (warmUp != null && warmUp.result.isCompletedExceptionally()) {
                    warmUp.result.whenComplete((r, e) -> job.result.completeExceptionally(e instanceof CompletionException c ? c.getCause() : e));
                    return;
                }
                try {
                    job.result.complete(task.run(job.cancelled::get, progress));
                } catch (Throwable t) {
                    job.result.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException closed) {
            job.result.completeExceptionally(new CancellationException("the model was closed"));
        }
        return job;
    }

    /**
     * Stops: queued jobs are cancelled (their futures fail with a CancellationException), the
     * running one is asked to stop and given a few seconds to do so before the caller closes the model.
     */
    @Override
    public void close() {
        closed.set(true); // checked by every job before it starts, whatever the loop below sees
        for (Job<?> job : unfinished) {
            job.cancel();
            job.result.completeExceptionally(new CancellationException("the model was closed"));
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) LOG.warn("an inference job did not stop within 5 s of closing");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
