package io.kanal.mesh.config;

import io.kanal.proxy.config.HostPort;

import java.util.Objects;

/**
 * Where the mesh listens and what it tells clients about itself. The mesh is the only broker its clients see: every
 * Metadata answer names one broker, with {@code nodeId} at {@code advertisedHost:advertisedPort}.
 *
 * @param bind           the address to listen on; port 0 takes a free port
 * @param advertisedHost the host clients are told to connect to; never a wildcard address
 * @param advertisedPort the port clients are told to connect to; 0 means the port actually bound
 * @param nodeId         the broker id the mesh claims in Metadata and FindCoordinator answers
 */
public record MeshListenerConfig(HostPort bind, String advertisedHost, int advertisedPort, int nodeId) {

    /** The node id a mesh claims unless configured otherwise. */
    public static final int DEFAULT_NODE_ID = 0;

    public MeshListenerConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(advertisedHost, "advertisedHost");
        if (advertisedHost.isBlank()) {
            throw new IllegalArgumentException("advertisedHost is empty");
        }
        if (advertisedPort < 0 || advertisedPort > 65535) {
            throw new IllegalArgumentException("advertisedPort " + advertisedPort + " is outside 0-65535");
        }
        if (nodeId < 0) {
            throw new IllegalArgumentException("nodeId " + nodeId + " is negative");
        }
    }

    /** The port clients are told, given the port the listener actually bound. */
    public int advertisedPort(int boundPort) {
        return advertisedPort == 0 ? boundPort : advertisedPort;
    }
}
