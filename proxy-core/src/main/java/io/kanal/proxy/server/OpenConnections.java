package io.kanal.proxy.server;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The connections a server accepted and has not yet seen close, so that shutdown can let them finish. A connection is
 * {@link #add added} when accepted and {@link #remove removed} once closed, from any thread.
 *
 * @param <C> the connection type
 */
public final class OpenConnections<C> {

    private final Set<C> open = ConcurrentHashMap.newKeySet();
    private final Object changed = new Object();
    private final Consumer<? super C> finish;
    private final Consumer<? super C> forceClose;

    /**
     * @param finish     asks one connection, without waiting, to stop reading, answer what it has outstanding and
     *                   close
     * @param forceClose closes one connection, without waiting, answered or not
     */
    public OpenConnections(Consumer<? super C> finish, Consumer<? super C> forceClose) {
        this.finish = finish;
        this.forceClose = forceClose;
    }

    /** Records a connection just accepted. */
    public void add(C connection) {
        open.add(connection);
    }

    /** Forgets a connection that closed, and wakes a {@link #drain} waiting for it. */
    public void remove(C connection) {
        open.remove(connection);
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    /** How many connections are open. */
    public int size() {
        return open.size();
    }

    /** The connections open now; ones added or removed meanwhile may or may not be seen. */
    public Stream<C> stream() {
        return open.stream();
    }

    /**
     * Asks every connection to finish its outstanding requests, waits up to {@code grace} for them to close, then
     * closes what is left.
     *
     * @return how many connections had to be closed with requests outstanding
     */
    public int drain(Duration grace) throws InterruptedException {
        open.forEach(finish);
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (changed) {
            long remaining;
            while (!open.isEmpty() && (remaining = deadline - System.nanoTime()) > 0) {
                changed.wait(Math.max(1, remaining / 1_000_000));
            }
        }
        int forced = open.size();
        open.forEach(forceClose);
        return forced;
    }
}
