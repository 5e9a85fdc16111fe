package io.kanal.proxy.server;

import io.kanal.proxy.connection.ProxyConnection;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The open connections of one proxy process, so that shutdown can let them finish. */
final class ConnectionRegistry {

    private final Set<ProxyConnection> open = ConcurrentHashMap.newKeySet();
    private final Object changed = new Object();

    void add(ProxyConnection connection) {
        open.add(connection);
    }

    void remove(ProxyConnection connection) {
        open.remove(connection);
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    int size() {
        return open.size();
    }

    /**
     * Asks every connection to finish its outstanding requests, waits up to {@code grace} for them to close, then
     * closes what is left.
     *
     * @return how many connections had to be closed with requests outstanding
     */
    int drain(Duration grace) throws InterruptedException {
        open.forEach(ProxyConnection::drain);
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (changed) {
            long remaining;
            while (!open.isEmpty() && (remaining = deadline - System.nanoTime()) > 0) {
                changed.wait(Math.max(1, remaining / 1_000_000));
            }
        }
        int forced = open.size();
        open.forEach(ProxyConnection::forceClose);
        return forced;
    }
}
