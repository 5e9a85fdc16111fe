package io.kanal.filter.testkit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The harness connection's event loop: one daemon thread, which logs what a task threw, as Netty's event loops do,
 * instead of keeping it in a future nobody reads.
 */
final class HarnessEventLoop extends ScheduledThreadPoolExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(HarnessEventLoop.class);

    private volatile Thread thread;

    HarnessEventLoop() {
        super(1);
        setThreadFactory(task -> {
            Thread created = new Thread(task, "kanal-filter-harness");
            created.setDaemon(true);
            thread = created;
            return created;
        });
        setRemoveOnCancelPolicy(true);
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    @Override
    protected void afterExecute(Runnable task, Throwable thrown) {
        super.afterExecute(task, thrown);
        if (thrown == null && task instanceof Future<?> future && future.isDone() && !future.isCancelled()) {
            try {
                future.get();
            } catch (ExecutionException e) {
                thrown = e.getCause();
            } catch (CancellationException | InterruptedException ignored) {
                // Cancelled timers and an interrupted shutdown are not failures of the task.
            }
        }
        if (thrown != null) {
            LOG.warn("a task on the filter harness's event loop failed", thrown);
        }
    }
}
