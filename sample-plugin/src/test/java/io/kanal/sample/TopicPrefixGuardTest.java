package io.kanal.sample;

import io.kanal.filter.testkit.FilterHarness;
import io.kanal.filter.testkit.RequestResult;
import io.kanal.proxy.filter.KafkaApi;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sample filter run through Kanal's own filter engine by the filter test kit: what reaches the broker and what
 * the client reads, with no broker or network. Copy this with the plugin.
 */
class TopicPrefixGuardTest {

    private static final short VERSION = 7;

    private FilterHarness harness;

    @BeforeEach
    void start() {
        harness = FilterHarness.builder()
                .filter("team-a-topics", new TopicPrefixGuardFactory(), new TopicPrefixGuardFactory.Config("team-a."))
                .build();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void allowedTopicsGoToTheBrokerAsTheyArrived() {
        RequestResult<CreateTopicsRequestData, CreateTopicsResponseData> result =
                harness.request(KafkaApi.CREATE_TOPICS, VERSION, createTopics("team-a.orders", "team-a.payments"));

        assertFalse(result.changed());
        assertEquals(List.of("team-a.orders", "team-a.payments"), names(result.forwarded()));
    }

    @Test
    void whenEveryTopicIsRefusedTheClientIsAnsweredWithPolicyViolation() {
        CreateTopicsResponseData response = harness.request(KafkaApi.CREATE_TOPICS, VERSION,
                createTopics("orders", "team-b.orders")).response();

        assertEquals(2, response.topics().size());
        for (CreatableTopicResult topic : response.topics()) {
            assertEquals(Errors.POLICY_VIOLATION.code(), topic.errorCode(), topic.name());
            assertEquals("topic name must start with 'team-a.'", topic.errorMessage());
        }
    }

    @Test
    void theBrokerGetsOnlyTheAllowedTopicsAndTheClientHearsOfEveryOne() {
        RequestResult<CreateTopicsRequestData, CreateTopicsResponseData> result =
                harness.request(KafkaApi.CREATE_TOPICS, VERSION, createTopics("team-a.orders", "orders"));
        assertTrue(result.changed());
        assertEquals(List.of("team-a.orders"), names(result.forwarded()));

        CreateTopicsResponseData fromBroker = new CreateTopicsResponseData();
        fromBroker.topics().add(new CreatableTopicResult().setName("team-a.orders").setNumPartitions(1)
                .setReplicationFactor((short) 1));
        CreateTopicsResponseData toClient = result.brokerResponds(fromBroker).response();

        assertEquals(Errors.NONE.code(), toClient.topics().find("team-a.orders").errorCode());
        assertEquals(Errors.POLICY_VIOLATION.code(), toClient.topics().find("orders").errorCode());
    }

    @Test
    void anEmptyPrefixIsAConfigurationError() {
        FilterHarness.Builder builder = FilterHarness.builder()
                .filter("no-prefix", new TopicPrefixGuardFactory(), new TopicPrefixGuardFactory.Config(""));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, builder::build);
        assertEquals("prefix is required", refused.getMessage());
    }

    private static CreateTopicsRequestData createTopics(String... names) {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000);
        for (String name : names) {
            request.topics().add(new CreatableTopic().setName(name).setNumPartitions(1)
                    .setReplicationFactor((short) 1));
        }
        return request;
    }

    private static List<String> names(CreateTopicsRequestData request) {
        return request.topics().stream().map(CreatableTopic::name).toList();
    }
}
