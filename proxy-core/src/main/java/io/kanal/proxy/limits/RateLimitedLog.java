package io.kanal.proxy.limits;

import org.slf4j.Logger;
import org.slf4j.event.Level;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Writes at most one line per interval; the next one written says how many were left out meanwhile. Keeps a flood
 * of hostile connections from flooding the log as well.
 */
public final class RateLimitedLog {

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final AtomicLong nextAllowed;
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger log, Duration interval) {
        this(log, interval, System::nanoTime);
    }

    RateLimitedLog(Logger log, Duration interval, LongSupplier clock) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
        this.nextAllowed = new AtomicLong(clock.getAsLong());
    }

    /** Logs {@code format} (slf4j style, exactly three arguments) at WARN unless one was logged too recently. */
    public void warn(String format, Object first, Object second, Object third) {
        write(Level.WARN, format, first, second, third);
    }

    /** Logs {@code format} (slf4j style, exactly three arguments) at ERROR unless one was logged too recently. */
    public void error(String format, Object first, Object second, Object third) {
        write(Level.ERROR, format, first, second, third);
    }

    private void write(Level level, String format, Object first, Object second, Object third) {
        long now = clock.getAsLong();
        long allowed = nextAllowed.get();
        if (now - allowed < 0 || !nextAllowed.compareAndSet(allowed, now + intervalNanos)) {
            suppressed.incrementAndGet();
            return;
        }
        long left = suppressed.getAndSet(0);
        if (left == 0) {
            log.atLevel(level).log(format, first, second, third);
        } else {
            log.atLevel(level).log(format + " ({} more like this since the last such line)", first, second, third,
                    left);
        }
    }
}
