package io.kanal.filters.topicpolicy;

import io.kanal.filters.testing.FakeConnection;
import io.kanal.filters.testing.FakeFactoryContext;
import io.kanal.filters.testing.FakeHooks;
import io.kanal.filters.testing.FakeRequestContext;
import io.kanal.filters.testing.FakeRequestContext.Action;
import io.kanal.filters.testing.FakeResponseContext;
import io.kanal.filters.testing.Wire;
import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.filter.RequestHook;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicPolicyFilterTest {

    private static final FakeConnection CONNECTION = FakeConnection.of("vc", "producer-1");
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

    private final Filter filter = filter("allow: [\"orders\\\\..*\", audit]");

    @ParameterizedTest(name = "produce v{0}")
    @ValueSource(shorts = {3, 8, 12, 13})
    void allowedTopicsPassUntouched(short version) {
        ProduceRequestData request = produce(version, Map.of("orders.eu", List.of(0, 1), "audit", List.of(4)));
        FakeRequestContext<ProduceRequestData, ProduceResponseData> context = context(version, true);
        hook(filter).onRequest(context, request);
        assertEquals(Action.PASS, context.action());
    }

    @ParameterizedTest(name = "produce v{0}")
    @ValueSource(shorts = {3, 8, 12, 13})
    void requestsNamingOnlyDeniedTopicsAreAnsweredByTheFilter(short version) {
        ProduceRequestData request = produce(version, Map.of("secret", List.of(3, 0), "payroll", List.of(7)));
        FakeRequestContext<ProduceRequestData, ProduceResponseData> context = context(version, true);
        var returned = hook(filter).onRequest(context, request);

        assertEquals(Action.RESPOND, context.action());
        if (version < 13) {
            assertSame(context.stage(), returned);
        } else {
            // after the topic-id lookup: a stage of its own that completes once the action is taken
            assertTrue(returned.toCompletableFuture().isDone() && !returned.toCompletableFuture().isCompletedExceptionally());
        }
        ProduceResponseData response = Wire.roundTrip(context.response(), version);
        assertEquals(2, response.responses().size());
        assertDenied(response, version, "secret", 3, 0);
        assertDenied(response, version, "payroll", 7);
        assertEquals(Map.of(Errors.TOPIC_AUTHORIZATION_FAILED, 3), Wire.errorCounts(response, version));
    }

    @ParameterizedTest(name = "produce v{0}")
    @ValueSource(shorts = {3, 8, 12, 13})
    void mixedRequestsForwardTheAllowedTopicsAndMergeTheDeniedOnesIntoTheResponse(short version) {
        ProduceRequestData request = produce(version, linked(
                "orders.eu", List.of(0, 3), "secret", List.of(1, 4), "audit", List.of(2)));
        MemoryRecords ordersRecords = (MemoryRecords) partitionsOf(request, "orders.eu", version).get(0).records();
        FakeRequestContext<ProduceRequestData, ProduceResponseData> context = context(version, true);
        hook(filter).onRequest(context, request);

        assertEquals(Action.FORWARD, context.action());
        assertNotNull(context.onResponse(), "a mixed request needs the response hook");
        ProduceRequestData forwarded = Wire.roundTrip(context.forwarded(), version);
        assertEquals(2, forwarded.topicData().size());
        assertEquals(List.of(0, 3), indexes(partitionsOf(forwarded, "orders.eu", version)));
        assertEquals(List.of(2), indexes(partitionsOf(forwarded, "audit", version)));
        assertEquals(ordersRecords.buffer(),
                ((MemoryRecords) partitionsOf(forwarded, "orders.eu", version).get(0).records()).buffer());
        assertEquals(request.acks(), forwarded.acks());
        assertEquals(request.transactionalId(), forwarded.transactionalId());

        // the broker answers the reduced request
        ProduceResponseData fromBroker = new ProduceResponseData().setThrottleTimeMs(5);
        fromBroker.responses().add(topicResponse(version, "orders.eu",
                ok(0, 100L), new PartitionProduceResponse().setIndex(3)
                        .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()).setBaseOffset(-1L)));
        fromBroker.responses().add(topicResponse(version, "audit", ok(2, 7L)));
        fromBroker = Wire.roundTrip(fromBroker, version);
        FakeResponseContext<ProduceResponseData> responseContext =
                new FakeResponseContext<>(KafkaApi.PRODUCE, version, CONNECTION, fromBroker);
        var returned = context.onResponse().onResponse(responseContext, fromBroker);

        assertEquals(FakeResponseContext.Action.FORWARD, responseContext.action());
        assertSame(responseContext.stage(), returned);
        ProduceResponseData merged = Wire.roundTrip(responseContext.forwarded(), version);
        assertEquals(3, merged.responses().size());
        assertEquals(5, merged.throttleTimeMs());
        List<PartitionProduceResponse> orders = find(merged, version, "orders.eu").partitionResponses();
        assertEquals(List.of(0, 3), orders.stream().map(PartitionProduceResponse::index).toList());
        assertEquals(100L, orders.get(0).baseOffset());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), orders.get(1).errorCode());
        assertEquals(7L, find(merged, version, "audit").partitionResponses().get(0).baseOffset());
        assertDenied(merged, version, "secret", 1, 4);
        assertEquals(Map.of(Errors.NONE, 2, Errors.NOT_LEADER_OR_FOLLOWER, 1, Errors.TOPIC_AUTHORIZATION_FAILED, 2),
                Wire.errorCounts(merged, version));
    }

    @Test
    void withAcksZeroDeniedPartitionsAreDropped() {
        short version = 12;
        ProduceRequestData mixed = produce(version, linked("secret", List.of(0), "audit", List.of(1)));
        mixed.setAcks((short) 0);
        FakeRequestContext<ProduceRequestData, ProduceResponseData> context = context(version, false);
        hook(filter).onRequest(context, mixed);
        assertEquals(Action.FORWARD, context.action());
        assertNull(context.onResponse(), "nobody waits for an acks=0 response");
        ProduceRequestData forwarded = Wire.roundTrip(context.forwarded(), version);
        assertEquals(List.of("audit"), forwarded.topicData().stream().map(TopicProduceData::name).toList());

        ProduceRequestData denied = produce(version, Map.of("secret", List.of(0)));
        denied.setAcks((short) 0);
        FakeRequestContext<ProduceRequestData, ProduceResponseData> allDenied = context(version, false);
        hook(filter).onRequest(allDenied, denied);
        assertEquals(Action.RESPOND, allDenied.action());
    }

    @Test
    void topicIdsAreResolvedWithOneMetadataRequestAndRemembered() {
        short version = 13;
        FakeRequestContext<ProduceRequestData, ProduceResponseData> first = context(version, true);
        hook(filter).onRequest(first, produce(version, linked("orders.eu", List.of(0), "secret", List.of(1))));

        assertEquals(1, first.sent().size());
        FakeRequestContext.Sent lookup = first.sent().get(0);
        assertEquals(org.apache.kafka.common.protocol.ApiKeys.METADATA, lookup.api());
        assertEquals(12, lookup.version());
        MetadataRequestData metadata = Wire.roundTrip((MetadataRequestData) lookup.request(), lookup.version());
        assertFalse(metadata.allowAutoTopicCreation());
        assertEquals(List.of(IDS.get("orders.eu"), IDS.get("secret")),
                metadata.topics().stream().map(MetadataRequestData.MetadataRequestTopic::topicId).toList());
        assertTrue(metadata.topics().stream().allMatch(t -> t.name() == null));
        assertEquals(Action.FORWARD, first.action());
        ProduceRequestData forwarded = Wire.roundTrip(first.forwarded(), version);
        assertEquals(List.of(IDS.get("orders.eu")),
                forwarded.topicData().stream().map(TopicProduceData::topicId).toList());

        FakeRequestContext<ProduceRequestData, ProduceResponseData> second = context(version, true);
        hook(filter).onRequest(second, produce(version, linked("secret", List.of(2), "orders.eu", List.of(0))));
        assertTrue(second.sent().isEmpty(), "names are remembered");
        assertEquals(Action.FORWARD, second.action());

        FakeRequestContext<ProduceRequestData, ProduceResponseData> third = context(version, true);
        hook(filter).onRequest(third, produce(version, linked("secret", List.of(2), "payroll", List.of(0))));
        assertEquals(1, third.sent().size(), "only the id not seen before is looked up");
        assertEquals(List.of(IDS.get("payroll")), ((MetadataRequestData) third.sent().get(0).request()).topics()
                .stream().map(MetadataRequestData.MetadataRequestTopic::topicId).toList());
        assertEquals(Action.RESPOND, third.action());
        ProduceResponseData answer = Wire.roundTrip(third.response(), version);
        assertDenied(answer, version, "secret", 2);
        assertDenied(answer, version, "payroll", 0);
    }

    @Test
    void topicIdsTheBrokerDoesNotKnowAreAnsweredWithUnknownTopicIdAndLookedUpAgain() {
        short version = 13;
        Uuid unknown = Uuid.randomUuid();
        ProduceRequestData request = produce(version, linked("audit", List.of(0)));
        request.topicData().add(new TopicProduceData().setTopicId(unknown).setPartitionData(new ArrayList<>(List.of(
                new PartitionProduceData().setIndex(5).setRecords(records("x"))))));
        request = Wire.roundTrip(request, version);
        FakeRequestContext<ProduceRequestData, ProduceResponseData> context = context(version, true);
        hook(filter).onRequest(context, request);

        assertEquals(Action.FORWARD, context.action());
        ProduceResponseData fromBroker = new ProduceResponseData();
        fromBroker.responses().add(topicResponse(version, "audit", ok(0, 1L)));
        FakeResponseContext<ProduceResponseData> responseContext =
                new FakeResponseContext<>(KafkaApi.PRODUCE, version, CONNECTION, fromBroker);
        context.onResponse().onResponse(responseContext, fromBroker);
        ProduceResponseData merged = Wire.roundTrip(responseContext.forwarded(), version);
        PartitionProduceResponse answer = merged.responses().find("", unknown).partitionResponses().get(0);
        assertEquals(5, answer.index());
        assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), answer.errorCode());

        ProduceRequestData again = new ProduceRequestData().setAcks((short) -1);
        again.topicData().add(new TopicProduceData().setTopicId(unknown).setPartitionData(new ArrayList<>(List.of(
                new PartitionProduceData().setIndex(5).setRecords(records("x"))))));
        FakeRequestContext<ProduceRequestData, ProduceResponseData> retry = context(version, true);
        hook(filter).onRequest(retry, Wire.roundTrip(again, version));
        assertEquals(1, retry.sent().size(), "unknown ids are not remembered");
        assertEquals(Action.RESPOND, retry.action());
    }

    @Test
    void aFailedLookupFailsTheRequest() {
        FakeRequestContext<ProduceRequestData, ProduceResponseData> context =
                new FakeRequestContext<ProduceRequestData, ProduceResponseData>(KafkaApi.PRODUCE, (short) 13,
                        CONNECTION, true)
                        .answering(KafkaApi.METADATA, request -> CompletableFuture.failedFuture(
                                new IllegalStateException("connection closed")));
        CompletionStage<?> stage = hook(filter).onRequest(context,
                produce((short) 13, Map.of("orders.eu", List.of(0))));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stage.toCompletableFuture().get(5, TimeUnit.SECONDS));
        assertEquals("connection closed", e.getCause().getMessage());
        assertTrue(context.actions().isEmpty());
    }

    @Test
    void concurrentLookupsOfTheSameIdBothDecideCorrectly() throws Exception {
        // the second request arrives while the first one's lookup is outstanding
        CompletableFuture<MetadataResponseData> slow = new CompletableFuture<>();
        AtomicInteger lookups = new AtomicInteger();
        RequestHook<ProduceRequestData, ProduceResponseData> hook = hook(filter);
        List<FakeRequestContext<ProduceRequestData, ProduceResponseData>> contexts = new ArrayList<>();
        List<CompletionStage<?>> stages = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            FakeRequestContext<ProduceRequestData, ProduceResponseData> context =
                    new FakeRequestContext<ProduceRequestData, ProduceResponseData>(KafkaApi.PRODUCE, (short) 13,
                            CONNECTION, true).answering(KafkaApi.METADATA, request -> {
                                lookups.incrementAndGet();
                                return slow;
                            });
            contexts.add(context);
            stages.add(hook.onRequest(context, produce((short) 13, Map.of("secret", List.of(0)))));
        }
        assertTrue(contexts.get(0).actions().isEmpty());
        slow.complete(metadataAnswer(metadataFor(List.of(IDS.get("secret")))));
        for (int i = 0; i < 2; i++) {
            stages.get(i).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertEquals(Action.RESPOND, contexts.get(i).action());
        }
        assertEquals(2, lookups.get());
    }

    @Test
    void patternsMustMatchTheWholeName() {
        TopicPolicyFilter policy = (TopicPolicyFilter) filter("allow: [\"orders\\\\..*\", audit]");
        assertTrue(policy.allows("orders.eu"));
        assertTrue(policy.allows("orders."));
        assertTrue(policy.allows("audit"));
        assertFalse(policy.allows("orders"));
        assertFalse(policy.allows("ordersXeu"));
        assertFalse(policy.allows("audit2"));
        assertFalse(policy.allows("xaudit"));
        assertFalse(policy.allows("my.orders.eu"));
    }

    // ---- helpers

    static Filter filter(String yaml) {
        try {
            return new TopicPolicyFactory().create(io.kanal.filters.testing.Yaml.bind(yaml, TopicPolicyConfig.class),
                    FakeFactoryContext.named("policy"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static RequestHook<ProduceRequestData, ProduceResponseData> hook(Filter filter) {
        FakeHooks hooks = new FakeHooks();
        filter.register(hooks);
        assertEquals(List.of(org.apache.kafka.common.protocol.ApiKeys.PRODUCE), List.copyOf(hooks.requestHooks.keySet()));
        assertTrue(hooks.responseHooks.isEmpty() && hooks.anyRequest == null && hooks.anyResponse == null);
        return hooks.request(KafkaApi.PRODUCE);
    }

    /** A context whose out-of-band Metadata requests the cluster of {@link #TOPICS} answers. */
    private static FakeRequestContext<ProduceRequestData, ProduceResponseData> context(short version,
                                                                                        boolean expectsResponse) {
        return new FakeRequestContext<ProduceRequestData, ProduceResponseData>(KafkaApi.PRODUCE, version, CONNECTION,
                expectsResponse).answering(KafkaApi.METADATA,
                request -> CompletableFuture.completedFuture(metadataAnswer(Wire.roundTrip(request, (short) 12))));
    }

    private static MetadataRequestData metadataFor(List<Uuid> ids) {
        MetadataRequestData request = new MetadataRequestData();
        ids.forEach(id -> request.topics().add(new MetadataRequestData.MetadataRequestTopic().setTopicId(id)));
        return request;
    }

    /** What a broker answers: names for the ids it knows, UNKNOWN_TOPIC_ID for the others. */
    private static MetadataResponseData metadataAnswer(MetadataRequestData request) {
        MetadataResponseData response = new MetadataResponseData();
        for (MetadataRequestData.MetadataRequestTopic topic : request.topics()) {
            String name = TOPICS.get(topic.topicId());
            response.topics().add(new MetadataResponseData.MetadataResponseTopic()
                    .setTopicId(topic.topicId())
                    .setName(name)
                    .setErrorCode(name == null ? Errors.UNKNOWN_TOPIC_ID.code() : Errors.NONE.code()));
        }
        return Wire.roundTrip(response, (short) 12);
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

    /** A produce request, as decoded from the wire: topics by name up to v12, by id from v13. */
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
        return Wire.roundTrip(request, version);
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
            assertEquals(Errors.TOPIC_AUTHORIZATION_FAILED.code(), answer.errorCode());
            assertEquals(-1L, answer.baseOffset());
            if (version >= 8) {
                assertEquals("topic '" + name + "' is not allowed by this proxy's policy", answer.errorMessage());
            }
        }
    }
}
