package io.kanal.it;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waits for a condition by polling it, so tests wait exactly as long as the system needs and fail when it never happens. */
public final class Await {

    private static final long POLL_MILLIS = 100;

    private Await() {
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} when {@code timeout} passes first. */
    public static void until(Duration timeout, String what, Callable<Boolean> condition) {
        result(timeout, () -> what, condition, Boolean.TRUE::equals);
    }

    /**
     * Polls {@code probe} until its value satisfies {@code done} and returns that value. A probe that throws counts as
     * not done yet: clusters and proxies answer with transient errors while they settle. The failure message carries
     * the last value or exception seen, which is what a reader needs to see why the wait failed.
     */
    public static <T> T result(Duration timeout, Supplier<String> what, Callable<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object last = null;
        while (true) {
            try {
                T value = probe.call();
                if (done.test(value)) {
                    return value;
                }
                last = value;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what.get(), e);
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError failure = new AssertionError(
                        "timed out after " + timeout.toSeconds() + "s waiting for " + what.get() + "; last seen: " + last);
                if (last instanceof Throwable cause) {
                    failure.initCause(cause);
                }
                throw failure;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what.get(), e);
            }
        }
    }
}
