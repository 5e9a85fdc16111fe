package io.kanal.mesh.cluster;

import java.util.List;
import java.util.Optional;

/**
 * One partition of an upstream topic, as the cluster last described it.
 *
 * @param partition the partition index
 * @param leader    the broker that leads it; empty while it has no leader (offline)
 * @param replicas  the node ids of its replicas
 * @param isr       the node ids of its in-sync replicas
 */
public record PartitionMetadata(int partition, Optional<Broker> leader, List<Integer> replicas, List<Integer> isr) {

    public PartitionMetadata {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }
}
