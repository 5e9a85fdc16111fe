package io.kanal.it.filters;

import io.kanal.it.Clients;

import io.kanal.it.Names;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.kanal.filters.headerinject.HeaderInjectConfig;
import io.kanal.filters.headerinject.HeaderInjectFactory;
import io.kanal.it.KafkaCluster;
import io.kanal.it.ProxyFixture;
import io.kanal.it.SharedCluster;
import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.filter.FilterFactoryContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The {@code header-inject} filter in front of the real cluster: a stock producer's records arrive with the
 * configured headers after their own, with compressed batches, idempotent sequence numbers and transactions intact.
 */
@SharedCluster
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HeaderInjectThroughProxyTest {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    private static final String CLIENT_ID = "header-inject-it";

    private static ProxyFixture proxy;

    @BeforeAll
    static void startProxy(KafkaCluster cluster) {
        HeaderInjectConfig config = new HeaderInjectConfig(List.of(
                new HeaderInjectConfig.Header("x-origin", "kanal", null),
                new HeaderInjectConfig.Header("x-client", null, "clientId"),
                new HeaderInjectConfig.Header("x-principal", null, "principal"),
                new HeaderInjectConfig.Header("x-vc", null, "virtualCluster")));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        NamedFilter filter = new NamedFilter("inject", new HeaderInjectFactory().create(config,
                FilterFactoryContext.of("inject", registry)));
        proxy = ProxyFixture.start(cluster, List.of(filter), registry);
    }

    @AfterAll
    static void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @ParameterizedTest(name = "compression {0}")
    @ValueSource(strings = {"lz4", "zstd", "gzip", "snappy", "none"})
    void idempotentProducerRecordsArriveWithTheHeaders(String compression, KafkaCluster cluster) throws Exception {
        String topic = Names.unique("inject-" + compression);
        FilterClients.createTopic(cluster, topic, 3, Map.of());
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(proxy.bootstrapServers(), Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, CLIENT_ID,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, compression))) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                String value = compression + "-" + i;
                sent.add(value);
                List<Header> own = i % 2 == 0 ? List.of(new RecordHeader("own", bytes("h" + i))) : List.of();
                sends.add(producer.send(new ProducerRecord<>(topic, null, "k" + (i % 17), value, own)));
            }
            producer.flush();
            for (Future<RecordMetadata> send : sends) {
                send.get(60, TimeUnit.SECONDS);
            }
        }

        List<ConsumerRecord<String, String>> records =
                FilterClients.readAll(proxy.bootstrapServers(), topic, "read_uncommitted", READ_TIMEOUT);
        assertEquals(sorted(sent), sorted(records.stream().map(ConsumerRecord::value).toList()),
                "every record exactly once");
        for (ConsumerRecord<String, String> record : records) {
            int i = Integer.parseInt(record.value().substring(record.value().lastIndexOf('-') + 1));
            List<String> expected = new ArrayList<>();
            if (i % 2 == 0) {
                expected.add("own=h" + i);
            }
            expected.add("x-origin=kanal");
            expected.add("x-client=" + CLIENT_ID);
            assertEquals("k" + (i % 17), record.key());
            List<String> headers = headers(record);
            assertEquals(expected, headers.subList(0, expected.size()), "headers of " + record.value());
            assertEquals(expected.size() + 1, headers.size(), "no principal header without authentication: "
                    + headers);
            assertTrue(headers.get(expected.size()).matches("x-vc=it-\\d+"), headers.toString());
        }
    }

    @Test
    void transactionalProducerKeepsItsTransactions(KafkaCluster cluster) throws Exception {
        String topic = Names.unique("inject-tx");
        FilterClients.createTopic(cluster, topic, 2, Map.of());
        try (KafkaProducer<String, String> producer = Clients.producer(proxy.bootstrapServers(), Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, CLIENT_ID,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, Names.unique("tx"),
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd"))) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(topic, "committed-" + i));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>(topic, "aborted-" + i));
            }
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "committed-later"));
            producer.commitTransaction();
        }

        List<ConsumerRecord<String, String>> committed =
                FilterClients.readAll(proxy.bootstrapServers(), topic, "read_committed", READ_TIMEOUT);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add("committed-" + i);
        }
        expected.add("committed-later");
        assertEquals(sorted(expected), sorted(committed.stream().map(ConsumerRecord::value).toList()));
        for (ConsumerRecord<String, String> record : committed) {
            assertEquals(List.of("x-origin=kanal", "x-client=" + CLIENT_ID), headers(record).subList(0, 2));
        }
    }

    private static List<String> headers(ConsumerRecord<String, String> record) {
        List<String> headers = new ArrayList<>();
        for (Header header : record.headers()) {
            headers.add(header.key() + "=" + new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static List<String> sorted(List<String> values) {
        return values.stream().sorted().toList();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
