package io.kanal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.NodeIdRange;

/**
 * The produce/consume smoke test against Kafka in a container (the official apache/kafka image, one combined
 * broker-controller), for developers who run Kafka that way. Skipped, never failed, where no Docker engine is
 * available, as on CI; the in-JVM cluster covers everything else.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestcontainersSmokeTest {

    /** The image of the Kafka release the rest of the suite embeds. */
    private static final String IMAGE = "apache/kafka:4.3.1";
    /** Testcontainers' KafkaContainer runs a single node with node id 1. */
    private static final NodeIdRange CONTAINER_NODE_IDS = new NodeIdRange(1, 1);
    private static final int RECORDS = 1_000;

    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer(IMAGE);

    private static ProxyFixture proxy;

    @BeforeAll
    static void startProxy() {
        List<HostPort> targets = List.of(KAFKA.getBootstrapServers().split(",")).stream().map(HostPort::parse).toList();
        proxy = ProxyFixture.start(targets, CONTAINER_NODE_IDS);
    }

    @AfterAll
    static void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void producesAndConsumesThroughTheProxy() throws Exception {
        String topic = Names.unique("container");
        try (Admin admin = Clients.admin(proxy.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        List<String> values = IntStream.range(0, RECORDS).mapToObj(i -> "container-" + i).toList();

        List<String> consumed = RoundTrip.produceAndConsume(proxy.bootstrapServers(), Map.of(), topic, values)
                .stream().map(ConsumerRecord::value).toList();

        // One partition: the records come back in the order they were sent, each once.
        assertEquals(values, consumed);
    }
}
