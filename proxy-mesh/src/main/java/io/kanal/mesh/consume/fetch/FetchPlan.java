package io.kanal.mesh.consume.fetch;

import io.kanal.mesh.cluster.Broker;
import io.kanal.mesh.consume.TopicLocation;
import io.kanal.mesh.consume.TopicLocation.PartitionTarget;
import io.kanal.mesh.upstream.BrokerAddress;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A client's Fetch split by the broker each partition is read from: its leader, or the replica its leader preferred
 * for this client. Each part becomes one sessionless full fetch to that broker; partitions that cannot be read (topic
 * unknown, no leader) are answered with their error without asking anyone.
 */
final class FetchPlan {

    /** The first Fetch version that names topics by id. */
    static final short TOPIC_ID_VERSION = 13;
    /** The first Fetch version with the last fetched epoch, which older versions cannot carry. */
    private static final short LAST_FETCHED_EPOCH_VERSION = 12;

    /**
     * One partition the client asked for.
     *
     * @param location    where its topic lives, or why it cannot be read
     * @param topicName   the topic's name; {@code null} for an id the mesh does not know
     * @param topicId     the topic's id; {@link Uuid#ZERO_UUID} for a name the mesh does not know
     * @param asked       the client's request for it
     * @param target      the broker to read it from, or the error it is answered with
     * @param fromReplica whether that broker is a replica its leader preferred rather than the leader
     */
    record Slot(TopicLocation location, String topicName, Uuid topicId, FetchPartition asked,
                PartitionTarget target, boolean fromReplica) {

        int partition() {
            return asked.partition();
        }

        ReadReplicas.Key replicaKey() {
            return new ReadReplicas.Key(location.cluster().name(), topicName, asked.partition());
        }
    }

    /**
     * One topic of the client's request, with its partitions in the client's order.
     *
     * @param name  the topic's name, or {@code null} when asked by an id the mesh does not know
     * @param id    the topic's id, or {@link Uuid#ZERO_UUID} when asked by a name the mesh does not know
     * @param slots its partitions
     */
    record Topic(String name, Uuid id, List<Slot> slots) {
    }

    /**
     * What one broker is asked.
     *
     * @param broker the broker
     * @param slots  the partitions read from it, in the client's order
     */
    record Part(BrokerAddress broker, List<Slot> slots) {

        /** What makes two parts ask the same thing, so that an answer to one serves the other. */
        Signature signature(FetchRequestData client) {
            List<Signature.Partition> partitions = new ArrayList<>(slots.size());
            for (Slot slot : slots) {
                FetchPartition asked = slot.asked();
                partitions.add(new Signature.Partition(slot.topicId(), slot.topicName(), asked.partition(),
                        asked.fetchOffset(), asked.currentLeaderEpoch(), asked.lastFetchedEpoch(),
                        asked.partitionMaxBytes()));
            }
            return new Signature(client.isolationLevel(), client.rackId(), partitions);
        }

        /**
         * The request to the broker, in {@code version}: a sessionless full fetch (session 0, epoch -1), with the
         * client's wait, minimum bytes, isolation level and rack, and {@code maxBytes} for its share of the response.
         * Topics carry both name and id, so either version family can be written.
         */
        FetchRequestData request(short version, FetchRequestData client, int maxBytes) {
            Map<String, FetchTopic> topics = new LinkedHashMap<>();
            for (Slot slot : slots) {
                FetchTopic topic = topics.computeIfAbsent(slot.topicName(), name -> new FetchTopic()
                        .setTopic(name).setTopicId(slot.topicId()));
                FetchPartition asked = slot.asked();
                topic.partitions().add(new FetchPartition()
                        .setPartition(asked.partition())
                        .setCurrentLeaderEpoch(asked.currentLeaderEpoch())
                        .setFetchOffset(asked.fetchOffset())
                        .setLastFetchedEpoch(version >= LAST_FETCHED_EPOCH_VERSION ? asked.lastFetchedEpoch() : -1)
                        .setLogStartOffset(-1)
                        .setPartitionMaxBytes(asked.partitionMaxBytes()));
            }
            return new FetchRequestData()
                    .setReplicaId(-1)
                    .setMaxWaitMs(client.maxWaitMs())
                    .setMinBytes(client.minBytes())
                    .setMaxBytes(maxBytes)
                    .setIsolationLevel(client.isolationLevel())
                    .setSessionId(0)
                    .setSessionEpoch(-1)
                    .setTopics(new ArrayList<>(topics.values()))
                    .setRackId(client.rackId());
        }
    }

