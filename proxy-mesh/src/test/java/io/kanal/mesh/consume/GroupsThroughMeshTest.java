package io.kanal.mesh.consume;

import io.kanal.mesh.upstream.BrokerAddress;
import io.kanal.mesh.upstream.UpstreamConnection;
import io.kanal.mesh.upstream.UpstreamConnector;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.net.Transport;
import io.kanal.testkafka.KraftTestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InconsistentGroupProtocolException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consumer groups through the mesh against real brokers: a group's requests reach the coordinator of the cluster its
 * topics live in, its offsets are committed there, and a group spanning clusters is refused with an error the Java
 * consumer throws.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GroupsThroughMeshTest {

    private static KraftTestCluster apples;
    private static KraftTestCluster bananas;
    private static TestMesh mesh;

    @BeforeAll
    static void start() throws Exception {
        apples = TestClusters.start("apples", 1);
        bananas = TestClusters.start("bananas", 1);
        mesh = TestMesh.start(apples, bananas);
    }

    @AfterAll
    static void stop() throws Exception {
        if (mesh != null) {
            mesh.close();
        }
        for (KraftTestCluster kafka : new KraftTestCluster[]{apples, bananas}) {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    @Test
    void aClassicGroupCommitsInItsClusterAndResumesFromThere() throws Exception {
        groupCommitsInItsClusterAndResumes("classic", "bananas.classic", bananas);
    }

    @Test
    void aKip848GroupCommitsInItsClusterAndResumesFromThere() throws Exception {
        groupCommitsInItsClusterAndResumes("consumer", "apples.kip848", apples);
    }

    private static void groupCommitsInItsClusterAndResumes(String protocol, String topic, KraftTestCluster owner)
            throws Exception {
        owner.createTopic(topic, 2);
        owner.produce(topic, 0, "p0", 50);
        owner.produce(topic, 1, "p1", 30);
        String group = topic + ".group";
        Map<String, Object> settings = Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);

        try (KafkaConsumer<String, String> consumer = MeshConsumers.consumer(mesh.bootstrapServers(), settings)) {
            consumer.subscribe(List.of(topic));
            Map<TopicPartition, List<String>> read = MeshConsumers.pollUntil(consumer, Duration.ofSeconds(60),
                    got -> got.getOrDefault(p0, List.of()).size() >= 50
                            && got.getOrDefault(p1, List.of()).size() >= 30);
            assertEquals(MeshConsumers.values("p0", 50), read.get(p0));
            assertEquals(MeshConsumers.values("p1", 30), read.get(p1));
            consumer.commitSync();
        }
        try (Admin direct = owner.admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = direct.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertEquals(50, committed.get(p0).offset(), "committed in " + owner);
            assertEquals(30, committed.get(p1).offset(), "committed in " + owner);
        }

        owner.produce(topic, 0, "later", 5);
        try (KafkaConsumer<String, String> consumer = MeshConsumers.consumer(mesh.bootstrapServers(), settings)) {
            consumer.subscribe(List.of(topic));
            Map<TopicPartition, List<String>> read = MeshConsumers.pollUntil(consumer, Duration.ofSeconds(60),
                    got -> got.getOrDefault(p0, List.of()).size() >= 5);
            assertEquals(MeshConsumers.values("later", 5), read.get(p0), "resumed from the committed offsets");
            assertFalse(read.containsKey(p1), "nothing new in " + p1 + ": " + read.get(p1));
        }
    }

    @Test
    void aClassicGroupSpanningClustersIsRefusedAtOnce() throws Exception {
        apples.createTopic("apples.span-classic", 1);
        bananas.createTopic("bananas.span-classic", 1);
        try (KafkaConsumer<String, String> consumer = MeshConsumers.consumer(mesh.bootstrapServers(),
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, "span-classic",
                        ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic"))) {
            consumer.subscribe(List.of("apples.span-classic", "bananas.span-classic"));
            KafkaException refused = assertThrows(KafkaException.class, () -> pollFor(consumer, Duration.ofSeconds(30)));
            assertInstanceOf(InconsistentGroupProtocolException.class, refused, refused::toString);
        }
    }

    @Test
    void aKip848GroupSpanningClustersIsRefusedWithAMessageNamingTheClusters() throws Exception {
        apples.createTopic("apples.span-848", 1);
        bananas.createTopic("bananas.span-848", 1);
        try (KafkaConsumer<String, String> consumer = MeshConsumers.consumer(mesh.bootstrapServers(),
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, "span-848",
                        ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer"))) {
            consumer.subscribe(List.of("apples.span-848", "bananas.span-848"));
            KafkaException refused = assertThrows(KafkaException.class, () -> pollFor(consumer, Duration.ofSeconds(30)));
            assertInstanceOf(InvalidRequestException.class, refused, refused::toString);
            assertTrue(refused.getMessage().contains("'apples' (apples.span-848)")
                    && refused.getMessage().contains("'bananas' (bananas.span-848)"), refused.getMessage());
        }
    }

    @Test
    void offsetsCommittedOutsideGroupMembershipAreKeptWithEachTopicsCluster() throws Exception {
        apples.createTopic("apples.assign-commit", 1);
        bananas.createTopic("bananas.assign-commit", 1);
        apples.produce("apples.assign-commit", 0, "a", 10);
        bananas.produce("bananas.assign-commit", 0, "b", 20);
        TopicPartition a = new TopicPartition("apples.assign-commit", 0);
        TopicPartition b = new TopicPartition("bananas.assign-commit", 0);
        String group = "assign-commit";

        try (KafkaConsumer<String, String> consumer = MeshConsumers.consumer(mesh.bootstrapServers(),
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            consumer.assign(List.of(a, b));
            MeshConsumers.pollUntil(consumer, Duration.ofSeconds(60),
                    got -> got.getOrDefault(a, List.of()).size() >= 10 && got.getOrDefault(b, List.of()).size() >= 20);
            consumer.commitSync(Map.of(a, new OffsetAndMetadata(7), b, new OffsetAndMetadata(13)));

            Map<TopicPartition, OffsetAndMetadata> throughMesh = consumer.committed(Set.of(a, b));
            assertEquals(7, throughMesh.get(a).offset());
            assertEquals(13, throughMesh.get(b).offset());
        }
        assertEquals(Map.of(a, 7L), committedDirectly(apples, group));
        assertEquals(Map.of(b, 13L), committedDirectly(bananas, group));
        try (Admin admin = meshAdmin()) {
            Map<TopicPartition, OffsetAndMetadata> all = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertEquals(Map.of(a, 7L, b, 13L), all.entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().offset())));
        }
    }

    @Test
    void aGroupMembersCommitSpanningClustersIsRefusedAndNothingIsCommitted() throws Exception {
        apples.createTopic("apples.member-span", 1);
        bananas.createTopic("bananas.member-span", 1);
        UpstreamConnector connector = new UpstreamConnector(Transport.nio(), 1, Duration.ofSeconds(5), 1 << 20, 4);
        try {
            UpstreamConnection connection = connector.connect(new BrokerAddress("mesh",
                    HostPort.parse(mesh.bootstrapServers())), "raw").toCompletableFuture().join();
            OffsetCommitRequestData commit = new OffsetCommitRequestData().setGroupId("member-span")
                    .setGenerationIdOrMemberEpoch(3).setMemberId("member-1").setTopics(List.of(
                            commitOf("apples.member-span", 5), commitOf("bananas.member-span", 6)));

            OffsetCommitResponseData answer = connection.<OffsetCommitResponseData>send(ApiKeys.OFFSET_COMMIT,
                    (short) 9, commit, Duration.ofSeconds(10)).toCompletableFuture().join().body();

            assertEquals(List.of(Errors.INVALID_REQUEST.code(), Errors.INVALID_REQUEST.code()),
                    answer.topics().stream().map(topic -> topic.partitions().get(0).errorCode()).toList());
            connection.close();
        } finally {
            connector.close();
        }
        assertTrue(committedDirectly(apples, "member-span").isEmpty());
        assertTrue(committedDirectly(bananas, "member-span").isEmpty());
    }

    private static OffsetCommitRequestData.OffsetCommitRequestTopic commitOf(String topic, long offset) {
        return new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                        .setCommittedOffset(offset)));
    }

    @Test
    void adminClientsListDescribeAndDeleteGroupsThroughTheMesh() throws Exception {
        bananas.createTopic("bananas.admin", 1);
        bananas.produce("bananas.admin", 0, "x", 3);
        String group = "admin-group";
        TopicPartition partition = new TopicPartition("bananas.admin", 0);
        try (KafkaConsumer<String, String> consumer = MeshConsumers.consumer(mesh.bootstrapServers(),
                     Map.of(ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic"));
             Admin admin = meshAdmin()) {
            consumer.subscribe(List.of("bananas.admin"));
            MeshConsumers.pollUntil(consumer, Duration.ofSeconds(60),
                    got -> got.getOrDefault(partition, List.of()).size() >= 3);
            consumer.commitSync();

            Collection<GroupListing> listed = admin.listGroups().all().get(30, TimeUnit.SECONDS);
            assertTrue(listed.stream().anyMatch(listing -> listing.groupId().equals(group)), listed::toString);
            ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group)).describedGroups()
                    .get(group).get(30, TimeUnit.SECONDS);
            assertEquals(GroupState.STABLE, described.groupState());
            assertEquals(1, described.members().size());
            assertEquals(Set.of(partition), described.members().iterator().next().assignment().topicPartitions());
        }
        try (Admin admin = meshAdmin()) {
            admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS);
        }
        try (Admin direct = bananas.admin()) {
            assertTrue(direct.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).isEmpty(), "deleted in bananas");
        }
    }

    @Test
    void aClassicGroupTheMeshNeverSawIsFoundInTheClusterWhereItHasMembers() throws Exception {
        groupTheMeshNeverSawIsFound("classic");
    }

    @Test
    void aKip848GroupTheMeshNeverSawIsFoundInTheClusterWhereItHasMembers() throws Exception {
        groupTheMeshNeverSawIsFound("consumer");
    }

    /** As after a restart of the mesh: the group's members are in a cluster the mesh has not learned. */
    private static void groupTheMeshNeverSawIsFound(String protocol) throws Exception {
        String topic = "bananas.direct-" + protocol;
        bananas.createTopic(topic, 1);
        bananas.produce(topic, 0, "d", 2);
        String group = "direct-" + protocol;
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> direct = MeshConsumers.consumer(bananas.bootstrapServers(),
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol));
             Admin admin = meshAdmin()) {
            direct.subscribe(List.of(topic));
            MeshConsumers.pollUntil(direct, Duration.ofSeconds(60),
                    got -> got.getOrDefault(partition, List.of()).size() >= 2);
            direct.commitSync();

            ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group)).describedGroups()
                    .get(group).get(30, TimeUnit.SECONDS);
            assertEquals(GroupState.STABLE, described.groupState(), described::toString);
            assertEquals(1, described.members().size());
            assertEquals(2, admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).get(partition).offset());
        }
    }

    @Test
    void aMemberKeepsItsGenerationWhenTheMeshRestartsAndNoLongerKnowsItsGroup() throws Exception {
        bananas.createTopic("bananas.restart", 1);
        TopicPartition partition = new TopicPartition("bananas.restart", 0);
        TestMesh first = TestMesh.start(apples, bananas);
        int port = first.port();
        String bootstrap = first.bootstrapServers();
        TestMesh second = null;
        try (KafkaConsumer<String, String> consumer = MeshConsumers.consumer(bootstrap, Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "restart-group", ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic",
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500))) {
            consumer.subscribe(List.of("bananas.restart"));
            bananas.produce("bananas.restart", 0, "before", 1);
            MeshConsumers.pollUntil(consumer, Duration.ofSeconds(60),
                    got -> got.getOrDefault(partition, List.of()).size() >= 1);
            int generation = consumer.groupMetadata().generationId();
            double joins = coordinatorMetric(consumer, "join-total");

            first.close();
            second = TestMesh.start(port, Optional.empty(), apples, bananas);
            bananas.produce("bananas.restart", 0, "after", 3);
            Map<TopicPartition, List<String>> read = MeshConsumers.pollUntil(consumer, Duration.ofSeconds(60),
                    got -> got.getOrDefault(partition, List.of()).size() >= 3);
            double heartbeats = coordinatorMetric(consumer, "heartbeat-total");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (coordinatorMetric(consumer, "heartbeat-total") < heartbeats + 3 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200));
            }

            assertEquals(MeshConsumers.values("after", 3), read.get(partition));
            assertTrue(coordinatorMetric(consumer, "heartbeat-total") >= heartbeats + 3, "heartbeats went on");
            assertEquals(joins, coordinatorMetric(consumer, "join-total"),
                    "the new mesh found the group where its member is, instead of making it join again");
            assertEquals(generation, consumer.groupMetadata().generationId());
        } finally {
            if (second != null) {
                second.close();
            }
        }
    }

    private static double coordinatorMetric(KafkaConsumer<String, String> consumer, String name) {
        return consumer.metrics().entrySet().stream()
                .filter(entry -> entry.getKey().name().equals(name)
                        && entry.getKey().group().equals("consumer-coordinator-metrics"))
                .mapToDouble(entry -> ((Number) entry.getValue().metricValue()).doubleValue())
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + name));
    }

    private static void pollFor(KafkaConsumer<String, String> consumer, Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200));
        }
    }

    private static Map<TopicPartition, Long> committedDirectly(KraftTestCluster kafka, String group) throws Exception {
        try (Admin direct = kafka.admin()) {
            return direct.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().offset()));
        }
    }

    private static Admin meshAdmin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, mesh.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }
}
