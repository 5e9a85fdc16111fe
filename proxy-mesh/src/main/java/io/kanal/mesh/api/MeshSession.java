package io.kanal.mesh.api;

import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One client connection to the mesh, as handlers see it: who it is, the thread that serves it, state handlers keep
 * for it, and what runs when it closes.
 */
public interface MeshSession {

    /** The client's address. */
    InetSocketAddress clientAddress();

    /** The client id of the connection's first request, or {@code null} when it sent none. */
    String clientId();

    /**
     * The connection's event loop: handlers are called on it, close callbacks run on it, and work a handler schedules
     * on it never races with the connection's own. Never block it.
     */
    ScheduledExecutorService executor();

    /** Whether {@link #executor()} is the current thread. */
    boolean inExecutor();

    /** Whether the connection has closed; its responses are dropped from then on. */
    boolean isClosed();

    /**
     * Runs {@code callback} on the event loop once the connection has closed, for releasing what a handler holds for
     * it (upstream connections, group memberships); when the connection has closed already, it runs soon on the event
     * loop (or at once on the calling thread when the event loop is gone). Callbacks run in the order they were added;
     * one that throws is logged and does not stop the others.
     */
    void onClose(Runnable callback);

    /**
     * The value this connection keeps under {@code key}, made by the key's factory on first use. Call it on the event
     * loop; the value lives as long as the connection (release what it holds with {@link #onClose}).
     */
    <T> T state(SessionKey<T> key);
}