    /** See {@link Part#signature}. */
    record Signature(byte isolationLevel, String rackId, List<Partition> partitions) {

        record Partition(Uuid topicId, String topic, int partition, long fetchOffset, int currentLeaderEpoch,
                         int lastFetchedEpoch, int maxBytes) {
        }
    }

    private final List<Topic> topics;
    private final Map<BrokerAddress, Part> parts;

    private FetchPlan(List<Topic> topics, Map<BrokerAddress, Part> parts) {
        this.topics = topics;
        this.parts = parts;
    }

    /**
     * Splits {@code request}.
     *
     * @param version  the client's Fetch version: from {@link #TOPIC_ID_VERSION} topics are named by id
     * @param located  where each of the request's topics lives
     * @param replicas the replicas leaders preferred for this client's partitions
     */
    static FetchPlan of(FetchRequestData request, short version, Function<FetchTopic, TopicLocation> located,
                        ReadReplicas replicas) {
        List<Topic> topics = new ArrayList<>(request.topics().size());
        Map<BrokerAddress, List<Slot>> byBroker = new LinkedHashMap<>();
        for (FetchTopic asked : request.topics()) {
            TopicLocation location = located.apply(asked);
            String name = location.isFound() ? location.name() : version >= TOPIC_ID_VERSION ? null : asked.topic();
            Uuid id = location.isFound() ? location.topicId()
                    : version >= TOPIC_ID_VERSION ? asked.topicId() : Uuid.ZERO_UUID;
            List<Slot> slots = new ArrayList<>(asked.partitions().size());
            for (FetchPartition partition : asked.partitions()) {
                Slot slot = slot(location, name, id, partition, replicas);
                slots.add(slot);
                if (slot.target().isFound()) {
                    byBroker.computeIfAbsent(slot.target().broker(), broker -> new ArrayList<>()).add(slot);
                }
            }
            topics.add(new Topic(name, id, slots));
        }
        Map<BrokerAddress, Part> parts = new LinkedHashMap<>();
        byBroker.forEach((broker, slots) -> parts.put(broker, new Part(broker, List.copyOf(slots))));
        return new FetchPlan(List.copyOf(topics), parts);
    }

    private static Slot slot(TopicLocation location, String name, Uuid id, FetchPartition asked,
                             ReadReplicas replicas) {
        PartitionTarget leader = location.leaderOf(asked.partition(), Errors.NOT_LEADER_OR_FOLLOWER);
        if (!leader.isFound()) {
            return new Slot(location, name, id, asked, leader, false);
        }
        Optional<Broker> replica = replicas.preferred(new ReadReplicas.Key(location.cluster().name(), name,
                        asked.partition()))
                .flatMap(nodeId -> Optional.ofNullable(location.cluster().metadata().brokers().get(nodeId)));
        if (replica.isPresent() && !replica.get().address().equals(leader.broker().address())) {
            return new Slot(location, name, id, asked, PartitionTarget.to(new BrokerAddress(
                    location.cluster().name(), replica.get().address())), true);
        }
        return new Slot(location, name, id, asked, leader, false);
    }

    /** The client's topics, in its order. */
    List<Topic> topics() {
        return topics;
    }

    /** What each broker is asked, in the order the brokers first appear in the request. */
    Map<BrokerAddress, Part> parts() {
        return parts;
    }
}
