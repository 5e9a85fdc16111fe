package io.kanal.proxy.config;

import io.kanal.proxy.sasl.SaslSettings;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One virtual cluster: where clients connect, the address they are told, and the real cluster behind it.
 *
 * @param name                   unique among the proxy's virtual clusters; appears in logs and metrics
 * @param bootstrap              the listen address of the bootstrap port; broker ports follow it
 * @param advertisedHost         the host clients are told to connect to for every broker
 * @param nodeIds                the broker node ids that get a port, see {@link NodeIdRange}
 * @param targetBootstrapServers the real cluster's bootstrap servers, tried in turn
 * @param filters                the filter chain, in the order requests pass it; responses pass it backwards
 * @param tls                    TLS for clients; empty for plaintext
 * @param sni                    SNI routing, which replaces the port per broker with one TLS port and host names per
 *                               broker (needs {@code tls}; {@code advertisedHost} and {@code nodeIds} are then unused);
 *                               empty for a port per broker
 * @param targetTls              TLS to the target cluster's brokers; empty for plaintext
 * @param sasl                   whether the proxy authenticates clients itself, and logs in to the brokers
 */
public record VirtualClusterConfig(
        String name,
        HostPort bootstrap,
        String advertisedHost,
        NodeIdRange nodeIds,
        List<HostPort> targetBootstrapServers,
        List<NamedFilter> filters,
        Optional<DownstreamTlsConfig> tls,
        Optional<SniConfig> sni,
        Optional<UpstreamTlsConfig> targetTls,
        SaslSettings sasl) {

    public VirtualClusterConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bootstrap, "bootstrap");
        Objects.requireNonNull(advertisedHost, "advertisedHost");
        Objects.requireNonNull(nodeIds, "nodeIds");
        targetBootstrapServers = List.copyOf(targetBootstrapServers);
        filters = List.copyOf(filters);
        Objects.requireNonNull(sasl, "sasl");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(sni, "sni");
        Objects.requireNonNull(targetTls, "targetTls");
        if (targetBootstrapServers.isEmpty()) {
            throw new IllegalArgumentException("virtual cluster " + name + " has no target bootstrap servers");
        }
        if (sni.isPresent() && tls.isEmpty()) {
            throw new IllegalArgumentException("virtual cluster " + name + " routes by SNI, which needs TLS");
        }
    }

    /** A virtual cluster in plaintext both ways, with a port per broker, that passes SASL through. */
    public VirtualClusterConfig(String name, HostPort bootstrap, String advertisedHost, NodeIdRange nodeIds,
                                List<HostPort> targetBootstrapServers, List<NamedFilter> filters) {
        this(name, bootstrap, advertisedHost, nodeIds, targetBootstrapServers, filters, Optional.empty(),
                Optional.empty(), Optional.empty(), SaslSettings.NONE);
    }

    /** A virtual cluster without filters. */
    public VirtualClusterConfig(String name, HostPort bootstrap, String advertisedHost, NodeIdRange nodeIds,
                                List<HostPort> targetBootstrapServers) {
        this(name, bootstrap, advertisedHost, nodeIds, targetBootstrapServers, List.of());
    }

    /** This virtual cluster with TLS for clients. */
    public VirtualClusterConfig withTls(DownstreamTlsConfig value) {
        return new VirtualClusterConfig(name, bootstrap, advertisedHost, nodeIds, targetBootstrapServers, filters,
                Optional.of(value), sni, targetTls, sasl);
    }

    /** This virtual cluster routing by SNI on its bootstrap port; it needs {@link #withTls TLS} too. */
    public VirtualClusterConfig withSni(SniConfig value) {
        return new VirtualClusterConfig(name, bootstrap, advertisedHost, nodeIds, targetBootstrapServers, filters, tls,
                Optional.of(value), targetTls, sasl);
    }

    /** This virtual cluster connecting to its target cluster with TLS. */
    public VirtualClusterConfig withTargetTls(UpstreamTlsConfig value) {
        return new VirtualClusterConfig(name, bootstrap, advertisedHost, nodeIds, targetBootstrapServers, filters, tls,
                sni, Optional.of(value), sasl);
    }

    /** This virtual cluster with {@code value} for authenticating clients and logging in to the brokers. */
    public VirtualClusterConfig withSasl(SaslSettings value) {
        return new VirtualClusterConfig(name, bootstrap, advertisedHost, nodeIds, targetBootstrapServers, filters, tls,
                sni, targetTls, value);
    }

    /** The port broker {@code nodeId} listens on, for a node id inside {@link #nodeIds()}. */
    public int brokerPort(int bootstrapPort, int nodeId) {
        if (!nodeIds.contains(nodeId)) {
            throw new IllegalArgumentException("node id " + nodeId + " is outside " + nodeIds);
        }
        return bootstrapPort + 1 + (nodeId - nodeIds.first());
    }
}
