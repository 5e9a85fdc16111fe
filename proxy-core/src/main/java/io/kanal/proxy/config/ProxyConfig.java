package io.kanal.proxy.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the protocol engine needs to run: its virtual clusters and the limits that keep it bounded.
 *
 * @param virtualClusters  at least one, with distinct names
 * @param maxFrameBytes    the largest request or response frame accepted, in bytes, size prefix excluded
 * @param connectTimeout   how long to wait for an upstream broker to accept a connection
 * @param shutdownGrace    how long a graceful shutdown lets in-flight requests finish
 * @param filterTimeout    how long one filter hook may take before its request fails
 */
public record ProxyConfig(
        List<VirtualClusterConfig> virtualClusters,
        int maxFrameBytes,
        Duration connectTimeout,
        Duration shutdownGrace,
        Duration filterTimeout) {

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
        if (virtualClusters.isEmpty()) {
            throw new IllegalArgumentException("no virtual clusters");
        }
        if (maxFrameBytes < 64) {
            throw new IllegalArgumentException("maxFrameBytes " + maxFrameBytes + " is below 64");
        }
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
}
