package io.kanal.filters.metrics;

import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.kanal.filters.testing.FakeConnection;
import io.kanal.filters.testing.FakeFactoryContext;
import io.kanal.filters.testing.FakeHooks;
import io.kanal.filters.testing.FakeResponseContext;
import io.kanal.filters.testing.Yaml;
import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.filter.ResponseHook;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsFilterTest {

    private static final short PRODUCE_VERSION = 12;

    private final MeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void countsEveryErrorCodeOfAResponseButNotSuccesses() {
        FakeHooks hooks = register(null);
        assertNotNull(hooks.anyResponse, "without apis every response is counted");
        assertTrue(hooks.responseHooks.isEmpty() && hooks.requestHooks.isEmpty() && hooks.anyRequest == null);

        ProduceResponseData response = produceResponse(Errors.NOT_LEADER_OR_FOLLOWER, Errors.NONE,
                Errors.NOT_LEADER_OR_FOLLOWER, Errors.TOPIC_AUTHORIZATION_FAILED, Errors.NONE);
        FakeResponseContext<ApiMessage> context = new FakeResponseContext<>(ApiKeys.PRODUCE, PRODUCE_VERSION,
                FakeConnection.of("vc-1", "c"), response);
        var returned = hooks.anyResponse.onResponse(context, response);

        assertEquals(FakeResponseContext.Action.PASS, context.action());
        assertSame(context.stage(), returned);
        assertEquals(2.0, count("vc-1", "Produce", "NOT_LEADER_OR_FOLLOWER"));
        assertEquals(1.0, count("vc-1", "Produce", "TOPIC_AUTHORIZATION_FAILED"));
        assertNull(registry.find(MetricsFilter.ERRORS).tag("error", "NONE").counter());
        assertEquals(Set.of("NOT_LEADER_OR_FOLLOWER", "TOPIC_AUTHORIZATION_FAILED"), errorTags());

        // a second response adds to the same counters; another virtual cluster gets its own
        hooks.anyResponse.onResponse(new FakeResponseContext<>(ApiKeys.PRODUCE, PRODUCE_VERSION,
                FakeConnection.of("vc-1", "c"), response), response);
        hooks.anyResponse.onResponse(new FakeResponseContext<>(ApiKeys.PRODUCE, PRODUCE_VERSION,
                FakeConnection.of("vc-2", "c"), response), response);
        assertEquals(4.0, count("vc-1", "Produce", "NOT_LEADER_OR_FOLLOWER"));
        assertEquals(2.0, count("vc-2", "Produce", "NOT_LEADER_OR_FOLLOWER"));
    }

    @Test
    void errorsOfAuthenticatedClientsAreCountedPerPrincipal() {
        FakeHooks hooks = register(null);
        ProduceResponseData response = produceResponse(Errors.TOPIC_AUTHORIZATION_FAILED);
        for (FakeConnection connection : List.of(FakeConnection.of("vc", "c").withPrincipal("User:alice"),
                FakeConnection.of("vc", "c").withPrincipal("User:alice"), FakeConnection.of("vc", "c"))) {
            hooks.anyResponse.onResponse(new FakeResponseContext<>(ApiKeys.PRODUCE, PRODUCE_VERSION, connection,
                    response), response);
        }
        assertEquals(2.0, registry.find(MetricsFilter.ERRORS).tags("principal", "User:alice").counter().count());
        assertEquals(1.0, registry.find(MetricsFilter.ERRORS).tags("principal", "").counter().count());
    }

    @Test
    void countsTopLevelErrorsOfOtherApis() {
        FakeHooks hooks = register(null);
        MetadataResponseData metadata = new MetadataResponseData();
        metadata.topics().add(new MetadataResponseData.MetadataResponseTopic().setName("gone")
                .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
        hooks.anyResponse.onResponse(new FakeResponseContext<>(ApiKeys.METADATA, (short) 12,
                FakeConnection.of("vc", "c"), metadata), metadata);
        FetchResponseData fetch = new FetchResponseData().setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code());
        hooks.anyResponse.onResponse(new FakeResponseContext<>(ApiKeys.FETCH, (short) 17,
                FakeConnection.of("vc", "c"), fetch), fetch);
        assertEquals(1.0, count("vc", "Metadata", "UNKNOWN_TOPIC_OR_PARTITION"));
        assertEquals(1.0, count("vc", "Fetch", "FETCH_SESSION_ID_NOT_FOUND"));
    }

    @Test
    void aResponseWithoutErrorsRegistersNoCounter() {
        FakeHooks hooks = register(null);
        ProduceResponseData response = produceResponse(Errors.NONE, Errors.NONE);
        FakeResponseContext<ApiMessage> context = new FakeResponseContext<>(ApiKeys.PRODUCE, PRODUCE_VERSION,
                FakeConnection.of("vc", "c"), response);
        hooks.anyResponse.onResponse(context, response);
        assertEquals(FakeResponseContext.Action.PASS, context.action());
        assertTrue(registry.find(MetricsFilter.ERRORS).counters().isEmpty());
    }

    @Test
    void namedApisGetHooksOfTheirOwn() {
        FakeHooks hooks = register("apis: [Produce, Fetch]");
        assertNull(hooks.anyResponse);
        assertEquals(List.of(ApiKeys.PRODUCE, ApiKeys.FETCH), List.copyOf(hooks.responseHooks.keySet()));
        assertTrue(hooks.requestHooks.isEmpty());

        ProduceResponseData response = produceResponse(Errors.REQUEST_TIMED_OUT);
        ResponseHook<ProduceResponseData> hook = hooks.response(KafkaApi.PRODUCE);
        FakeResponseContext<ProduceResponseData> context = new FakeResponseContext<>(KafkaApi.PRODUCE,
                PRODUCE_VERSION, FakeConnection.of("vc", "c"), response);
        hook.onResponse(context, response);
        assertEquals(FakeResponseContext.Action.PASS, context.action());
        assertEquals(1.0, count("vc", "Produce", "REQUEST_TIMED_OUT"));
    }

    @Test
    void unknownApiNamesAreNamedByIndex() throws Exception {
        MetricsConfig config = Yaml.bind("apis: [Produce, Prodce]", MetricsConfig.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MetricsFactory().create(config, new FakeFactoryContext("m", registry)));
        assertTrue(e.getMessage().startsWith("apis[1]: unknown API 'Prodce' (known: Produce, Fetch, ListOffsets, "),
                e.getMessage());
        assertTrue(e.getMessage().contains("OffsetCommit"), e.getMessage());

        MetricsConfig lowerCase = Yaml.bind("apis: [produce]", MetricsConfig.class);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new MetricsFactory().create(lowerCase, new FakeFactoryContext("m", registry)))
                .getMessage().startsWith("apis[0]: unknown API 'produce'"));

        MetricsConfig empty = Yaml.bind("apis: []", MetricsConfig.class);
        assertEquals("apis: empty; name at least one API, or leave apis out to count every API",
                assertThrows(IllegalArgumentException.class,
                        () -> new MetricsFactory().create(empty, new FakeFactoryContext("m", registry))).getMessage());
    }

    @Test
    void everyKafkaApiCanBeNamed() throws Exception {
        // every API kafka-clients has message classes for (ApiKeys also lists retired ones, e.g. LeaderAndIsr)
        List<String> names = new ArrayList<>();
        Set<ApiKeys> keys = new java.util.HashSet<>();
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
        MetricsConfig config = new MetricsConfig(names);
        FakeHooks hooks = new FakeHooks();
        new MetricsFactory().create(config, new FakeFactoryContext("m", registry)).register(hooks);
        assertEquals(keys, hooks.responseHooks.keySet());
    }

    @Test
    void configBinding() throws Exception {
        assertEquals(new MetricsConfig(null), Yaml.bind("{}", MetricsConfig.class));
        assertThrows(UnrecognizedPropertyException.class, () -> Yaml.bind("api: [Produce]", MetricsConfig.class));
    }

    private FakeHooks register(String yaml) {
        try {
            MetricsConfig config = yaml == null ? null : Yaml.bind(yaml, MetricsConfig.class);
            Filter filter = new MetricsFactory().create(config, new FakeFactoryContext("m", registry));
            FakeHooks hooks = new FakeHooks();
            filter.register(hooks);
            return hooks;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
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
