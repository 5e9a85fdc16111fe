package io.kanal.filter.testkit;

import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.FilterFactory;
import io.kanal.proxy.filter.FilterFactoryContext;
import io.kanal.proxy.filter.FilterHooks;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.protocol.ApiVersionsClamp;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilterHarnessTest {

    private static final short METADATA_V3 = 3;
    private static final short METADATA_V12 = 12;
    private static final short CREATE_TOPICS_V7 = 7;

    @Test
    void aRequestNoHookWantsGoesOnAsItArrived() {
        try (FilterHarness harness = FilterHarness.of(hooks -> { })) {
            RequestResult<MetadataRequestData, MetadataResponseData> result =
                    harness.request(KafkaApi.METADATA, METADATA_V12, metadata("orders"));

            assertEquals(RequestResult.Kind.FORWARDED, result.kind());
            assertFalse(result.changed());
            assertEquals(metadata("orders"), result.forwarded());
        }
    }

    @Test
    void aChangeMadeInPlaceButPassedOnIsLostAsItIsInTheProxy() {
        Filter careless = hooks -> hooks.onRequest(KafkaApi.METADATA, (context, request) -> {
            request.topics().get(0).setName("renamed");
            return context.pass();
        });
        try (FilterHarness harness = FilterHarness.of(careless)) {
            RequestResult<MetadataRequestData, MetadataResponseData> result =
                    harness.request(KafkaApi.METADATA, METADATA_V12, metadata("orders"));

            assertFalse(result.changed());
            assertEquals("orders", result.forwarded().topics().get(0).name());
        }
    }

    @Test
    void aForwardedChangeReachesTheBroker() {
        Filter renaming = hooks -> hooks.onRequest(KafkaApi.METADATA, (context, request) -> {
            request.topics().get(0).setName("renamed");
            return context.forward(request);
        });
        try (FilterHarness harness = FilterHarness.of(renaming)) {
            RequestResult<MetadataRequestData, MetadataResponseData> result =
                    harness.request(KafkaApi.METADATA, METADATA_V12, metadata("orders"));

            assertTrue(result.changed());
            assertEquals("renamed", result.forwarded().topics().get(0).name());
        }
    }

    @Test
    void aHookThatThrowsAnswersWithTheApisErrorResponseAndCountsAFailure() {
        Filter broken = hooks -> hooks.onRequest(KafkaApi.CREATE_TOPICS, (context, request) -> {
            throw new IllegalStateException("boom");
        });
        try (FilterHarness harness = FilterHarness.of(broken)) {
            RequestResult<CreateTopicsRequestData, CreateTopicsResponseData> result =
                    harness.request(KafkaApi.CREATE_TOPICS, CREATE_TOPICS_V7, createTopics("a", "b"));

            assertEquals(RequestResult.Kind.ANSWERED, result.kind());
            for (CreatableTopicResult topic : result.response().topics()) {
                assertEquals(Errors.UNKNOWN_SERVER_ERROR.code(), topic.errorCode(), topic.name());
            }
            assertEquals(2, result.response().topics().size());
            assertEquals(1.0, harness.meterRegistry().get("kanal.filter.failures").tag("filter", "filter-1")
                    .tag("stage", "request").counter().count());
        }
    }

    @Test
    void aHookThatNeverFinishesTimesOutWithAnErrorResponse() {
        Filter stuck = hooks -> hooks.onRequest(KafkaApi.CREATE_TOPICS,
                (context, request) -> new CompletableFuture<>());
        try (FilterHarness harness = FilterHarness.builder().filter("stuck", stuck)
                .hookTimeout(Duration.ofMillis(100)).build()) {
            RequestResult<CreateTopicsRequestData, CreateTopicsResponseData> result =
                    harness.request(KafkaApi.CREATE_TOPICS, CREATE_TOPICS_V7, createTopics("a"));

            assertEquals(Errors.UNKNOWN_SERVER_ERROR.code(), result.response().topics().find("a").errorCode());
        }
    }

    @Test
    void anAnswerPassesTheResponseHooksOfTheFiltersNearerTheClient() {
        Filter marking = hooks -> hooks.onResponse(KafkaApi.CREATE_TOPICS, (context, response) -> {
            response.topics().forEach(topic -> topic.setErrorMessage("seen by the outer filter"));
            return context.forward(response);
        });
        Filter refusing = hooks -> hooks.onRequest(KafkaApi.CREATE_TOPICS,
                (context, request) -> context.respondWithError(Errors.POLICY_VIOLATION, "not here"));
        try (FilterHarness harness = FilterHarness.of(marking, refusing)) {
            CreateTopicsResponseData response = harness.request(KafkaApi.CREATE_TOPICS, CREATE_TOPICS_V7,
                    createTopics("a")).response();

            assertEquals(Errors.POLICY_VIOLATION.code(), response.topics().find("a").errorCode());
            assertEquals("seen by the outer filter", response.topics().find("a").errorMessage());
        }
    }

    @Test
    void aRefusedProduceWithAcksZeroIsDropped() {
        Filter refusing = hooks -> hooks.onRequest(KafkaApi.PRODUCE,
                (context, request) -> context.respondWithError(Errors.POLICY_VIOLATION, "no"));
        try (FilterHarness harness = FilterHarness.of(refusing)) {
            assertEquals(RequestResult.Kind.DROPPED,
                    harness.request(KafkaApi.PRODUCE, (short) 9, produce((short) 0)).kind());
            assertEquals(Errors.POLICY_VIOLATION.code(), harness.request(KafkaApi.PRODUCE, (short) 9,
                    produce((short) 1)).response().responses().iterator().next().partitionResponses().get(0)
                    .errorCode());
        }
    }

    @Test
    void theBrokersAnswerPassesTheRequestsOwnHookThenTheResponseHooksNearestTheBrokerFirst() {
        List<String> calls = new ArrayList<>();
        Filter outer = hooks -> hooks.onResponse(KafkaApi.METADATA, (context, response) -> {
            calls.add("outer response hook");
            return context.pass();
        });
        Filter inner = hooks -> {
            hooks.onRequest(KafkaApi.METADATA, (context, request) -> context.forward(request, (rc, response) -> {
                calls.add("inner request's own hook");
                response.topics().add(new MetadataResponseTopic().setName("added"));
                return rc.forward(response);
            }));
            hooks.onResponse(KafkaApi.METADATA, (context, response) -> {
                calls.add("inner response hook");
                return context.pass();
            });
        };
        try (FilterHarness harness = FilterHarness.of(outer, inner)) {
            ResponseResult<MetadataResponseData> result = harness.request(KafkaApi.METADATA, METADATA_V12,
                    metadata("orders")).brokerResponds(new MetadataResponseData());

            assertTrue(result.changed());
            assertEquals("added", result.response().topics().iterator().next().name());
            assertEquals(List.of("inner request's own hook", "inner response hook", "outer response hook"), calls);
        }
    }

    @Test
    void aFiltersOwnRequestIsAnsweredByTheTestsBroker() {
        Filter asking = hooks -> hooks.onRequest(KafkaApi.METADATA, (context, request) ->
                context.sendRequest(KafkaApi.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                                .setClientSoftwareName("kanal").setClientSoftwareVersion("1"))
                        .thenCompose(versions -> versions.errorCode() == Errors.NONE.code() ? context.pass()
                                : context.closeConnection()));
        try (FilterHarness harness = FilterHarness.builder().filter("asking", asking)
                .broker(KafkaApi.API_VERSIONS, request -> new ApiVersionsResponseData()).build()) {
            assertEquals(RequestResult.Kind.FORWARDED,
                    harness.request(KafkaApi.METADATA, METADATA_V12, metadata("orders")).kind());

            OutOfBandRequest sent = harness.outOfBandRequests().get(0);
            assertEquals(ApiKeys.API_VERSIONS, sent.api());
            assertEquals("kanal", ((ApiVersionsRequestData) sent.request()).clientSoftwareName());
        }
    }

    @Test
    void aFiltersOwnRequestWithoutAnAnswerFailsItsHook() {
        Filter asking = hooks -> hooks.onRequest(KafkaApi.CREATE_TOPICS, (context, request) ->
                context.sendRequest(KafkaApi.METADATA, METADATA_V12, new MetadataRequestData())
                        .thenCompose(metadata -> context.pass()));
        try (FilterHarness harness = FilterHarness.of(asking)) {
            assertEquals(Errors.UNKNOWN_SERVER_ERROR.code(), harness.request(KafkaApi.CREATE_TOPICS,
                    CREATE_TOPICS_V7, createTopics("a")).response().topics().find("a").errorCode());
        }
    }

    @Test
    void aChangeTheVersionCannotCarryClosesTheConnectionAsInTheProxy() {
        // Metadata v3 has no field for refusing automatic topic creation: it always allows it.
        Filter tooNew = hooks -> hooks.onRequest(KafkaApi.METADATA, (context, request) ->
                context.forward(request.setAllowAutoTopicCreation(false)));
        try (FilterHarness harness = FilterHarness.of(tooNew)) {
            RequestResult<MetadataRequestData, MetadataResponseData> result = harness.request(KafkaApi.METADATA,
                    METADATA_V3, metadata("orders").setAllowAutoTopicCreation(true));

            assertEquals(RequestResult.Kind.CLOSED, result.kind());
            assertTrue(result.closeReason().startsWith("cannot encode the filtered METADATA request"),
                    result.closeReason());
        }
    }

    @Test
    void aRequestTheVersionCannotCarryIsTheTestsMistake() {
        try (FilterHarness harness = FilterHarness.of(hooks -> { })) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> harness.request(KafkaApi.METADATA, METADATA_V3, metadata("orders")));
            assertTrue(refused.getMessage().contains("METADATA request cannot be written in version 3"),
                    refused.getMessage());
        }
    }

    @Test
    void askingForWhatDidNotHappenSaysWhatDid() {
        Filter closing = hooks -> hooks.onRequest(KafkaApi.METADATA, (context, request) -> context.closeConnection());
        try (FilterHarness harness = FilterHarness.builder().filter("closing", closing).build()) {
            RequestResult<MetadataRequestData, MetadataResponseData> result =
                    harness.request(KafkaApi.METADATA, METADATA_V12, metadata("orders"));

            assertEquals("filter 'closing' closed the connection", result.closeReason());
            AssertionError wrong = assertThrows(AssertionError.class, result::forwarded);
            assertEquals("expected the METADATA request to be FORWARDED, but it was CLOSED: filter 'closing' closed"
                    + " the connection", wrong.getMessage());
        }
    }

    @Test
    void hooksSeeTheConnectionTheBuilderDescribes() {
        List<String> seen = new ArrayList<>();
        Filter looking = hooks -> hooks.onRequest(KafkaApi.METADATA, (context, request) -> {
            seen.add(context.connection().virtualCluster() + " " + context.connection().clientId() + " "
                    + context.connection().principal().orElseThrow() + " " + context.header().clientId());
            return context.pass();
        });
        try (FilterHarness harness = FilterHarness.builder().filter("looking", looking).virtualCluster("orders-vc")
                .clientId("billing").principal("User:alice").build()) {
            harness.request(KafkaApi.METADATA, METADATA_V12, metadata("orders"));
        }
        assertEquals(List.of("orders-vc billing User:alice billing"), seen);
    }

    @Test
    void closingClosesTheFiltersFactoriesMadeAndNotTheOnesHandedIn() {
        AtomicBoolean madeClosed = new AtomicBoolean();
        AtomicBoolean handedClosed = new AtomicBoolean();
        FilterFactory<String> factory = factory(context -> {
            assertEquals("made", context.filterName());
            return closing(() -> madeClosed.set(true));
        });
        FilterHarness.builder().filter("made", factory, "config")
                .filter("handed", closing(() -> handedClosed.set(true))).build()
                .close();

        assertTrue(madeClosed.get());
        assertFalse(handedClosed.get());
    }

    @Test
    void aFiltersOwnRequestItDoesNotWaitForIsSentAtOnceAsInTheProxy() {
        Filter telling = hooks -> hooks.onRequest(KafkaApi.METADATA, (context, request) -> {
            context.sendRequest(KafkaApi.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                    .setClientSoftwareName("kanal").setClientSoftwareVersion("1"));
            return context.pass();
        });
        try (FilterHarness harness = FilterHarness.builder().filter("telling", telling)
                .broker(KafkaApi.API_VERSIONS, request -> new ApiVersionsResponseData()).build()) {
            harness.request(KafkaApi.METADATA, METADATA_V12, metadata("orders"));

            assertEquals(1, harness.outOfBandRequests().size());
            assertEquals("kanal", harness.outOfBandRequests().get(0).request(KafkaApi.API_VERSIONS)
                    .clientSoftwareName());
        }
    }

    @Test
    void aBrokerAnswerThatThrowsFailsTheHookAtOnce() {
        Filter asking = hooks -> hooks.onRequest(KafkaApi.CREATE_TOPICS, (context, request) ->
                context.sendRequest(KafkaApi.METADATA, METADATA_V12, new MetadataRequestData())
                        .thenCompose(metadata -> context.pass()));
        try (FilterHarness harness = FilterHarness.builder().filter("asking", asking)
                .broker(KafkaApi.METADATA, request -> {
                    throw new IllegalStateException("broker unreachable");
                }).build()) {
            long started = System.nanoTime();
            CreatableTopicResult topic = harness.request(KafkaApi.CREATE_TOPICS, CREATE_TOPICS_V7,
                    createTopics("a")).response().topics().find("a");

            assertEquals(Errors.UNKNOWN_SERVER_ERROR.code(), topic.errorCode());
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos(),
                    "at once, not after the 20 s hook timeout");
        }
    }

    @Test
    void aBrokerAnswerMayComeLater() {
        CompletableFuture<MetadataResponseData> later = new CompletableFuture<>();
        Filter asking = hooks -> hooks.onRequest(KafkaApi.METADATA, (context, request) ->
                context.sendRequest(KafkaApi.METADATA, METADATA_V12, new MetadataRequestData())
                        .thenCompose(metadata -> metadata.topics().isEmpty() ? context.pass()
                                : context.closeConnection()));
        try (FilterHarness harness = FilterHarness.builder().filter("asking", asking)
                .brokerAsync(KafkaApi.METADATA, request -> later).build()) {
            CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)
                    .execute(() -> later.complete(new MetadataResponseData()));

            assertEquals(RequestResult.Kind.FORWARDED,
                    harness.request(KafkaApi.METADATA, METADATA_V12, metadata("orders")).kind());
        }
    }

    @Test
    void aFiltersOwnRequestStillWaitingFailsWhenTheConnectionCloses() {
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        Filter asking = hooks -> hooks.onRequest(KafkaApi.METADATA, (context, request) -> {
            context.sendRequest(KafkaApi.METADATA, METADATA_V12, new MetadataRequestData())
                    .whenComplete((metadata, failure) -> seen.complete(failure));
            return context.pass();
        });
        Filter closing = hooks -> hooks.onRequest(KafkaApi.METADATA, (context, request) -> context.closeConnection());
        try (FilterHarness harness = FilterHarness.builder().filter("asking", asking).filter("closing", closing)
                .brokerAsync(KafkaApi.METADATA, request -> new CompletableFuture<>()).build()) {
            assertEquals(RequestResult.Kind.CLOSED,
                    harness.request(KafkaApi.METADATA, METADATA_V12, metadata("orders")).kind());

            Throwable failure = seen.join();
            assertTrue(failure instanceof IllegalStateException && failure.getMessage().startsWith(
                    "the connection closed: filter 'closing' closed the connection"), String.valueOf(failure));
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> harness.request(KafkaApi.METADATA, METADATA_V12, metadata("orders")));
            assertEquals("the connection closed: filter 'closing' closed the connection", refused.getMessage());
        }
    }

    @Test
    void aResponseHookThatThrowsClosesTheConnection() {
        Filter broken = hooks -> hooks.onResponse(KafkaApi.METADATA, (context, response) -> {
            throw new IllegalStateException("boom");
        });
        try (FilterHarness harness = FilterHarness.of(broken)) {
            ResponseResult<MetadataResponseData> result =
                    harness.response(KafkaApi.METADATA, METADATA_V12, new MetadataResponseData());

            assertEquals(ResponseResult.Kind.CLOSED, result.kind());
            assertEquals("filter 'filter-1' failed on a METADATA response", result.closeReason());
        }
    }

    @Test
    void aResponseNoHookChangesReachesTheClientAsItArrived() {
        Filter looking = hooks -> hooks.onResponse(KafkaApi.METADATA, (context, response) -> {
            response.topics().add(new MetadataResponseTopic().setName("lost: changed in place, then passed"));
            return context.pass();
        });
        try (FilterHarness harness = FilterHarness.of(looking)) {
            ResponseResult<MetadataResponseData> result =
                    harness.response(KafkaApi.METADATA, METADATA_V12, new MetadataResponseData());

            assertFalse(result.changed());
            assertTrue(result.response().topics().isEmpty());
        }
    }

    @Test
    void anApiVersionsResponseIsTrimmedToWhatTheProxySupportsBeforeTheFiltersSeeIt() {
        List<Short> seen = new ArrayList<>();
        Filter looking = hooks -> hooks.onResponse(KafkaApi.API_VERSIONS, (context, response) -> {
            seen.add(response.apiKeys().find(ApiKeys.FETCH.id).maxVersion());
            return context.pass();
        });
        ApiVersionsResponseData fromBroker = new ApiVersionsResponseData();
        fromBroker.apiKeys().add(new ApiVersionsResponseData.ApiVersion().setApiKey(ApiKeys.FETCH.id)
                .setMinVersion((short) 4).setMaxVersion((short) 18));
        try (FilterHarness harness = FilterHarness.of(looking)) {
            ApiVersionsResponseData toClient = harness.response(KafkaApi.API_VERSIONS, (short) 3, fromBroker)
                    .response();

            short proxyMax = ApiVersionsClamp.FETCH_MAX_VERSION;
            assertEquals(List.of(proxyMax), seen);
            assertEquals(proxyMax, toClient.apiKeys().find(ApiKeys.FETCH.id).maxVersion());
        }
    }

    @Test
    void theBrokerAnswersARequestOnce() {
        try (FilterHarness harness = FilterHarness.of(hooks -> { })) {
            RequestResult<MetadataRequestData, MetadataResponseData> result =
                    harness.request(KafkaApi.METADATA, METADATA_V12, metadata("orders"));
            result.brokerResponds(new MetadataResponseData());

            assertThrows(IllegalStateException.class, () -> result.brokerResponds(new MetadataResponseData()));
        }
    }

    @Test
    void aProduceWithAcksZeroGetsNoBrokerAnswer() {
        try (FilterHarness harness = FilterHarness.of(hooks -> { })) {
            RequestResult<ProduceRequestData, ?> result = harness.request(KafkaApi.PRODUCE, (short) 9,
                    produce((short) 0));

            assertEquals(RequestResult.Kind.FORWARDED, result.kind());
            assertThrows(AssertionError.class, () -> harness.request(KafkaApi.PRODUCE, (short) 9, produce((short) 0))
                    .brokerResponds(new ProduceResponseData()));
        }
    }

    @Test
    void closingClosesEachMadeFilterOnceTheLastFirstEvenWhenOneFails() {
        List<String> closed = new ArrayList<>();
        FilterHarness harness = FilterHarness.builder()
                .filter("first", factory(context -> closing(() -> closed.add("first"))), "config")
                .filter("failing", factory(context -> closing(() -> {
                    closed.add("failing");
                    throw new IllegalStateException("cannot close");
                })), "config")
                .filter("last", factory(context -> closing(() -> closed.add("last"))), "config")
                .build();

        IllegalStateException failure = assertThrows(IllegalStateException.class, harness::close);
        assertEquals("filter 'failing' failed to close", failure.getMessage());
        harness.close();
        assertEquals(List.of("last", "failing", "first"), closed);
    }

    @Test
    void aFactoryThatRefusesItsConfigurationLeavesNoFilterOpen() {
        AtomicBoolean firstClosed = new AtomicBoolean();
        FilterHarness.Builder builder = FilterHarness.builder()
                .filter("first", factory(context -> closing(() -> firstClosed.set(true))), "config")
                .filter("refusing", factory(context -> {
                    throw new IllegalArgumentException("prefix is required");
                }), "config");

        assertEquals("prefix is required", assertThrows(IllegalArgumentException.class, builder::build)
                .getMessage());
        assertTrue(firstClosed.get());
    }

    // ---- Helpers ----

    /** A factory of type {@code test} taking any string, that makes its filters with {@code make}. */
    private static FilterFactory<String> factory(Function<FilterFactoryContext, Filter> make) {
        return new FilterFactory<>() {
            @Override
            public String type() {
                return "test";
            }

            @Override
            public Class<String> configType() {
                return String.class;
            }

            @Override
            public Filter create(String config, FilterFactoryContext context) {
                return make.apply(context);
            }
        };
    }

    /** A filter without hooks that runs {@code onClose} when it is closed. */
    private static Filter closing(Runnable onClose) {
        return new Filter() {
            @Override
            public void register(FilterHooks hooks) {
            }

            @Override
            public void close() {
                onClose.run();
            }
        };
    }

    private static MetadataRequestData metadata(String topic) {
        MetadataRequestData request = new MetadataRequestData().setAllowAutoTopicCreation(false);
        request.topics().add(new MetadataRequestTopic().setName(topic));
        return request;
    }

    private static CreateTopicsRequestData createTopics(String... names) {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(5000);
        for (String name : names) {
            request.topics().add(new CreatableTopic().setName(name).setNumPartitions(1)
                    .setReplicationFactor((short) 1));
        }
        return request;
    }

    private static ProduceRequestData produce(short acks) {
        ProduceRequestData request = new ProduceRequestData().setAcks(acks).setTimeoutMs(5000);
        TopicProduceData topic = new TopicProduceData().setName("orders");
        topic.partitionData().add(new PartitionProduceData().setIndex(0).setRecords(MemoryRecords.withRecords(
                Compression.NONE, new SimpleRecord("v".getBytes(StandardCharsets.UTF_8)))));
        request.topicData().add(topic);
        return request;
    }
}
