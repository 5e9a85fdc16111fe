package io.kanal.mesh.cluster;

import io.kanal.proxy.config.HostPort;

import java.util.Optional;

/**
 * One broker of an upstream cluster, as the cluster describes it.
 *
 * @param nodeId  the broker's id in its cluster
 * @param address where the cluster says clients reach it
 * @param rack    its rack, when configured
 */
public record Broker(int nodeId, HostPort address, Optional<String> rack) {
}
