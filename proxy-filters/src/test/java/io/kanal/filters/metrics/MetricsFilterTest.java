package io.kanal.filters.metrics;

import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.kanal.filter.testkit.FilterHarness;
import io.kanal.filter.testkit.RequestResult;
import io.kanal.filter.testkit.ResponseResult;
import io.kanal.filters.testing.Yaml;
import io.kanal.proxy.filter.KafkaApi;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsFilterTest {

    private static final short PRODUCE_VERSION = 12;
    private static final String FILTER = "errors";

    private final MeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void countsEveryErrorCodeOfAResponseButNotSuccesses() {
        ProduceResponseData response = produceResponse(Errors.NOT_LEADER_OR_FOLLOWER, Errors.NONE,
                Errors.NOT_LEADER_OR_FOLLOWER, Errors.TOPIC_AUTHORIZATION_FAILED, Errors.NONE);
        try (FilterHarness harness = metrics(null).virtualCluster("vc-1").build()) {
            ResponseResult<ProduceResponseData> result = harness.response(KafkaApi.PRODUCE, PRODUCE_VERSION, response);

            assertFalse(result.changed(), "the client gets the bytes the broker sent");
            assertEquals(response, result.response());
            assertEquals(2.0, count("vc-1", "Produce", "NOT_LEADER_OR_FOLLOWER"));
            assertEquals(1.0, count("vc-1", "Produce", "TOPIC_AUTHORIZATION_FAILED"));
            assertNull(registry.find(MetricsFilter.ERRORS).tag("error", "NONE").counter());
            assertEquals(Set.of("NOT_LEADER_OR_FOLLOWER", "TOPIC_AUTHORIZATION_FAILED"), errorTags());

            harness.response(KafkaApi.PRODUCE, PRODUCE_VERSION, response);
            assertEquals(4.0, count("vc-1", "Produce", "NOT_LEADER_OR_FOLLOWER"), "a second response adds");
        }
        try (FilterHarness otherCluster = metrics(null).virtualCluster("vc-2").build()) {
            otherCluster.response(KafkaApi.PRODUCE, PRODUCE_VERSION, response);
        }
        assertEquals(2.0, count("vc-2", "Produce", "NOT_LEADER_OR_FOLLOWER"), "another virtual cluster counts apart");
        assertEquals(4.0, count("vc-1", "Produce", "NOT_LEADER_OR_FOLLOWER"));
    }

    @Test
    void errorsOfAuthenticatedClientsAreCountedPerPrincipal() {
        ProduceResponseData response = produceResponse(Errors.TOPIC_AUTHORIZATION_FAILED);
        for (FilterHarness.Builder connection : List.of(metrics(null).principal("User:alice"),
                metrics(null).principal("User:alice"), metrics(null))) {
            try (FilterHarness harness = connection.build()) {
                harness.response(KafkaApi.PRODUCE, PRODUCE_VERSION, response);
            }
        }
        assertEquals(2.0, registry.find(MetricsFilter.ERRORS).tags("principal", "User:alice").counter().count());
        assertEquals(1.0, registry.find(MetricsFilter.ERRORS).tags("principal", "").counter().count());
    }

    @Test
    void countsTopLevelErrorsOfOtherApis() {
        MetadataResponseData metadata = new MetadataResponseData();
        metadata.topics().add(new MetadataResponseData.MetadataResponseTopic().setName("gone")
                .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
        FetchResponseData fetch = new FetchResponseData().setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code());
        try (FilterHarness harness = metrics(null).virtualCluster("vc").build()) {
            harness.response(KafkaApi.METADATA, (short) 12, metadata);
            harness.response(KafkaApi.FETCH, (short) 17, fetch);
        }
        assertEquals(1.0, count("vc", "Metadata", "UNKNOWN_TOPIC_OR_PARTITION"));
        assertEquals(1.0, count("vc", "Fetch", "FETCH_SESSION_ID_NOT_FOUND"));
    }

    @Test
    void aResponseWithoutErrorsRegistersNoCounter() {
        ProduceResponseData response = produceResponse(Errors.NONE, Errors.NONE);
        try (FilterHarness harness = metrics(null).build()) {
            ResponseResult<ProduceResponseData> result = harness.response(KafkaApi.PRODUCE, PRODUCE_VERSION, response);

            assertFalse(result.changed());
            assertEquals(response, result.response());
        }
        assertTrue(registry.find(MetricsFilter.ERRORS).counters().isEmpty());
    }

    @Test
    void requestsGoOnWithoutTheFilterLookingAtThem() {
        MetadataRequestData request = new MetadataRequestData().setAllowAutoTopicCreation(false);
        request.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("orders"));
        for (String apis : new String[]{null, "apis: [Produce, Metadata]"}) {
            try (FilterHarness harness = metrics(apis).build()) {
                RequestResult<MetadataRequestData, MetadataResponseData> result =
                        harness.request(KafkaApi.METADATA, (short) 12, request);

                assertFalse(result.changed(), apis);
                assertEquals(request, result.forwarded(), apis);
                assertEquals(0, hookRuns(harness, "request"), "no request hook ran, " + apis);
            }
        }
    }

    @Test
    void namedApisAreTheOnlyOnesCounted() {
        MetadataResponseData metadata = new MetadataResponseData();
        metadata.topics().add(new MetadataResponseData.MetadataResponseTopic().setName("gone")
                .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
        try (FilterHarness harness = metrics("apis: [Produce, Fetch]").virtualCluster("vc").build()) {
            ResponseResult<ProduceResponseData> produce = harness.response(KafkaApi.PRODUCE, PRODUCE_VERSION,
                    produceResponse(Errors.REQUEST_TIMED_OUT));
            harness.response(KafkaApi.FETCH, (short) 17,
                    new FetchResponseData().setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()));
            ResponseResult<MetadataResponseData> notCounted = harness.response(KafkaApi.METADATA, (short) 12, metadata);

            assertFalse(produce.changed());
            assertEquals(metadata, notCounted.response());
            assertEquals(2, hookRuns(harness, "response"), "the Metadata response passes no hook of the filter");
        }
        assertEquals(1.0, count("vc", "Produce", "REQUEST_TIMED_OUT"));
        assertEquals(1.0, count("vc", "Fetch", "FETCH_SESSION_ID_NOT_FOUND"));
        assertEquals(Set.of("REQUEST_TIMED_OUT", "FETCH_SESSION_ID_NOT_FOUND"), errorTags());
    }

    @Test
    void unknownApiNamesAreNamedByIndex() throws Exception {
        MetricsConfig config = Yaml.bind("apis: [Produce, Prodce]", MetricsConfig.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FilterHarness.builder().filter(FILTER, new MetricsFactory(), config).build());
        assertTrue(e.getMessage().startsWith("apis[1]: unknown API 'Prodce' (known: Produce, Fetch, ListOffsets, "),
                e.getMessage());
        assertTrue(e.getMessage().contains("OffsetCommit"), e.getMessage());

        MetricsConfig lowerCase = Yaml.bind("apis: [produce]", MetricsConfig.class);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> FilterHarness.builder().filter(FILTER, new MetricsFactory(), lowerCase).build())
                .getMessage().startsWith("apis[0]: unknown API 'produce'"));

        MetricsConfig empty = Yaml.bind("apis: []", MetricsConfig.class);
        assertEquals("apis: empty; name at least one API, or leave apis out to count every API",
                assertThrows(IllegalArgumentException.class,
                        () -> FilterHarness.builder().filter(FILTER, new MetricsFactory(), empty).build())
                        .getMessage());
    }

    @Test
    void everyKafkaApiCanBeNamedAndIsCounted() throws Exception {
        // every API kafka-clients has message classes for (ApiKeys also lists retired ones, e.g. LeaderAndIsr)
        List<String> names = new ArrayList<>();
        Set<ApiKeys> keys = new HashSet<>();
        for (ApiKeys key : ApiKeys.values()) {
            try {
                Class.forName("org.apache.kafka.common.message." + key.name + "RequestData");
                names.add(key.name);
                keys.add(key);
            } catch (ClassNotFoundException retired) {
                // no message classes, no KafkaApi constant
            }
        }
        assertTrue(names.size() > 80, names::toString);
        assertEquals(keys, KafkaApi.values().stream().map(KafkaApi::key).collect(Collectors.toSet()));
        try (FilterHarness harness = metrics(new MetricsConfig(names), registry).build()) {
            long runs = 0;
            for (KafkaApi<?, ?> api : KafkaApi.values()) {
                ResponseResult<?> result = respondWithDefaults(harness, api);
                assertEquals(ResponseResult.Kind.SENT, result.kind(), api::toString);
                assertEquals(++runs, hookRuns(harness, "response"), () -> "the filter's hook ran for " + api);
            }
        }
    }

    @Test
    void configBinding() throws Exception {
        assertEquals(new MetricsConfig(null), Yaml.bind("{}", MetricsConfig.class));
        assertThrows(UnrecognizedPropertyException.class, () -> Yaml.bind("api: [Produce]", MetricsConfig.class));
    }

    // ---- helpers

    /** A client connection through a {@code metrics} filter configured by {@code yaml}; {@code null}: no config. */
    private FilterHarness.Builder metrics(String yaml) {
        return metrics(yaml == null ? null : Yaml.valid(yaml, MetricsConfig.class), registry);
    }

    private static FilterHarness.Builder metrics(MetricsConfig config, MeterRegistry registry) {
        return FilterHarness.builder().meterRegistry(registry).filter(FILTER, new MetricsFactory(), config);
    }

    /** How often the engine ran one of the filter's hooks at {@code stage}, by its duration timer. */
    private static long hookRuns(FilterHarness harness, String stage) {
        return harness.meterRegistry().get("kanal.filter.duration").tags("filter", FILTER, "stage", stage).timer()
                .count();
    }

    private double count(String virtualCluster, String api, String error) {
        Counter counter = registry.find(MetricsFilter.ERRORS)
                .tags("virtual_cluster", virtualCluster, "api", api, "error", error).counter();
        assertNotNull(counter, "no counter for " + virtualCluster + "/" + api + "/" + error);
        return counter.count();
    }

    private Set<String> errorTags() {
        return registry.find(MetricsFilter.ERRORS).counters().stream()
                .map(c -> c.getId().getTag("error")).collect(Collectors.toSet());
    }

    /** A broker's response of {@code api} with every field at its default, in the API's latest version. */
    private static <R extends ApiMessage> ResponseResult<R> respondWithDefaults(FilterHarness harness,
                                                                                KafkaApi<?, R> api)
            throws ReflectiveOperationException {
        return harness.response(api, api.key().latestVersion(), api.responseType().getConstructor().newInstance());
    }

    private static ProduceResponseData produceResponse(Errors... partitionErrors) {
        ProduceResponseData response = new ProduceResponseData();
        TopicProduceResponse topic = new TopicProduceResponse().setName("t");
        for (int i = 0; i < partitionErrors.length; i++) {
            topic.partitionResponses().add(new PartitionProduceResponse().setIndex(i)
                    .setErrorCode(partitionErrors[i].code()));
        }
        response.responses().add(topic);
        return response;
    }
}
