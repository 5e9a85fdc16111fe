package io.kanal.proxy.config;

import io.kanal.proxy.sasl.SaslSettings;

import java.util.List;
import java.util.Objects;

/**
 * One virtual cluster: where clients connect, the address they are told, and the real cluster behind it.
 *
 * @param name                   unique among the proxy's virtual clusters; appears in logs and metrics
 * @param bootstrap              the listen address of the bootstrap port; broker ports follow it
 * @param advertisedHost         the host clients are told to connect to for every broker
 * @param nodeIds                the broker node ids that get a port, see {@link NodeIdRange}
 * @param targetBootstrapServers the real cluster's bootstrap servers, tried in turn
 * @param filters                the filter chain, in the order requests pass it; responses pass it backwards
 * @param sasl                   whether the proxy authenticates clients itself, and logs in to the brokers
 */
public record VirtualClusterConfig(
        String name,
        HostPort bootstrap,
        String advertisedHost,
        NodeIdRange nodeIds,
        List<HostPort> targetBootstrapServers,
        List<NamedFilter> filters,
        SaslSettings sasl) {

    public VirtualClusterConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bootstrap, "bootstrap");
        Objects.requireNonNull(advertisedHost, "advertisedHost");
        Objects.requireNonNull(nodeIds, "nodeIds");
        targetBootstrapServers = List.copyOf(targetBootstrapServers);
        filters = List.copyOf(filters);
        Objects.requireNonNull(sasl, "sasl");
        if (targetBootstrapServers.isEmpty()) {
            throw new IllegalArgumentException("virtual cluster " + name + " has no target bootstrap servers");
        }
    }

    /** A virtual cluster that passes SASL through. */
    public VirtualClusterConfig(String name, HostPort bootstrap, String advertisedHost, NodeIdRange nodeIds,
                                List<HostPort> targetBootstrapServers, List<NamedFilter> filters) {
        this(name, bootstrap, advertisedHost, nodeIds, targetBootstrapServers, filters, SaslSettings.NONE);
    }

    /** A virtual cluster without filters. */
    public VirtualClusterConfig(String name, HostPort bootstrap, String advertisedHost, NodeIdRange nodeIds,
                                List<HostPort> targetBootstrapServers) {
        this(name, bootstrap, advertisedHost, nodeIds, targetBootstrapServers, List.of());
    }

    /** The port broker {@code nodeId} listens on, for a node id inside {@link #nodeIds()}. */
    public int brokerPort(int bootstrapPort, int nodeId) {
        if (!nodeIds.contains(nodeId)) {
            throw new IllegalArgumentException("node id " + nodeId + " is outside " + nodeIds);
        }
        return bootstrapPort + 1 + (nodeId - nodeIds.first());
    }
}
