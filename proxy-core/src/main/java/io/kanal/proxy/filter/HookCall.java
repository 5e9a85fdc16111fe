package io.kanal.proxy.filter;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Waits for a hook's stage on the connection's event loop: at once when the hook finished synchronously, which is
 * the common case, otherwise when it completes or its time is up, whichever comes first.
 */
final class HookCall {

    private HookCall() {
    }

    /**
     * Calls a hook, turning whatever goes wrong in the call itself (an exception, an error such as a plug-in's
     * missing class, or no stage at all) into a failed stage, so that it fails the hook's request or response and
     * never the connection's event loop.
     */
    static <T> CompletionStage<T> invoke(Supplier<CompletionStage<T>> hook) {
        CompletionStage<T> stage;
        try {
            stage = hook.get();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            return CompletableFuture.failedFuture(e);
        }
        return stage != null ? stage
                : CompletableFuture.failedFuture(new IllegalStateException("the hook returned no stage"));
    }

    static <T> void await(FilteredConnection connection, CompletionStage<T> stage, Duration timeout,
                          BiConsumer<T, Throwable> then) {
        CompletableFuture<T> future;
        try {
            future = stage.toCompletableFuture();
        } catch (UnsupportedOperationException e) {
            future = new CompletableFuture<>();
            CompletableFuture<T> copy = future;
            stage.whenComplete((value, failure) -> {
                if (failure != null) {
                    copy.completeExceptionally(failure);
                } else {
                    copy.complete(value);
                }
            });
        }
        if (future.isDone() && connection.inExecutor()) {
            deliver(future, then);
            return;
        }
        AtomicBoolean settled = new AtomicBoolean();
        ScheduledFuture<?> timer;
        try {
            timer = connection.executor().schedule(() -> {
                if (settled.compareAndSet(false, true)) {
                    then.accept(null, new TimeoutException("no result within " + timeout.toMillis() + " ms"));
                }
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            return;
        }
        CompletableFuture<T> awaited = future;
        awaited.whenComplete((value, failure) -> {
            try {
                connection.executor().execute(() -> {
                    if (settled.compareAndSet(false, true)) {
                        timer.cancel(false);
                        deliver(awaited, then);
                    }
                });
            } catch (RejectedExecutionException shuttingDown) {
                // The connection's event loop has stopped; so has everything that waited for this hook.
            }
        });
    }

    private static <T> void deliver(CompletableFuture<T> done, BiConsumer<T, Throwable> then) {
        T value;
        try {
            value = done.get();
        } catch (ExecutionException | CompletionException e) {
            then.accept(null, e.getCause() != null ? e.getCause() : e);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            then.accept(null, e);
            return;
        } catch (RuntimeException e) {
            then.accept(null, e);
            return;
        }
        if (value == null) {
            then.accept(null, new IllegalStateException("the hook's stage completed with null"));
        } else {
            then.accept(value, null);
        }
    }
}
