package io.kanal.filters.topicpolicy;

import io.kanal.filter.testkit.FilterHarness;
import io.kanal.filter.testkit.OutOfBandRequest;
import io.kanal.filter.testkit.RequestResult;
import io.kanal.filter.testkit.ResponseResult;
import io.kanal.filters.testing.Yaml;
import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.KafkaApi;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicPolicyFilterTest {

    private static final String FILTER = "policy";
    private static final String ALLOW = "allow: [\"orders\\\\..*\", audit]";
    /** The cluster's topics, by id. */
    private static final Map<Uuid, String> TOPICS = new LinkedHashMap<>();
    private static final Map<String, Uuid> IDS = new HashMap<>();

    static {
        for (String name : List.of("orders.eu", "audit", "secret", "payroll", "audit2")) {
            Uuid id = Uuid.randomUuid();
            TOPICS.put(id, name);
            IDS.put(name, id);
        }
    }

    @ParameterizedTest(name = "produce v{0}")
    @ValueSource(shorts = {3, 8, 12, 13})
    void allowedTopicsPassUntouched(short version) {
        ProduceRequestData request = produce(version, linked("orders.eu", List.of(0, 1), "audit", List.of(4)));
        try (FilterHarness harness = policy().build()) {
            RequestResult<ProduceRequestData, ProduceResponseData> result =
                    harness.request(KafkaApi.PRODUCE, version, request);

            assertFalse(result.changed(), "the bytes the client sent go on");
            assertEquals(request, result.forwarded());
            ProduceResponseData fromBroker = new ProduceResponseData();
            fromBroker.responses().add(topicResponse(version, "orders.eu", ok(0, 10L), ok(1, 20L)));
            fromBroker.responses().add(topicResponse(version, "audit", ok(4, 30L)));
            ResponseResult<ProduceResponseData> answer = result.brokerResponds(fromBroker);
            assertFalse(answer.changed(), "the broker's answer goes to the client as it came");
            assertEquals(fromBroker, answer.response());
        }
    }

    @ParameterizedTest(name = "produce v{0}")
    @ValueSource(shorts = {3, 8, 12, 13})
    void requestsNamingOnlyDeniedTopicsAreAnsweredByTheFilter(short version) {
        try (FilterHarness harness = policy().build()) {
            ProduceResponseData response = harness.request(KafkaApi.PRODUCE, version,
                    produce(version, linked("secret", List.of(3, 0), "payroll", List.of(7)))).response();

            assertEquals(2, response.responses().size());
            assertDenied(response, version, "secret", 3, 0);
            assertDenied(response, version, "payroll", 7);
            assertEquals(Map.of(Errors.TOPIC_AUTHORIZATION_FAILED, 3), errorCounts(response));
        }
    }

    @ParameterizedTest(name = "produce v{0}")
    @ValueSource(shorts = {3, 8, 12, 13})
    void mixedRequestsForwardTheAllowedTopicsAndMergeTheDeniedOnesIntoTheResponse(short version) {
        ProduceRequestData request = produce(version, linked(
                "orders.eu", List.of(0, 3), "secret", List.of(1, 4), "audit", List.of(2)));
        MemoryRecords ordersRecords = (MemoryRecords) partitionsOf(request, "orders.eu", version).get(0).records();
        try (FilterHarness harness = policy().build()) {
            RequestResult<ProduceRequestData, ProduceResponseData> result =
                    harness.request(KafkaApi.PRODUCE, version, request);

            assertTrue(result.changed());
            ProduceRequestData forwarded = result.forwarded();
            assertEquals(2, forwarded.topicData().size());
            assertEquals(List.of(0, 3), indexes(partitionsOf(forwarded, "orders.eu", version)));
            assertEquals(List.of(2), indexes(partitionsOf(forwarded, "audit", version)));
            assertEquals(ordersRecords.buffer(),
                    ((MemoryRecords) partitionsOf(forwarded, "orders.eu", version).get(0).records()).buffer());
            assertEquals(request.acks(), forwarded.acks());
            assertEquals(request.timeoutMs(), forwarded.timeoutMs());
            assertEquals(request.transactionalId(), forwarded.transactionalId());

            // the broker answers the reduced request
            ProduceResponseData fromBroker = new ProduceResponseData().setThrottleTimeMs(5);
            fromBroker.responses().add(topicResponse(version, "orders.eu",
                    ok(0, 100L), new PartitionProduceResponse().setIndex(3)
                            .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()).setBaseOffset(-1L)));
            fromBroker.responses().add(topicResponse(version, "audit", ok(2, 7L)));
            ResponseResult<ProduceResponseData> answer = result.brokerResponds(fromBroker);

            assertTrue(answer.changed());
            ProduceResponseData merged = answer.response();
            assertEquals(3, merged.responses().size());
            assertEquals(5, merged.throttleTimeMs());
            List<PartitionProduceResponse> orders = find(merged, version, "orders.eu").partitionResponses();
            assertEquals(List.of(0, 3), orders.stream().map(PartitionProduceResponse::index).toList());
            assertEquals(100L, orders.get(0).baseOffset());
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), orders.get(1).errorCode());
            assertEquals(7L, find(merged, version, "audit").partitionResponses().get(0).baseOffset());
            assertDenied(merged, version, "secret", 1, 4);
            assertEquals(Map.of(Errors.NONE, 2, Errors.NOT_LEADER_OR_FOLLOWER, 1,
                    Errors.TOPIC_AUTHORIZATION_FAILED, 2), errorCounts(merged));
        }
    }

    @Test
    void withAcksZeroDeniedPartitionsAreDropped() {
        short version = 12;
        ProduceRequestData mixed = produce(version, linked("secret", List.of(0), "audit", List.of(1)));
        mixed.setAcks((short) 0);
        ProduceRequestData denied = produce(version, linked("secret", List.of(0)));
        denied.setAcks((short) 0);
        try (FilterHarness harness = policy().build()) {
            RequestResult<ProduceRequestData, ProduceResponseData> result =
                    harness.request(KafkaApi.PRODUCE, version, mixed);

            assertTrue(result.changed());
            assertEquals(List.of("audit"), result.forwarded().topicData().stream().map(TopicProduceData::name)
                    .toList());
            assertEquals(0, result.forwarded().acks());
            assertEquals(RequestResult.Kind.DROPPED, harness.request(KafkaApi.PRODUCE, version, denied).kind(),
                    "a request nobody waits for and nothing of which may go on reaches no one");
        }
    }

    @Test
    void onlyProduceRequestsAreChecked() {
        MetadataRequestData metadata = new MetadataRequestData().setAllowAutoTopicCreation(false);
        metadata.topics().add(new MetadataRequestTopic().setName("secret"));
        CreateTopicsRequestData createTopics = new CreateTopicsRequestData().setTimeoutMs(5000);
        createTopics.topics().add(new CreatableTopic().setName("secret").setNumPartitions(1)
                .setReplicationFactor((short) 1));
        try (FilterHarness harness = policy().build()) {
            RequestResult<MetadataRequestData, MetadataResponseData> metadataResult =
                    harness.request(KafkaApi.METADATA, (short) 12, metadata);
            RequestResult<CreateTopicsRequestData, CreateTopicsResponseData> createResult =
                    harness.request(KafkaApi.CREATE_TOPICS, (short) 7, createTopics);

            assertFalse(metadataResult.changed());
            assertEquals(metadata, metadataResult.forwarded());
            assertFalse(createResult.changed());
            assertEquals(createTopics, createResult.forwarded());
            assertTrue(harness.outOfBandRequests().isEmpty());
        }
    }

    @Test
    void topicIdsAreResolvedWithOneMetadataRequestAndRemembered() {
        short version = 13;
        try (FilterHarness harness = policy().build()) {
            RequestResult<ProduceRequestData, ProduceResponseData> first = harness.request(KafkaApi.PRODUCE, version,
                    produce(version, linked("orders.eu", List.of(0), "secret", List.of(1))));

            assertEquals(1, harness.outOfBandRequests().size());
            OutOfBandRequest lookup = harness.outOfBandRequests().get(0);
            assertEquals(ApiKeys.METADATA, lookup.api());
            assertEquals(12, lookup.version());
            MetadataRequestData metadata = (MetadataRequestData) lookup.request();
            assertFalse(metadata.allowAutoTopicCreation());
            assertEquals(List.of(IDS.get("orders.eu"), IDS.get("secret")),
                    metadata.topics().stream().map(MetadataRequestTopic::topicId).toList());
            assertTrue(metadata.topics().stream().allMatch(t -> t.name() == null));
            assertEquals(List.of(IDS.get("orders.eu")),
                    first.forwarded().topicData().stream().map(TopicProduceData::topicId).toList());

            RequestResult<ProduceRequestData, ProduceResponseData> second = harness.request(KafkaApi.PRODUCE,
                    version, produce(version, linked("secret", List.of(2), "orders.eu", List.of(0))));
            assertEquals(1, harness.outOfBandRequests().size(), "names are remembered");
            assertEquals(List.of(IDS.get("orders.eu")),
                    second.forwarded().topicData().stream().map(TopicProduceData::topicId).toList());

            ProduceResponseData answer = harness.request(KafkaApi.PRODUCE, version,
                    produce(version, linked("secret", List.of(2), "payroll", List.of(0)))).response();
            assertEquals(2, harness.outOfBandRequests().size(), "only the id not seen before is looked up");
            assertEquals(List.of(IDS.get("payroll")), ((MetadataRequestData) harness.outOfBandRequests().get(1)
                    .request()).topics().stream().map(MetadataRequestTopic::topicId).toList());
            assertDenied(answer, version, "secret", 2);
            assertDenied(answer, version, "payroll", 0);
        }
    }

    @Test
    void topicIdsTheBrokerDoesNotKnowAreAnsweredWithUnknownTopicIdAndLookedUpAgain() {
        short version = 13;
        Uuid unknown = Uuid.randomUuid();
        ProduceRequestData request = produce(version, linked("audit", List.of(0)));
        request.topicData().add(byId(unknown, 5));
        try (FilterHarness harness = policy().build()) {
            RequestResult<ProduceRequestData, ProduceResponseData> result =
                    harness.request(KafkaApi.PRODUCE, version, request);

            assertEquals(List.of(IDS.get("audit")),
                    result.forwarded().topicData().stream().map(TopicProduceData::topicId).toList());
            ProduceResponseData fromBroker = new ProduceResponseData();
            fromBroker.responses().add(topicResponse(version, "audit", ok(0, 1L)));
            ProduceResponseData merged = result.brokerResponds(fromBroker).response();
            assertUnknownTopicId(merged, unknown, 5);

            ProduceRequestData again = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
            again.topicData().add(byId(unknown, 5));
            ProduceResponseData retried = harness.request(KafkaApi.PRODUCE, version, again).response();
            assertEquals(2, harness.outOfBandRequests().size(), "unknown ids are not remembered");
            assertUnknownTopicId(retried, unknown, 5);
        }
    }

    @Test
    void aFailedLookupFailsTheRequestWithAnErrorForEveryPartition() {
        // no broker answers the lookup
        try (FilterHarness harness = FilterHarness.builder()
                .filter(FILTER, new TopicPolicyFactory(), Yaml.valid(ALLOW, TopicPolicyConfig.class)).build()) {
            ProduceResponseData response = harness.request(KafkaApi.PRODUCE, (short) 13,
                    produce((short) 13, linked("orders.eu", List.of(0, 1)))).response();

            assertEquals(1, harness.outOfBandRequests().size());
            List<PartitionProduceResponse> partitions = find(response, (short) 13, "orders.eu").partitionResponses();
            // the engine's error response is Kafka's own, which lists a topic's partitions in no particular order
            assertEquals(List.of(0, 1), partitions.stream().map(PartitionProduceResponse::index).sorted().toList());
            for (PartitionProduceResponse partition : partitions) {
                assertEquals(Errors.UNKNOWN_SERVER_ERROR.code(), partition.errorCode());
            }
            assertEquals(1.0, harness.meterRegistry().get("kanal.filter.failures")
                    .tags("filter", FILTER, "stage", "request").counter().count());
        }
    }

    @Test
    void concurrentLookupsOfTheSameIdBothDecideCorrectly() throws Exception {
        // Two connections share the virtual cluster's filter; the broker answers neither lookup before it has both.
        Filter shared = new TopicPolicyFilter(List.of(Pattern.compile("audit")));
        CountDownLatch bothAsked = new CountDownLatch(2);
        AtomicInteger overlapping = new AtomicInteger();
        Function<MetadataRequestData, MetadataResponseData> slowBroker = request -> {
            bothAsked.countDown();
            try {
                if (bothAsked.await(5, TimeUnit.SECONDS)) {
                    overlapping.incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return metadataAnswer(request);
        };
        try (FilterHarness one = FilterHarness.builder().filter(FILTER, shared)
                .broker(KafkaApi.METADATA, slowBroker).build();
             FilterHarness other = FilterHarness.builder().filter(FILTER, shared)
                     .broker(KafkaApi.METADATA, slowBroker).build()) {
            CompletableFuture<ProduceResponseData> first = CompletableFuture.supplyAsync(() -> one.request(
                    KafkaApi.PRODUCE, (short) 13, produce((short) 13, linked("secret", List.of(0)))).response());
            ProduceResponseData second = other.request(KafkaApi.PRODUCE, (short) 13,
                    produce((short) 13, linked("secret", List.of(0)))).response();

            ProduceResponseData firstResponse = first.get(10, TimeUnit.SECONDS);

            assertEquals(2, overlapping.get(), "both lookups were outstanding at once");
            assertDenied(firstResponse, (short) 13, "secret", 0);
            assertDenied(second, (short) 13, "secret", 0);
            assertEquals(1, one.outOfBandRequests().size());
            assertEquals(1, other.outOfBandRequests().size());
        }
    }

    @Test
    void patternsMustMatchTheWholeName() {
        Map<String, Boolean> allowed = new LinkedHashMap<>();
        for (String name : List.of("orders.eu", "orders.", "audit")) {
            allowed.put(name, true);
        }
        for (String name : List.of("orders", "ordersXeu", "audit2", "xaudit", "my.orders.eu")) {
            allowed.put(name, false);
        }
        try (FilterHarness harness = policy().build()) {
            allowed.forEach((name, expected) -> {
                RequestResult<ProduceRequestData, ProduceResponseData> result = harness.request(KafkaApi.PRODUCE,
                        (short) 12, produce((short) 12, linked(name, List.of(0))));
                if (expected) {
                    assertEquals(RequestResult.Kind.FORWARDED, result.kind(), name);
                } else {
                    assertDenied(result.response(), (short) 12, name, 0);
                }
            });
        }
    }

    // ---- helpers

    /** A producer's connection through the policy {@link #ALLOW}; the broker knows the topics of {@link #TOPICS}. */
    private static FilterHarness.Builder policy() {
        return FilterHarness.builder().virtualCluster("vc").clientId("producer-1")
                .filter(FILTER, new TopicPolicyFactory(), Yaml.valid(ALLOW, TopicPolicyConfig.class))
                .broker(KafkaApi.METADATA, TopicPolicyFilterTest::metadataAnswer);
    }

    /** What a broker answers: names for the ids it knows, UNKNOWN_TOPIC_ID for the others. */
    private static MetadataResponseData metadataAnswer(MetadataRequestData request) {
        MetadataResponseData response = new MetadataResponseData();
        for (MetadataRequestTopic topic : request.topics()) {
            String name = TOPICS.get(topic.topicId());
            response.topics().add(new MetadataResponseData.MetadataResponseTopic()
                    .setTopicId(topic.topicId())
                    .setName(name)
                    .setErrorCode(name == null ? Errors.UNKNOWN_TOPIC_ID.code() : Errors.NONE.code()));
        }
        return response;
    }

    /** The error counts as kafka-clients takes them from the response. */
    private static Map<Errors, Integer> errorCounts(ProduceResponseData response) {
        return new ProduceResponse(response).errorCounts();
    }

    private static Map<String, List<Integer>> linked(Object... namesAndPartitions) {
        Map<String, List<Integer>> topics = new LinkedHashMap<>();
        for (int i = 0; i < namesAndPartitions.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<Integer> partitions = (List<Integer>) namesAndPartitions[i + 1];
            topics.put((String) namesAndPartitions[i], partitions);
        }
        return topics;
    }

    /** A produce request naming topics by name up to v12, by id from v13. */
    private static ProduceRequestData produce(short version, Map<String, List<Integer>> topics) {
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
        topics.forEach((name, partitions) -> {
            TopicProduceData topic = version >= 13
                    ? new TopicProduceData().setTopicId(IDS.get(name)) : new TopicProduceData().setName(name);
            for (int partition : partitions) {
                topic.partitionData().add(new PartitionProduceData().setIndex(partition)
                        .setRecords(records(name + "-" + partition)));
            }
            request.topicData().add(topic);
        });
        return request;
    }

    private static TopicProduceData byId(Uuid id, int partition) {
        return new TopicProduceData().setTopicId(id).setPartitionData(new ArrayList<>(List.of(
                new PartitionProduceData().setIndex(partition).setRecords(records("x")))));
    }

    private static MemoryRecords records(String value) {
        return MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(1L, null, value.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<PartitionProduceData> partitionsOf(ProduceRequestData request, String name, short version) {
        TopicProduceData topic = version >= 13
                ? request.topicData().find("", IDS.get(name)) : request.topicData().find(name, Uuid.ZERO_UUID);
        assertNotNull(topic, name + " in " + request);
        return topic.partitionData();
    }

    private static List<Integer> indexes(List<PartitionProduceData> partitions) {
        return partitions.stream().map(PartitionProduceData::index).toList();
    }

    private static TopicProduceResponse topicResponse(short version, String name,
                                                      PartitionProduceResponse... partitions) {
        TopicProduceResponse topic = version >= 13
                ? new TopicProduceResponse().setTopicId(IDS.get(name)) : new TopicProduceResponse().setName(name);
        topic.setPartitionResponses(new ArrayList<>(List.of(partitions)));
        return topic;
    }

    private static PartitionProduceResponse ok(int index, long offset) {
        return new PartitionProduceResponse().setIndex(index).setBaseOffset(offset);
    }

    private static TopicProduceResponse find(ProduceResponseData response, short version, String name) {
        TopicProduceResponse topic = version >= 13
                ? response.responses().find("", IDS.get(name)) : response.responses().find(name, Uuid.ZERO_UUID);
        assertNotNull(topic, name + " in " + response);
        return topic;
    }

    private static void assertDenied(ProduceResponseData response, short version, String name, int... partitions) {
        List<PartitionProduceResponse> answers = find(response, version, name).partitionResponses();
        assertEquals(partitions.length, answers.size(), "partitions of " + name);
        for (int i = 0; i < partitions.length; i++) {
            PartitionProduceResponse answer = answers.get(i);
            assertEquals(partitions[i], answer.index(), "partition index");
            assertEquals(Errors.TOPIC_AUTHORIZATION_FAILED.code(), answer.errorCode(), name);
            assertEquals(-1L, answer.baseOffset());
            if (version >= 8) {
                assertEquals("topic '" + name + "' is not allowed by this proxy's policy", answer.errorMessage());
            }
        }
    }

    private static void assertUnknownTopicId(ProduceResponseData response, Uuid id, int partition) {
        TopicProduceResponse topic = response.responses().find("", id);
        assertNotNull(topic, id + " in " + response);
        PartitionProduceResponse answer = topic.partitionResponses().get(0);
        assertEquals(partition, answer.index());
        assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), answer.errorCode());
        assertEquals("topic id " + id + " is unknown to the broker, so the proxy's topic policy cannot check it",
                answer.errorMessage());
    }
}
