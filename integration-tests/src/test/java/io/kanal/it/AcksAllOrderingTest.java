package io.kanal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bulk run through the proxy: 100,000 records produced with acks=all to three fully replicated partitions, then
 * consumed back. Every record the brokers acknowledged must come back exactly once, at the offset it was acknowledged
 * at, in the order it was sent to its partition.
 */
@SharedCluster
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AcksAllOrderingTest {

    private static final int PARTITIONS = 3;
    private static final int RECORDS = 100_000;

    private static ProxyFixture proxy;

    @BeforeAll
    static void useProxy(ProxyFixture fixture) {
        proxy = fixture;
    }

    @Test
    void everyAcknowledgedRecordIsConsumedOnceInPartitionOrder(KafkaCluster cluster) throws Exception {
        String topic;
        try (Admin admin = cluster.directAdmin()) {
            topic = Topics.create(admin, "acks-all", PARTITIONS);
        }

        long[][] ackedOffsets = produce(topic);

        try (KafkaConsumer<String, String> consumer = Clients.consumer(proxy.bootstrapServers(),
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, String>> records = Consuming.atLeast(consumer, RECORDS, Duration.ofSeconds(120));

            assertEquals(RECORDS, records.size(), "records consumed");
            int[] nextSequence = new int[PARTITIONS];
            for (ConsumerRecord<String, String> record : records) {
                int p = record.partition();
                int sequence = sequenceOf(record.value(), p);
                // Records of one partition arrive in offset order, so sequences must count up without gap or repeat.
                assertEquals(nextSequence[p], sequence, () -> "next sequence in partition " + p + ", got " + record);
                assertEquals(ackedOffsets[p][sequence], record.offset(), () -> "acknowledged offset of " + record.value());
                nextSequence[p]++;
            }
            for (int p = 0; p < PARTITIONS; p++) {
                assertEquals(ackedOffsets[p].length, nextSequence[p], "records consumed from partition " + p);
            }
        }
    }

    /** Sends record i to partition i % 3 as "partition:sequence"; returns the acknowledged offset per partition and sequence. */
    private static long[][] produce(String topic) {
        long[][] acked = new long[PARTITIONS][];
        for (int p = 0; p < PARTITIONS; p++) {
            acked[p] = new long[RECORDS / PARTITIONS + (p < RECORDS % PARTITIONS ? 1 : 0)];
        }
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        try (KafkaProducer<String, String> producer = Clients.producer(proxy.bootstrapServers(),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024))) {
            for (int i = 0; i < RECORDS; i++) {
                int partition = i % PARTITIONS;
                int sequence = i / PARTITIONS;
                producer.send(new ProducerRecord<>(topic, partition, null, partition + ":" + sequence), (metadata, error) -> {
                    if (error != null) {
                        firstFailure.compareAndSet(null, error);
                    } else {
                        acked[partition][sequence] = metadata.offset();
                    }
                });
            }
            producer.flush();
        }
        assertNull(firstFailure.get(), "a send failed");
        return acked;
    }

    private static int sequenceOf(String value, int partition) {
        String prefix = partition + ":";
        if (!value.startsWith(prefix)) {
            throw new AssertionError("record " + value + " was consumed from partition " + partition);
        }
        return Integer.parseInt(value.substring(prefix.length()));
    }
}
