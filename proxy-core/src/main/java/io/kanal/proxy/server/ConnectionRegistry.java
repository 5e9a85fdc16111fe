package io.kanal.proxy.server;

import io.kanal.proxy.connection.ConnectionSettings;
import io.kanal.proxy.connection.ProxyConnection;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The open connections of one proxy process, so that shutdown can let them finish. */
final class ConnectionRegistry {

    private final OpenConnections<ProxyConnection> open =
            new OpenConnections<>(ProxyConnection::drain, ProxyConnection::forceClose);

    void add(ProxyConnection connection) {
        open.add(connection);
        for (Retirement retirement : retirements) {
            retirement.caughtLate(connection);
        }
    }

    void remove(ProxyConnection connection) {
        open.remove(connection);
        for (Retirement retirement : retirements) {
            retirement.closed(connection);
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
        return open.drain(grace);
    }

    // ---- Retiring the connections of listeners a reconfiguration replaced or removed ----

    /**
     * How long a finished retirement still drains connections of its listeners that register late: a connection the
     * operating system accepted just before its listener closed can reach the registry after the retirement began.
     */
    private static final Duration LATE_ARRIVALS = Duration.ofSeconds(30);
    /** How long after the forced close a retirement waits for the closed connections to report in. */
    private static final Duration FORCED_CLOSE_PATIENCE = Duration.ofSeconds(5);

    private final List<Retirement> retirements = new CopyOnWriteArrayList<>();

    /**
     * Drains, without waiting, the connections accepted with any of {@code settings} (the listeners of retired
     * virtual cluster endpoints): each finishes its outstanding requests and closes; what is still open after
     * {@code grace} is closed regardless. Connections with these settings that register later are drained at once.
     *
     * @param timer runs the deadline
     * @return completes, never exceptionally, with how many connections had to be closed with requests outstanding,
     *         once every connection it drains has closed
     */
    CompletableFuture<Integer> retire(Set<ConnectionSettings> settings, Duration grace,
                                      ScheduledExecutorService timer) {
        Retirement retirement = new Retirement(settings);
        retirements.add(retirement);
        retirement.done.whenComplete((forced, failure) -> schedule(timer, LATE_ARRIVALS,
                () -> retirements.remove(retirement)));
        // Registered before the snapshot: a connection added meanwhile is caught by one or the other, or both.
        open.stream().filter(retirement::covers).forEach(retirement::track);
        retirement.started = true;
        retirement.completeIfEmpty();
        if (!retirement.done.isDone()) {
            schedule(timer, grace, retirement::forceRemaining);
            schedule(timer, grace.plus(FORCED_CLOSE_PATIENCE), () -> retirement.done.complete(retirement.forced));
        }
        return retirement.done;
    }

    /** Gives up on every retirement still waiting; called once the event loops have stopped. */
    void abandonRetirements() {
        retirements.forEach(retirement -> retirement.done.complete(retirement.forced));
        retirements.clear();
    }

    private static void schedule(ScheduledExecutorService timer, Duration delay, Runnable task) {
        try {
            timer.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // The proxy is closing; abandonRetirements finishes what is left.
        }
    }

    private static final class Retirement {
        private final Set<ConnectionSettings> settings;
        private final Set<ProxyConnection> remaining = ConcurrentHashMap.newKeySet();
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        volatile boolean started;
        volatile int forced;

        Retirement(Set<ConnectionSettings> settings) {
            Set<ConnectionSettings> byIdentity = Collections.newSetFromMap(new IdentityHashMap<>());
            byIdentity.addAll(settings);
            this.settings = byIdentity;
        }

        boolean covers(ProxyConnection connection) {
            return settings.contains(connection.settings());
        }

        void track(ProxyConnection connection) {
            remaining.add(connection);
            connection.drain();
        }

        void caughtLate(ProxyConnection connection) {
            if (covers(connection)) {
                if (!done.isDone()) {
                    remaining.add(connection);
                }
                connection.drain();
            }
        }

        void closed(ProxyConnection connection) {
            if (remaining.remove(connection)) {
                completeIfEmpty();
            }
        }

        void completeIfEmpty() {
            if (started && remaining.isEmpty()) {
                done.complete(forced);
            }
        }

        void forceRemaining() {
            forced = remaining.size();
            remaining.forEach(connection -> connection.forceClose("its virtual cluster was reconfigured"));
        }
    }
}
