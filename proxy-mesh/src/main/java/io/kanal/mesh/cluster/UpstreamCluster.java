package io.kanal.mesh.cluster;

import io.kanal.mesh.config.ProducerProperties;
import io.kanal.mesh.config.UpstreamClusterConfig;

import java.util.Map;

/** One cluster behind the mesh: its configuration and what the mesh knows about it. */
public final class UpstreamCluster {

    private final UpstreamClusterConfig config;
    private final ClusterMetadata metadata;

    UpstreamCluster(UpstreamClusterConfig config, ClusterMetadata metadata) {
        this.config = config;
        this.metadata = metadata;
    }

    public String name() {
        return config.name();
    }

    public UpstreamClusterConfig config() {
        return config;
    }

    /** The cluster's brokers and topics as the mesh last learned them. */
    public ClusterMetadata metadata() {
        return metadata;
    }

    /**
     * How many partitions of {@code topic} the mesh advertises: the real count, or the configured
     * {@code partitionCount} when that is smaller. Partitions beyond it are neither advertised nor accepted.
     */
    public int advertisedPartitions(TopicMetadata topic) {
        int real = topic.partitions().size();
        return config.partitionCount().isPresent() ? Math.min(real, config.partitionCount().getAsInt()) : real;
    }

    /**
     * The kafka-clients properties any client of the mesh's own needs to reach this cluster: bootstrap servers and
     * the configured security settings.
     */
    public Map<String, Object> connectionProperties() {
        return ProducerProperties.connection(config);
    }

    @Override
    public String toString() {
        return "mesh cluster '" + name() + "' (" + config.bootstrapServersText() + ")";
    }
}
