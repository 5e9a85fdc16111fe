package io.kanal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A broker goes away while a producer writes through the proxy, then comes back. The producer (acks=all,
 * idempotent, retrying) must ride it out: partition leadership moves to the other brokers, the proxy must lead the
 * producer to them, every acknowledged record must survive, and sends must keep succeeding while the broker is down
 * and after it returns.
 *
 * <p>It runs last because it disturbs the shared cluster; it restarts the broker itself, and the cluster extension
 * makes the cluster whole again before any later class should this one fail midway.
 */
@SharedCluster
@Order(Integer.MAX_VALUE)
@Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BrokerRestartWhileProducingTest {

    private static final int PARTITIONS = 3;
    /** Acknowledged records awaited in each phase: before the stop, while the broker is down, after it is back. */
    private static final int RECORDS_PER_PHASE = 3_000;
    private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(90);

    private static ProxyFixture proxy;

    @BeforeAll
    static void useProxy(ProxyFixture fixture) {
        proxy = fixture;
    }

    @Test
    void producerLosesNoAcknowledgedRecordWhenABrokerStopsAndReturns(KafkaCluster cluster) throws Exception {
        String topic;
        int victim;
        try (Admin admin = cluster.directAdmin()) {
            topic = Topics.create(admin, "broker-restart", PARTITIONS);
            // Stop the leader of partition 0, so that at least one partition must move while records flow into it.
            victim = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().get(0).leader().id();
        }

        ContinuousProducer producer = new ContinuousProducer(topic);
        try {
            producer.awaitAcknowledged(RECORDS_PER_PHASE, "before the broker stops");

            cluster.stopBroker(victim);
            int ackedAtStop = producer.acknowledged();
            producer.awaitAcknowledged(ackedAtStop + RECORDS_PER_PHASE, "while broker " + victim + " is down");
            // A send to the partition the stopped broker led, waited for on its own: the producer found the new leader.
            producer.sendAndWait(0, Duration.ofSeconds(60));

            cluster.restartBroker(victim);
            int ackedAtRestart = producer.acknowledged();
            producer.awaitAcknowledged(ackedAtRestart + RECORDS_PER_PHASE, "after broker " + victim + " returned");
        } finally {
            producer.stop();
            if (!cluster.isRunning(victim)) {
                cluster.restartBroker(victim);
            }
        }

        assertEquals(List.of(), producer.failures(), "sends that failed; an idempotent, retrying producer should have none");
        Map<TopicPartition, Map<Long, String>> log = readLog(topic);
        producer.assertAllAcknowledgedIn(log);
        assertEquals(producer.acknowledged(), log.values().stream().mapToInt(Map::size).sum(),
                "records in the log versus records acknowledged: the idempotent producer must not duplicate any");
    }

    /** Every record of the topic by partition and offset, read through the proxy up to the end offsets. */
    private static Map<TopicPartition, Map<Long, String>> readLog(String topic) {
        Map<TopicPartition, Map<Long, String>> log = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(proxy.bootstrapServers(), Map.of())) {
            List<TopicPartition> partitions = IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            partitions.forEach(p -> log.put(p, new HashMap<>()));
            long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertTrue(System.nanoTime() - deadline < 0, () -> "did not read up to the end offsets " + end);
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    log.get(new TopicPartition(record.topic(), record.partition())).put(record.offset(), record.value());
                }
            }
        }
        return log;
    }

    /** Sends numbered records round-robin over the partitions from its own thread until stopped, as an application would. */
    private static final class ContinuousProducer {

        /** Records in flight at most, so the producer keeps sending through the outage without piling up memory. */
        private static final int MAX_OUTSTANDING = 500;

        private final String topic;
        private final KafkaProducer<String, String> producer;
        private final Map<String, RecordMetadata> acknowledged = new ConcurrentHashMap<>();
        private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final AtomicInteger ackCount = new AtomicInteger();
        private final Semaphore outstanding = new Semaphore(MAX_OUTSTANDING);
        private final Thread thread;
        private volatile boolean running = true;

        ContinuousProducer(String topic) {
            this.topic = topic;
            this.producer = Clients.producer(proxy.bootstrapServers(), Map.of(
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
                    ProducerConfig.LINGER_MS_CONFIG, 5));
            this.thread = new Thread(this::sendUntilStopped, "continuous-producer");
            thread.start();
        }

        private void sendUntilStopped() {
            int sequence = 0;
            while (running) {
                try {
                    if (!outstanding.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                int partition = sequence % PARTITIONS;
                String value = "record-" + sequence++;
                producer.send(new ProducerRecord<>(topic, partition, null, value), (metadata, error) -> {
                    outstanding.release();
                    if (error != null) {
                        failures.add(value + ": " + error);
                    } else {
                        acknowledged.put(value, metadata);
                        ackCount.incrementAndGet();
                    }
                });
            }
        }

        int acknowledged() {
            return ackCount.get();
        }

        void awaitAcknowledged(int count, String phase) {
            Await.result(PHASE_TIMEOUT, () -> count + " acknowledged records " + phase + " (" + failures.size() + " failed)",
                    ackCount::get, acked -> acked >= count);
        }

        void sendAndWait(int partition, Duration timeout) throws Exception {
            String value = "probe-" + partition;
            RecordMetadata metadata = producer.send(new ProducerRecord<>(topic, partition, null, value))
                    .get(timeout.toSeconds(), TimeUnit.SECONDS);
            acknowledged.put(value, metadata);
            ackCount.incrementAndGet();
        }

        List<String> failures() {
            return List.copyOf(failures);
        }

        /** Stops sending, waits for every outstanding record's outcome and closes the producer. */
        void stop() throws InterruptedException {
            running = false;
            thread.join(TimeUnit.SECONDS.toMillis(30));
            producer.flush();
            producer.close(Duration.ofSeconds(30));
        }

        void assertAllAcknowledgedIn(Map<TopicPartition, Map<Long, String>> log) {
            acknowledged.forEach((value, metadata) -> {
                String stored = log.get(new TopicPartition(metadata.topic(), metadata.partition())).get(metadata.offset());
                assertEquals(value, stored, () -> "record acknowledged at " + metadata + " is missing or different in the log");
            });
        }
    }
}
