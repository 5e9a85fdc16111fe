package io.kanal.mesh.consume;

import io.kanal.mesh.cluster.Broker;
import io.kanal.mesh.cluster.PartitionMetadata;
import io.kanal.mesh.cluster.TopicMetadata;
import io.kanal.mesh.cluster.UpstreamCluster;
import io.kanal.mesh.upstream.BrokerAddress;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

import java.util.Optional;

/**
 * Where a topic a client named lives: its cluster and that cluster's description of it, or the error that says why
 * the mesh cannot serve it.
 *
 * @param cluster the cluster the rules route the topic to; {@code null} when {@code error} is set
 * @param topic   the cluster's description; {@code null} when {@code error} is set
 * @param error   {@link Errors#NONE} when the topic was found
 */
public record TopicLocation(UpstreamCluster cluster, TopicMetadata topic, Errors error) {

    public static TopicLocation found(UpstreamCluster cluster, TopicMetadata topic) {
        return new TopicLocation(cluster, topic, Errors.NONE);
    }

    public static TopicLocation missing(Errors error) {
        return new TopicLocation(null, null, error);
    }

    public boolean isFound() {
        return error == Errors.NONE;
    }

    /** The topic's name; only when found. */
    public String name() {
        return topic.name();
    }

    /** The topic's id in its cluster; only when found. */
    public Uuid topicId() {
        return topic.topicId();
    }

    /**
     * The broker that leads {@code partition}, or the error a client is told: UNKNOWN_TOPIC_OR_PARTITION for a
     * partition the mesh does not advertise, {@code noLeader} for one without a leader.
     */
    public PartitionTarget leaderOf(int partition, Errors noLeader) {
        if (!isFound()) {
            return PartitionTarget.failed(error);
        }
        if (partition < 0 || partition >= cluster.advertisedPartitions(topic)) {
            return PartitionTarget.failed(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        Optional<Broker> leader = topic.partition(partition).flatMap(PartitionMetadata::leader);
        return leader.map(broker -> PartitionTarget.to(new BrokerAddress(cluster.name(), broker.address())))
                .orElseGet(() -> PartitionTarget.failed(noLeader));
    }

    /**
     * Where one partition's request goes, or the error it is answered with.
     *
     * @param broker the broker to ask; {@code null} when {@code error} is set
     * @param error  {@link Errors#NONE} when there is a broker to ask
     */
    public record PartitionTarget(BrokerAddress broker, Errors error) {

        public static PartitionTarget to(BrokerAddress broker) {
            return new PartitionTarget(broker, Errors.NONE);
        }

        public static PartitionTarget failed(Errors error) {
            return new PartitionTarget(null, error);
        }

        public boolean isFound() {
            return error == Errors.NONE;
        }
    }
}
