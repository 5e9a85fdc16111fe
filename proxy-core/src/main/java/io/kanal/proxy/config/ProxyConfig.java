package io.kanal.proxy.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the protocol engine needs to run: its virtual clusters and the limits that keep it bounded.
 *
 * @param virtualClusters  with distinct names; none when the process only runs a mesh
 * @param maxFrameBytes    the largest request or response frame accepted, in bytes, size prefix excluded
 * @param connectTimeout   how long to wait for an upstream broker to accept a connection
 * @param shutdownGrace    how long a graceful shutdown lets in-flight requests finish
 * @param filterTimeout    how long one filter hook may take before its request fails
 * @param limits           what one client, one client address and all clients together may use
 */
public record ProxyConfig(
        List<VirtualClusterConfig> virtualClusters,
        int maxFrameBytes,
        Duration connectTimeout,
        Duration shutdownGrace,
        Duration filterTimeout,
        Limits limits) {

    /** Kafka's own default for {@code socket.request.max.bytes}: 100 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 100 * 1024 * 1024;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
    /** Below the 30 s default request timeout of Kafka's clients, so a stuck filter fails before the client gives up. */
    public static final Duration DEFAULT_FILTER_TIMEOUT = Duration.ofSeconds(20);

    public ProxyConfig {
        virtualClusters = List.copyOf(virtualClusters);
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(filterTimeout, "filterTimeout");
        Objects.requireNonNull(limits, "limits");
        if (maxFrameBytes < 64) {
            throw new IllegalArgumentException("maxFrameBytes " + maxFrameBytes + " is below 64");
        }
    }

    /** A config with the default connection limits. */
    public ProxyConfig(List<VirtualClusterConfig> virtualClusters, int maxFrameBytes, Duration connectTimeout,
                       Duration shutdownGrace, Duration filterTimeout) {
        this(virtualClusters, maxFrameBytes, connectTimeout, shutdownGrace, filterTimeout, Limits.DEFAULT);
    }

    /** A config with the default filter timeout. */
    public ProxyConfig(List<VirtualClusterConfig> virtualClusters, int maxFrameBytes, Duration connectTimeout,
                       Duration shutdownGrace) {
        this(virtualClusters, maxFrameBytes, connectTimeout, shutdownGrace, DEFAULT_FILTER_TIMEOUT);
    }

    /** A config with default limits. */
    public static ProxyConfig of(List<VirtualClusterConfig> virtualClusters) {
        return new ProxyConfig(virtualClusters, DEFAULT_MAX_FRAME_BYTES, DEFAULT_CONNECT_TIMEOUT, DEFAULT_SHUTDOWN_GRACE,
                DEFAULT_FILTER_TIMEOUT);
    }

    /** This config with other connection limits. */
    public ProxyConfig withLimits(Limits limits) {
        return new ProxyConfig(virtualClusters, maxFrameBytes, connectTimeout, shutdownGrace, filterTimeout, limits);
    }

    /**
     * What clients may use of the proxy. Exceeding {@code maxConnections}, {@code maxConnectionsPerIp} or
     * {@code idleTimeout} closes the one connection concerned; {@code maxInFlightRequests} only pauses reading.
     *
     * @param maxInFlightRequests  requests one client connection may have outstanding before the proxy stops reading
     *                             it (back-pressure, not a close)
     * @param maxConnections       client connections the whole process accepts at once, over every virtual cluster
     *                             and port; a connection beyond it is closed as soon as it is accepted
     * @param maxConnectionsPerIp  client connections accepted at once from one client IP address
     * @param idleTimeout          a client connection with no bytes in either direction for this long is closed;
     *                             {@link Duration#ZERO} never closes one
     */
    public record Limits(int maxInFlightRequests, int maxConnections, int maxConnectionsPerIp, Duration idleTimeout) {

        /** The limit that was hard-coded before it could be configured; it never holds back a well-behaved client. */
        public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 512;
        /** Each client connection also holds a broker connection, so this is 20,000 sockets. */
        public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
        /** No per-address limit beyond the total, so that clients behind one NAT address or a sidecar still work. */
        public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = DEFAULT_MAX_CONNECTIONS;
        /** Kafka's own {@code connections.max.idle.ms}; Kafka's clients close idle connections after 9 minutes. */
        public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);

        public static final Limits DEFAULT = new Limits(DEFAULT_MAX_IN_FLIGHT_REQUESTS, DEFAULT_MAX_CONNECTIONS,
                DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_IDLE_TIMEOUT);

        public Limits {
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            if (maxInFlightRequests < 1) {
                throw new IllegalArgumentException("maxInFlightRequests " + maxInFlightRequests + " is below 1");
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections " + maxConnections + " is below 1");
            }
            if (maxConnectionsPerIp < 1) {
                throw new IllegalArgumentException("maxConnectionsPerIp " + maxConnectionsPerIp + " is below 1");
            }
            if (idleTimeout.isNegative()) {
                throw new IllegalArgumentException("idleTimeout " + idleTimeout + " is negative");
            }
        }

        public Limits withMaxInFlightRequests(int value) {
            return new Limits(value, maxConnections, maxConnectionsPerIp, idleTimeout);
        }

        public Limits withMaxConnections(int value) {
            return new Limits(maxInFlightRequests, value, maxConnectionsPerIp, idleTimeout);
        }

        public Limits withMaxConnectionsPerIp(int value) {
            return new Limits(maxInFlightRequests, maxConnections, value, idleTimeout);
        }

        public Limits withIdleTimeout(Duration value) {
            return new Limits(maxInFlightRequests, maxConnections, maxConnectionsPerIp, value);
        }
    }
}
