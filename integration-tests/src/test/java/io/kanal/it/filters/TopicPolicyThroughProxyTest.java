package io.kanal.it.filters;

import io.kanal.it.Clients;

import io.kanal.it.Names;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.kanal.filters.topicpolicy.TopicPolicyConfig;
import io.kanal.filters.topicpolicy.TopicPolicyFactory;
import io.kanal.it.KafkaCluster;
import io.kanal.it.ProxyFixture;
import io.kanal.it.SharedCluster;
import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.filter.FilterFactoryContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The {@code topic-policy} filter in front of the real cluster. The Java 4.x producer names topics by id (Produce
 * v13), so these tests also cover the filter's out-of-band topic-id lookup.
 */
@SharedCluster
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TopicPolicyThroughProxyTest {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private static ProxyFixture proxy;

    @BeforeAll
    static void startProxy(KafkaCluster cluster) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        NamedFilter policy = new NamedFilter("policy", new TopicPolicyFactory().create(
                new TopicPolicyConfig(List.of("allowed-.*", "audit")),
                FilterFactoryContext.of("policy", registry)));
        proxy = ProxyFixture.start(cluster, List.of(policy), registry);
    }

    @AfterAll
    static void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void aRequestForAnAllowedAndADeniedTopicFailsOnlyTheDeniedRecords(KafkaCluster cluster) throws Exception {
        // both topics led by the same broker, and a linger, so that one produce request carries both
        int leader = KafkaCluster.FIRST_BROKER_ID;
        String allowed = Names.unique("allowed-mixed");
        String denied = Names.unique("denied-mixed");
        FilterClients.createTopicLedBy(cluster, allowed, 2, leader);
        FilterClients.createTopicLedBy(cluster, denied, 2, leader);

        try (KafkaProducer<String, String> producer = Clients.producer(proxy.bootstrapServers(), Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 500))) {
            // learn both topics' metadata first, so the sends below are batched together
            producer.partitionsFor(allowed);
            producer.partitionsFor(denied);
            Future<RecordMetadata> ok0 = producer.send(new ProducerRecord<>(allowed, 0, "k", "allowed-0"));
            Future<RecordMetadata> refused0 = producer.send(new ProducerRecord<>(denied, 0, "k", "denied-0"));
            Future<RecordMetadata> refused1 = producer.send(new ProducerRecord<>(denied, 1, "k", "denied-1"));
            Future<RecordMetadata> ok1 = producer.send(new ProducerRecord<>(allowed, 1, "k", "allowed-1"));
            producer.flush();

            assertEquals(0, ok0.get(60, TimeUnit.SECONDS).partition());
            assertEquals(1, ok1.get(60, TimeUnit.SECONDS).partition());
            assertDenied(refused0, denied);
            assertDenied(refused1, denied);

            // the producer carries on after the refusal
            producer.send(new ProducerRecord<>(allowed, 0, "k", "allowed-after")).get(60, TimeUnit.SECONDS);
        }

        List<ConsumerRecord<String, String>> records =
                FilterClients.readAll(proxy.bootstrapServers(), allowed, "read_uncommitted", READ_TIMEOUT);
        assertEquals(Set.of("allowed-0", "allowed-1", "allowed-after"),
                Set.copyOf(records.stream().map(ConsumerRecord::value).toList()));
        assertEquals(3, records.size());
        assertEquals(0L, FilterClients.endOffsetSum(cluster, denied), "nothing reached the denied topic");
    }

    @Test
    void aRequestForDeniedTopicsOnlyIsAnsweredByTheProxy(KafkaCluster cluster) throws Exception {
        String denied = Names.unique("denied-only");
        FilterClients.createTopic(cluster, denied, 3, Map.of());
        try (KafkaProducer<String, String> producer = Clients.producer(proxy.bootstrapServers(), Map.of())) {
            for (int partition = 0; partition < 3; partition++) {
                assertDenied(producer.send(new ProducerRecord<>(denied, partition, "k", "v" + partition)), denied);
            }
        }
        assertEquals(0L, FilterClients.endOffsetSum(cluster, denied));
    }

    @Test
    void withAcksZeroDeniedRecordsAreDroppedAndAllowedOnesWritten(KafkaCluster cluster) throws Exception {
        int leader = KafkaCluster.FIRST_BROKER_ID + 1;
        String allowed = Names.unique("allowed-acks0");
        String denied = Names.unique("denied-acks0");
        FilterClients.createTopicLedBy(cluster, allowed, 1, leader);
        FilterClients.createTopicLedBy(cluster, denied, 1, leader);
        try (KafkaProducer<String, String> producer = Clients.producer(proxy.bootstrapServers(), Map.of(
                ProducerConfig.ACKS_CONFIG, "0",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.LINGER_MS_CONFIG, 200))) {
            producer.partitionsFor(allowed);
            producer.partitionsFor(denied);
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(allowed, "a" + i));
                producer.send(new ProducerRecord<>(denied, "d" + i));
            }
            producer.flush();
            // acks=0: flush() returns once the request is written, and a producer closed now would hang up while
            // the proxy still holds the request (the topic-id lookup); so read while it stays connected
            List<ConsumerRecord<String, String>> records = awaitRecords(allowed, 20);
            assertEquals(20, records.size());
        }
        assertEquals(0L, FilterClients.endOffsetSum(cluster, denied));
    }

    private static List<ConsumerRecord<String, String>> awaitRecords(String topic, int expected) throws Exception {
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (true) {
            List<ConsumerRecord<String, String>> records =
                    FilterClients.readAll(proxy.bootstrapServers(), topic, "read_uncommitted", READ_TIMEOUT);
            if (records.size() >= expected || System.nanoTime() - deadline > 0) {
                return records;
            }
            Thread.sleep(200);
        }
    }

    private static void assertDenied(Future<RecordMetadata> send, String topic) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> send.get(60, TimeUnit.SECONDS));
        TopicAuthorizationException refused = assertInstanceOf(TopicAuthorizationException.class, e.getCause());
        assertTrue(refused.unauthorizedTopics().contains(topic), refused.unauthorizedTopics().toString());
    }
}
