package io.kanal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared cluster itself, without the proxy: if this fails, every proxy test's failure is meaningless. */
@SharedCluster
@Order(0)
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KafkaClusterFixtureTest {

    private static Admin admin;

    @BeforeAll
    static void connect(KafkaCluster cluster) {
        admin = cluster.directAdmin();
    }

    @AfterAll
    static void disconnect() {
        admin.close();
    }

    @Test
    void threeBrokersWithIdsZeroToTwoAdvertiseLoopback(KafkaCluster cluster) throws Exception {
        List<Node> nodes = List.copyOf(admin.describeCluster().nodes().get());

        assertEquals(Set.of(0, 1, 2), nodes.stream().map(Node::id).collect(Collectors.toSet()));
        assertEquals(Set.copyOf(cluster.brokerPorts().values()), nodes.stream().map(Node::port).collect(Collectors.toSet()));
        nodes.forEach(node -> assertEquals("127.0.0.1", node.host(), node.toString()));
    }

    @Test
    void theOnlyControllerIsASeparateNode() throws Exception {
        QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get();

        Set<Integer> voters = quorum.voters().stream().map(QuorumInfo.ReplicaState::replicaId).collect(Collectors.toSet());
        assertEquals(1, voters.size(), "voters " + voters);
        assertTrue(voters.stream().noneMatch(KafkaCluster.brokerIds()::contains), "a broker votes: " + voters);
    }

    @Test
    void kip848ConsumerGroupsAreEnabled() throws Exception {
        var groupVersion = admin.describeFeatures().featureMetadata().get().finalizedFeatures().get("group.version");

        assertTrue(groupVersion != null && groupVersion.maxVersionLevel() >= 1, "group.version " + groupVersion);
    }

    @Test
    void newTopicsAreReplicatedThreeTimesAndNeedTwoInSyncByDefault() throws Exception {
        String topic = Names.unique("default-rf");
        admin.createTopics(List.of(new NewTopic(topic, Optional.of(2), Optional.empty()))).all().get();

        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        description.partitions().forEach(p -> assertEquals(3, p.replicas().size(), p.toString()));
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        assertEquals("2", admin.describeConfigs(List.of(resource)).all().get().get(resource).get("min.insync.replicas").value());
    }

    @Test
    void producesAndConsumesDirectly(KafkaCluster cluster) throws Exception {
        String topic = Topics.create(admin, "direct", 3);
        int count = 300;
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrapServers(), Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i));
            }
            producer.flush();
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.bootstrapServers(), Map.of())) {
            consumer.assign(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2)));
            List<ConsumerRecord<String, String>> records = Consuming.atLeast(consumer, count, Duration.ofSeconds(60));

            Set<String> expected = IntStream.range(0, count).mapToObj(i -> "value-" + i).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(count, records.size(), "records consumed");
            assertEquals(expected, records.stream().map(ConsumerRecord::value).collect(Collectors.toCollection(TreeSet::new)));
        }
    }
}
