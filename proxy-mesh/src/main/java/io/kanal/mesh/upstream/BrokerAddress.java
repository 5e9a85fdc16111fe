package io.kanal.mesh.upstream;

import io.kanal.proxy.config.HostPort;

import java.util.Objects;

/**
 * One broker of an upstream cluster, as the mesh connects to it.
 *
 * @param cluster the name of the cluster in the mesh's configuration
 * @param address where the broker listens
 */
public record BrokerAddress(String cluster, HostPort address) {

    public BrokerAddress {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(address, "address");
    }

    @Override
    public String toString() {
        return address + " of cluster '" + cluster + "'";
    }
}
