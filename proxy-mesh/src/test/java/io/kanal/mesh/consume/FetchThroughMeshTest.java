package io.kanal.mesh.consume;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fetch through the mesh against real brokers: one consumer reads partitions of two clusters, and of two brokers of
 * one cluster, in one fetch loop, getting every record once and in order.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FetchThroughMeshTest {

    private static TestKafka apples;
    private static TestKafka bananas;
    private static TestMesh mesh;

    @BeforeAll
    static void start() throws Exception {
        apples = TestKafka.start("apples", 2);
        bananas = TestKafka.start("bananas", 1);
        mesh = TestMesh.start(apples, bananas);
    }

    @AfterAll
    static void stop() throws Exception {
        if (mesh != null) {
            mesh.close();
        }
        for (TestKafka kafka : new TestKafka[]{apples, bananas}) {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    @Test
    void assignedPartitionsOfTwoClustersAndTwoLeadersAreReadInOrder() throws Exception {
        List<Integer> appleBrokers = apples.brokerIds();
        apples.createTopic("apples.assign", Map.of(0, List.of(appleBrokers.get(0)), 1, List.of(appleBrokers.get(1))));
        bananas.createTopic("bananas.assign", 1);
        apples.produce("apples.assign", 0, "a0", 500);
        apples.produce("apples.assign", 1, "a1", 300);
        bananas.produce("bananas.assign", 0, "b0", 400);
        TopicPartition a0 = new TopicPartition("apples.assign", 0);
        TopicPartition a1 = new TopicPartition("apples.assign", 1);
        TopicPartition b0 = new TopicPartition("bananas.assign", 0);

        try (KafkaConsumer<String, String> consumer = MeshConsumers.consumer(mesh.bootstrapServers(),
                Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4096))) {
            consumer.assign(List.of(a0, a1, b0));
            consumer.seekToBeginning(List.of(a0, a1, b0));
            Map<TopicPartition, List<String>> read = MeshConsumers.pollUntil(consumer, Duration.ofSeconds(60),
                    got -> got.getOrDefault(a0, List.of()).size() >= 500
                            && got.getOrDefault(a1, List.of()).size() >= 300
                            && got.getOrDefault(b0, List.of()).size() >= 400);

            assertEquals(MeshConsumers.values("a0", 500), read.get(a0));
            assertEquals(MeshConsumers.values("a1", 300), read.get(a1));
            assertEquals(MeshConsumers.values("b0", 400), read.get(b0));
        }
    }
}
