package dev.pianola.cli;

import dev.pianola.runtime.Progress;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;

/**
 * A progress bar on standard error that appears only when a step has been running for more than
 * a second (short jobs stay quiet) and only on a terminal (logs and pipes stay clean).
 */
final class CliProgress implements Progress, AutoCloseable {
    private static final long SHOW_AFTER_NANOS = 1_000_000_000L;
    private final boolean enabled;
    private final PrintStream err;
    private final long startNanos = System.nanoTime();
    private ProgressBar bar;
    private String barTask;

    CliProgress(boolean quiet, PrintStream err) {
        this.enabled = !quiet && System.console() != null;
        this.err = err;
    }

    @Override
    public synchronized void update(long done, long total, String what) {
        if (!enabled) return;
        if (bar != null && !what.equals(barTask)) {
            bar.close();
            bar = null;
        }
        if (bar == null) {
            if (System.nanoTime() - startNanos < SHOW_AFTER_NANOS && done < total) return;
            if (done >= total) return; // a step that finished before the bar was due needs none
            bar = new ProgressBarBuilder().setTaskName(what).setInitialMax(total).setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setConsumer(new ConsoleProgressBarConsumer(err)).setUpdateIntervalMillis(200).build();
            barTask = what;
        }
        bar.maxHint(total);
        bar.stepTo(done);
    }

    @Override
    public synchronized void close() {
        if (bar != null) bar.close();
        bar = null;
    }
}
