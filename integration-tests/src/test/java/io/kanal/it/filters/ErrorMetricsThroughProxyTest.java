package io.kanal.it.filters;

import io.kanal.it.Clients;

import io.kanal.it.Names;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.kanal.filters.metrics.MetricsConfig;
import io.kanal.filters.metrics.MetricsFactory;
import io.kanal.filters.topicpolicy.TopicPolicyConfig;
import io.kanal.filters.topicpolicy.TopicPolicyFactory;
import io.kanal.it.KafkaCluster;
import io.kanal.it.ProxyFixture;
import io.kanal.it.SharedCluster;
import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.filter.FilterFactoryContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The {@code metrics} filter, nearest the client, counts the errors clients receive: from the broker, and from a
 * filter behind it ({@code topic-policy}) that answers for the broker.
 */
@SharedCluster
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ErrorMetricsThroughProxyTest {

    private static final SimpleMeterRegistry REGISTRY = new SimpleMeterRegistry();
    private static ProxyFixture proxy;

    @BeforeAll
    static void startProxy(KafkaCluster cluster) {
        NamedFilter metrics = new NamedFilter("errors", new MetricsFactory().create(new MetricsConfig(null),
                FilterFactoryContext.of("errors", REGISTRY)));
        NamedFilter policy = new NamedFilter("policy", new TopicPolicyFactory().create(
                new TopicPolicyConfig(List.of("allowed-.*")), FilterFactoryContext.of("policy", REGISTRY)));
        proxy = ProxyFixture.start(cluster, List.of(metrics, policy), REGISTRY);
    }

    @AfterAll
    static void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void countsTheRefusalsOfAFilterBehindIt(KafkaCluster cluster) throws Exception {
        String denied = Names.unique("denied-metrics");
        FilterClients.createTopic(cluster, denied, 3, Map.of());
        double before = count("Produce", "TOPIC_AUTHORIZATION_FAILED");
        try (KafkaProducer<String, String> producer = Clients.producer(proxy.bootstrapServers(), Map.of())) {
            for (int partition = 0; partition < 3; partition++) {
                int p = partition;
                ExecutionException e = assertThrows(ExecutionException.class, () -> producer.send(
                        new ProducerRecord<>(denied, p, "k", "v")).get(60, TimeUnit.SECONDS));
                assertInstanceOf(TopicAuthorizationException.class, e.getCause());
            }
        }
        assertEquals(before + 3, count("Produce", "TOPIC_AUTHORIZATION_FAILED"));
    }

    @Test
    void countsBrokerErrors(KafkaCluster cluster) throws Exception {
        String small = Names.unique("allowed-small");
        FilterClients.createTopic(cluster, small, 1, Map.of("max.message.bytes", "2000"));
        double before = count("Produce", "MESSAGE_TOO_LARGE");
        try (KafkaProducer<String, String> producer = Clients.producer(proxy.bootstrapServers(), Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"))) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> producer.send(
                    new ProducerRecord<>(small, "k", "x".repeat(10_000))).get(60, TimeUnit.SECONDS));
            assertInstanceOf(RecordTooLargeException.class, e.getCause());
            // a record that fits is written, and counts nothing
            producer.send(new ProducerRecord<>(small, "k", "fits")).get(60, TimeUnit.SECONDS);
        }
        assertEquals(before + 1, count("Produce", "MESSAGE_TOO_LARGE"));
        assertNull(REGISTRY.find("kanal.errors").tag("error", "NONE").counter(), "successes are not counted");
    }

    private static double count(String api, String error) {
        Counter counter = REGISTRY.find("kanal.errors").tags("api", api, "error", error).counter();
        return counter == null ? 0 : counter.count();
    }
}
