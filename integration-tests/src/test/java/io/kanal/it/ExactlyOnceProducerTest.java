package io.kanal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Idempotent and transactional producers through the proxy. Both need the proxy to pass producer ids, epochs and
 * sequence numbers through untouched, and transactions need the transaction coordinator to be found and reached
 * through it; a read_committed consumer must then see the committed records exactly once and nothing aborted.
 */
@SharedCluster
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExactlyOnceProducerTest {

    private static final int PARTITIONS = 3;
    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(60);

    private static ProxyFixture proxy;

    @BeforeAll
    static void useProxy(ProxyFixture fixture) {
        proxy = fixture;
    }

    @Test
    void idempotentProducerWritesEveryRecordOnce(KafkaCluster cluster) throws Exception {
        String topic = createTopic(cluster, "idempotent");
        List<String> sent = values("idempotent", 2_000);

        try (KafkaProducer<String, String> producer = Clients.producer(proxy.bootstrapServers(), Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5))) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (String value : sent) {
                sends.add(producer.send(new ProducerRecord<>(topic, value, value)));
            }
            producer.flush();
            for (Future<RecordMetadata> send : sends) {
                send.get();
            }
        }

        assertEquals(sorted(sent), sorted(readAll(topic, "read_committed")));
    }

    @Test
    void readCommittedConsumerSeesCommittedTransactionsOnly(KafkaCluster cluster) throws Exception {
        String topic = createTopic(cluster, "transactions");
        List<String> committed = values("committed", 300);
        List<String> aborted = values("aborted", 200);
        List<String> committedLater = values("committed-later", 100);

        try (KafkaProducer<String, String> producer = Clients.producer(proxy.bootstrapServers(), Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, Names.unique("tx"),
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000))) {
            producer.initTransactions();
            sendInTransaction(producer, topic, committed);
            producer.commitTransaction();

            sendInTransaction(producer, topic, aborted);
            // The aborted records reach the log before the abort, so only the transaction markers keep them out.
            producer.flush();
            producer.abortTransaction();

            sendInTransaction(producer, topic, committedLater);
            producer.commitTransaction();
        }

        List<String> expected = new ArrayList<>(committed);
        expected.addAll(committedLater);
        assertEquals(sorted(expected), sorted(readAll(topic, "read_committed")), "what read_committed sees");

        // The aborted records are in the log: read_uncommitted sees them, so read_committed filtered them out above.
        List<String> everything = new ArrayList<>(expected);
        everything.addAll(aborted);
        assertEquals(sorted(everything), sorted(readAll(topic, "read_uncommitted")), "what read_uncommitted sees");
    }

    private static void sendInTransaction(KafkaProducer<String, String> producer, String topic, List<String> values) {
        producer.beginTransaction();
        for (String value : values) {
            producer.send(new ProducerRecord<>(topic, value, value));
        }
    }

    /**
     * Reads every partition through the proxy from the start to its end offset, as seen at the given isolation level
     * (for read_committed the end is the last stable offset), with no group involved.
     */
    private static List<String> readAll(String topic, String isolationLevel) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(proxy.bootstrapServers(),
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel))) {
            List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
                    .mapToObj(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("did not reach end offsets " + end + " within " + CONSUME_TIMEOUT
                            + "; read " + values.size() + " records");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            return values;
        }
    }

    private static String createTopic(KafkaCluster cluster, String purpose) throws Exception {
        try (Admin admin = cluster.directAdmin()) {
            return Topics.create(admin, purpose, PARTITIONS);
        }
    }

    private static List<String> values(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    }

    private static List<String> sorted(List<String> values) {
        return values.stream().sorted().collect(Collectors.toList());
    }
}
