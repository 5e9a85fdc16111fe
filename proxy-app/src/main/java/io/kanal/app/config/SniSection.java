package io.kanal.app.config;

/**
 * {@code sni} of a virtual cluster as written: route by the host name clients ask for in their TLS handshake.
 *
 * @param domain         shorthand: {@code bootstrap.<domain>} and {@code broker-{nodeId}.<domain>}
 * @param bootstrapHost  the bootstrap's host name; default {@code bootstrap.<domain>}
 * @param brokerHost     broker host names with {@code {nodeId}}; default {@code broker-{nodeId}.<domain>}
 * @param advertisedPort the port clients are told; default the bootstrap port
 */
record SniSection(String domain, String bootstrapHost, String brokerHost, Integer advertisedPort) {
}
