package io.kanal.proxy.sasl;

import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that check client credentials and take the costly steps of the proxy's own logins, away from the event
 * loops: checking a PLAIN password or logging in with SCRAM derives a key, which takes milliseconds on purpose, and
 * an OAUTHBEARER login may read its token file; a flood of password guesses must not slow down the traffic of clients
 * that have logged in. Half the cores at most; a full queue fails the authentication rather than waiting. Idle
 * threads end, so a proxy without SASL runs none.
 */
final class SaslWorkers {

    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    private static final int QUEUE = 1024;
    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();
    private static final ThreadPoolExecutor EXECUTOR = executor();

    private SaslWorkers() {
    }

    private static ThreadPoolExecutor executor() {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), runnable -> {
                    Thread thread = new Thread(runnable, "kanal-sasl-" + THREAD_NUMBER.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    /** One step of a SASL exchange. */
    @FunctionalInterface
    interface Step<T> {
        T run() throws SaslException;
    }

    /** Runs {@code server.evaluateResponse(token)} on a worker; completes with the server's answer or its failure. */
    static CompletableFuture<byte[]> evaluate(SaslServer server, byte[] token) {
        return run(() -> server.evaluateResponse(token));
    }

    /**
     * Runs {@code step} on a worker; completes with its result, or exceptionally with a {@link CompletionException}
     * around its failure.
     */
    static <T> CompletableFuture<T> run(Step<T> step) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return step.run();
                } catch (SaslException e) {
                    throw new CompletionException(e);
                }
            }, EXECUTOR);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new SaslException("the proxy has too many authentications queued"));
        }
    }
}
