package io.kanal.mesh.cluster;

import io.kanal.proxy.config.HostPort;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One upstream topic, as its cluster last described it.
 *
 * @param name       the topic's name
 * @param topicId    its id in its cluster; the mesh gives clients the same id, so requests by id find it
 * @param partitions its partitions, by index (element {@code i} is partition {@code i})
 */
public record TopicMetadata(String name, Uuid topicId, List<PartitionMetadata> partitions) {

    public TopicMetadata {
        partitions = List.copyOf(partitions);
    }

    /** The partition {@code index}, or empty when the topic has no such partition. */
    public Optional<PartitionMetadata> partition(int index) {
        return index >= 0 && index < partitions.size() ? Optional.of(partitions.get(index)) : Optional.empty();
    }

    static TopicMetadata of(TopicDescription description) {
        List<PartitionMetadata> partitions = new ArrayList<>(description.partitions().size());
        for (TopicPartitionInfo info : description.partitions()) {
            partitions.add(new PartitionMetadata(info.partition(), broker(info.leader()), ids(info.replicas()),
                    ids(info.isr())));
        }
        partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
        return new TopicMetadata(description.name(), description.topicId(), partitions);
    }

    static Optional<Broker> broker(Node node) {
        if (node == null || node.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Broker(node.id(), new HostPort(node.host(), node.port()),
                Optional.ofNullable(node.rack())));
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }
}
