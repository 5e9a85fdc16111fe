package io.kanal.proxy.connection;

import io.kanal.proxy.config.HostPort;

/** Chooses the real broker one client connection is forwarded to; each connection has its own. */
@FunctionalInterface
public interface UpstreamSelector {

    /**
     * The address to try for the {@code attempt}-th time (0 first), or {@code null} when there is nothing (more) to
     * try; the client connection is then closed.
     */
    HostPort upstream(int attempt);
}
