package io.kanal.mesh.config;

import io.kanal.proxy.config.HostPort;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One Kafka cluster behind the mesh.
 *
 * @param name             unique among the mesh's clusters; rules name it
 * @param bootstrapServers where the cluster's producer and admin client bootstrap
 * @param partitionCount   when present, the most partitions the mesh advertises for any topic of this cluster; a
 *                         topic with fewer partitions upstream is advertised with its real count
 * @param producer         settings passed to the cluster's kafka-clients producer, checked by
 *                         {@link ProducerProperties#check}; the security settings among them ({@code security.*},
 *                         {@code ssl.*}, {@code sasl.*}) also reach the cluster's admin client
 */
public record UpstreamClusterConfig(String name, List<HostPort> bootstrapServers, OptionalInt partitionCount,
                                    Map<String, String> producer) {

    public UpstreamClusterConfig {
        Objects.requireNonNull(name, "name");
        bootstrapServers = List.copyOf(bootstrapServers);
        Objects.requireNonNull(partitionCount, "partitionCount");
        producer = Map.copyOf(producer);
        if (name.isBlank()) {
            throw new IllegalArgumentException("cluster name is empty");
        }
        if (bootstrapServers.isEmpty()) {
            throw new IllegalArgumentException("cluster '" + name + "' has no bootstrap servers");
        }
        if (partitionCount.isPresent() && partitionCount.getAsInt() < 1) {
            throw new IllegalArgumentException("cluster '" + name + "': partitionCount " + partitionCount.getAsInt()
                    + " is below 1");
        }
    }

    /** {@code host:port,host:port}, as kafka-clients' {@code bootstrap.servers} takes it. */
    public String bootstrapServersText() {
        return String.join(",", bootstrapServers.stream().map(HostPort::toString).toList());
    }
}
