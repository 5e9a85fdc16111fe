package io.kanal.mesh.consume;

import io.kanal.mesh.api.VersionRange;
import io.kanal.mesh.upstream.Answer;
import io.kanal.mesh.upstream.BrokerAddress;
import io.kanal.mesh.upstream.UpstreamConnection;
import io.kanal.mesh.upstream.UpstreamConnector;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.net.Transport;
import io.kanal.testkafka.KraftTestCluster;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fetch and offsets through the mesh against real brokers: one consumer reads partitions of several clusters, and of
 * several brokers of one cluster, in one fetch loop, getting every record once and in order; a broker that is down
 * fails only its own partitions, and retriably.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FetchThroughMeshTest {

    private static KraftTestCluster apples;
    private static KraftTestCluster bananas;
    private static KraftTestCluster cherries;
    private static TestMesh mesh;
    private static UpstreamConnector raw;

    @BeforeAll
    static void start() throws Exception {
        apples = TestClusters.start("apples", 2);
        bananas = TestClusters.start("bananas", 1);
        cherries = TestClusters.start("cherries", 1);
        mesh = TestMesh.start(apples, bananas, cherries);
        raw = new UpstreamConnector(Transport.nio(), 1, Duration.ofSeconds(5), 16 * 1024 * 1024, 16);
    }

    @AfterAll
    static void stop() throws Exception {
        if (raw != null) {
            raw.close();
        }
        if (mesh != null) {
            mesh.close();
        }
        for (KraftTestCluster kafka : new KraftTestCluster[]{apples, bananas, cherries}) {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    @Test
    void assignedPartitionsOfTwoClustersAndTwoLeadersAreReadInOrder() throws Exception {
        List<Integer> appleBrokers = apples.brokerIds();
        apples.createTopic("apples.assign", Map.of(0, List.of(appleBrokers.get(0)), 1, List.of(appleBrokers.get(1))));
        bananas.createTopic("bananas.assign", 1);
        apples.produce("apples.assign", 0, "a0", 500);
        apples.produce("apples.assign", 1, "a1", 300);
        bananas.produce("bananas.assign", 0, "b0", 400);
        TopicPartition a0 = new TopicPartition("apples.assign", 0);
        TopicPartition a1 = new TopicPartition("apples.assign", 1);
        TopicPartition b0 = new TopicPartition("bananas.assign", 0);

        try (KafkaConsumer<String, String> consumer = MeshConsumers.consumer(mesh.bootstrapServers(),
                Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4096))) {
            consumer.assign(List.of(a0, a1, b0));
            consumer.seekToBeginning(List.of(a0, a1, b0));
            Map<TopicPartition, List<String>> read = MeshConsumers.pollUntil(consumer, Duration.ofSeconds(60),
                    got -> got.getOrDefault(a0, List.of()).size() >= 500
                            && got.getOrDefault(a1, List.of()).size() >= 300
                            && got.getOrDefault(b0, List.of()).size() >= 400);

            assertEquals(MeshConsumers.values("a0", 500), read.get(a0));
            assertEquals(MeshConsumers.values("a1", 300), read.get(a1));
            assertEquals(MeshConsumers.values("b0", 400), read.get(b0));
        }
    }

    @Test
    void offsetsAreListedByEachPartitionsLeader() throws Exception {
        apples.createTopic("apples.offsets", 1);
        bananas.createTopic("bananas.offsets", 1);
        apples.produce("apples.offsets", 0, "a", 12);
        bananas.produce("bananas.offsets", 0, "b", 7);
        TopicPartition a = new TopicPartition("apples.offsets", 0);
        TopicPartition b = new TopicPartition("bananas.offsets", 0);

        try (KafkaConsumer<String, String> consumer = MeshConsumers.consumer(mesh.bootstrapServers(), Map.of())) {
            assertEquals(Map.of(a, 12L, b, 7L), consumer.endOffsets(List.of(a, b)));
            assertEquals(Map.of(a, 0L, b, 0L), consumer.beginningOffsets(List.of(a, b)));
            Map<TopicPartition, OffsetAndTimestamp> byTime = consumer.offsetsForTimes(Map.of(a, 0L, b, 0L));
            assertEquals(0, byTime.get(a).offset());
            assertEquals(0, byTime.get(b).offset());
        }
    }

    @Test
    void dataFromOneClusterIsNotHeldBackByAnotherClustersLongPoll() throws Exception {
        apples.createTopic("apples.early", 1);
        bananas.createTopic("bananas.idle", 1);
        TopicPartition early = new TopicPartition("apples.early", 0);
        TopicPartition idle = new TopicPartition("bananas.idle", 0);
        try (KafkaConsumer<String, String> consumer = MeshConsumers.consumer(mesh.bootstrapServers(),
                Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 8_000))) {
            consumer.assign(List.of(early, idle));
            consumer.seekToEnd(List.of(early, idle));
            consumer.poll(Duration.ofMillis(500));

            CompletableFuture<Long> produced = CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(1_000);
                    apples.produce("apples.early", 0, "now", 1);
                    return System.nanoTime();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long received = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (received < 0 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    assertEquals("now-0", record.value());
                    received = System.nanoTime();
                }
            }
            long latencyMs = TimeUnit.NANOSECONDS.toMillis(received - produced.join());
            assertTrue(received > 0 && latencyMs < 4_000, "received " + latencyMs + " ms after it was produced, "
                    + "while bananas long-polled for 8 s");
        }
    }

    @Test
    void aConsumerInAReplicasRackReadsFromTheReplicaItsLeaderPrefers() throws Exception {
        int leader = apples.brokerIds().get(0);
        int follower = apples.brokerIds().get(1);
        apples.createTopic("apples.rack", Map.of(0, List.of(leader, follower)));
        apples.produce("apples.rack", 0, "r", 20);
        TopicPartition partition = new TopicPartition("apples.rack", 0);
        assertEquals(follower, preferredReplicaAdvice(apples, leader, "apples.rack", "rack-" + follower),
                "asked directly, the leader sends a consumer in the follower's rack there, with no records");

        try (KafkaConsumer<String, String> consumer = MeshConsumers.consumer(mesh.bootstrapServers(),
                Map.of(ConsumerConfig.CLIENT_RACK_CONFIG, "rack-" + follower))) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            Map<TopicPartition, List<String>> read = MeshConsumers.pollUntil(consumer, Duration.ofSeconds(60),
                    got -> got.getOrDefault(partition, List.of()).size() >= 20);

            assertEquals(MeshConsumers.values("r", 20), read.get(partition),
                    "the mesh followed the advice, which the client never sees");
        }
    }

    @Test
    void aBrokerThatIsDownFailsOnlyItsPartitionsRetriablyAndReadingResumesWhenItReturns() throws Exception {
        bananas.createTopic("bananas.flow", 1);
        cherries.createTopic("cherries.down", 1);
        bananas.produce("bananas.flow", 0, "before", 3);
        cherries.produce("cherries.down", 0, "before", 3);
        TopicPartition flow = new TopicPartition("bananas.flow", 0);
        TopicPartition down = new TopicPartition("cherries.down", 0);
        int broker = cherries.brokerIds().get(0);

        try (KafkaConsumer<String, String> consumer = MeshConsumers.consumer(mesh.bootstrapServers(), Map.of())) {
            consumer.assign(List.of(flow, down));
            consumer.seekToBeginning(List.of(flow, down));
            MeshConsumers.pollUntil(consumer, Duration.ofSeconds(60),
                    got -> got.getOrDefault(flow, List.of()).size() >= 3 && got.getOrDefault(down, List.of()).size() >= 3);

            cherries.stopBroker(broker);
            try {
                assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, firstPartitionErrorByName("cherries.down", 3));

                bananas.produce("bananas.flow", 0, "while", 5);
                Map<TopicPartition, List<String>> meanwhile = MeshConsumers.pollUntil(consumer, Duration.ofSeconds(30),
                        got -> got.getOrDefault(flow, List.of()).size() >= 5);
                assertEquals(MeshConsumers.values("while", 5), meanwhile.get(flow));
            } finally {
                cherries.startBroker(broker);
            }
            cherries.produce("cherries.down", 0, "after", 4);
            Map<TopicPartition, List<String>> after = MeshConsumers.pollUntil(consumer, Duration.ofSeconds(90),
                    got -> got.getOrDefault(down, List.of()).size() >= 4);
            assertEquals(MeshConsumers.values("after", 4), after.get(down));
        }
    }

    @Test
    void partitionsOfTopicsTheMeshDoesNotServeAreUnknownAndSessionsAreNotOffered() throws Exception {
        UpstreamConnection connection = raw.connect(new BrokerAddress("mesh",
                HostPort.parse(mesh.bootstrapServers())), "raw").toCompletableFuture().join();
        try {
            Answer<FetchResponseData> unknown = connection.<FetchResponseData>send(ApiKeys.FETCH, (short) 12,
                    fetch("durians.none", 0).setSessionEpoch(0), Duration.ofSeconds(10)).toCompletableFuture().join();
            try {
                PartitionData partition = unknown.body().responses().get(0).partitions().get(0);
                assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), partition.errorCode());
                assertEquals(0, unknown.body().sessionId(), "no fetch session: the client keeps sending full fetches");
            } finally {
                unknown.release();
            }

            Answer<FetchResponseData> incremental = connection.<FetchResponseData>send(ApiKeys.FETCH, (short) 12,
                    fetch("durians.none", 0).setSessionId(77).setSessionEpoch(3), Duration.ofSeconds(10))
                    .toCompletableFuture().join();
            assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(), incremental.body().errorCode());
            incremental.release();
        } finally {
            connection.close();
        }
    }

    @Test
    void theConsumeApisAreAdvertisedInTheVersionsTheMeshCanForward() {
        UpstreamConnection toMesh = raw.connect(new BrokerAddress("mesh", HostPort.parse(mesh.bootstrapServers())),
                "raw").toCompletableFuture().join();
        UpstreamConnection toBroker = raw.connect(new BrokerAddress("bananas",
                HostPort.parse(bananas.bootstrapServers())), "raw").toCompletableFuture().join();
        try {
            for (ApiKeys api : List.of(ApiKeys.FETCH, ApiKeys.LIST_OFFSETS, ApiKeys.OFFSET_FOR_LEADER_EPOCH,
                    ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT, ApiKeys.LEAVE_GROUP,
                    ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH, ApiKeys.CONSUMER_GROUP_HEARTBEAT,
                    ApiKeys.CONSUMER_GROUP_DESCRIBE, ApiKeys.DESCRIBE_GROUPS, ApiKeys.LIST_GROUPS,
                    ApiKeys.DELETE_GROUPS, ApiKeys.OFFSET_DELETE)) {
                VersionRange broker = toBroker.versions(api).orElseThrow();
                VersionRange advertised = toMesh.versions(api).orElseThrow(() -> new AssertionError(api
                        + " is not advertised"));
                assertEquals(broker.intersect(new VersionRange(api.oldestVersion(), api.latestVersion(false)))
                        .orElseThrow(), advertised, api.toString());
            }
            assertTrue(toMesh.versions(ApiKeys.TXN_OFFSET_COMMIT).isEmpty(), "transactions are not forwarded");
        } finally {
            toMesh.close();
            toBroker.close();
        }
    }

    private static int preferredReplicaAdvice(KraftTestCluster kafka, int leader, String topic, String rack)
            throws Exception {
        UpstreamConnection connection = raw.connect(new BrokerAddress(kafka.name(),
                HostPort.parse(kafka.address(leader))), "raw").toCompletableFuture().join();
        try {
            Uuid topicId = kafka.topicId(topic);
            FetchRequestData request = fetch(topic, 0).setRackId(rack);
            request.topics().get(0).setTopicId(topicId);
            Answer<FetchResponseData> answer = connection.<FetchResponseData>send(ApiKeys.FETCH, (short) 12,
                    request, Duration.ofSeconds(10)).toCompletableFuture().join();
            try {
                PartitionData partition = answer.body().responses().get(0).partitions().get(0);
                assertEquals(0, partition.records().sizeInBytes());
                return partition.preferredReadReplica();
            } finally {
                answer.release();
            }
        } finally {
            connection.close();
        }
    }

    private static Errors firstPartitionErrorByName(String topic, long offset) {
        UpstreamConnection connection = raw.connect(new BrokerAddress("mesh",
                HostPort.parse(mesh.bootstrapServers())), "raw").toCompletableFuture().join();
        try {
            long started = System.nanoTime();
            Answer<FetchResponseData> answer = connection.<FetchResponseData>send(ApiKeys.FETCH, (short) 12,
                    fetch(topic, offset), Duration.ofSeconds(30)).toCompletableFuture().join();
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            Errors error = Errors.forCode(answer.body().responses().get(0).partitions().get(0).errorCode());
            answer.release();
            assertTrue(tookMs < 10_000, "answered in " + tookMs + " ms, within a client's request timeout");
            return error;
        } finally {
            connection.close();
        }
    }

    private static FetchRequestData fetch(String topic, long offset) {
        return new FetchRequestData().setReplicaId(-1).setMaxWaitMs(500).setMinBytes(1).setMaxBytes(1_000_000)
                .setSessionEpoch(-1).setTopics(List.of(new FetchTopic().setTopic(topic).setPartitions(List.of(
                        new FetchPartition().setPartition(0).setFetchOffset(offset).setPartitionMaxBytes(100_000)))));
    }
}
