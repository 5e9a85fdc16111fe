package io.kanal.it.filters;

import io.kanal.it.Clients;
import io.kanal.it.Topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import io.kanal.it.KafkaCluster;

/**
 * Topic set-up and reading helpers the filter tests need beyond {@code io.kanal.it}'s {@link Clients} and
 * {@link Topics}.
 */
final class FilterClients {


    private FilterClients() {
    }




    /** Creates {@code name} on the real cluster with every partition led by the same broker, and waits for full ISRs. */
    static void createTopicLedBy(KafkaCluster cluster, String name, int partitions, int leader) throws Exception {
        List<Integer> replicas = new ArrayList<>(List.of(leader));
        KafkaCluster.brokerIds().stream().filter(id -> id != leader).forEach(replicas::add);
        Map<Integer, List<Integer>> assignment = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            assignment.put(p, replicas);
        }
        create(cluster, new NewTopic(name, assignment), partitions);
    }

    static void createTopic(KafkaCluster cluster, String name, int partitions, Map<String, String> configs)
            throws Exception {
        create(cluster, new NewTopic(name, partitions, Topics.REPLICATION_FACTOR).configs(configs), partitions);
    }

    private static void create(KafkaCluster cluster, NewTopic topic, int partitions) throws Exception {
        try (Admin admin = cluster.directAdmin()) {
            admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
            Topics.awaitReady(admin, topic.name(), partitions);
        }
    }

    /** Every record of {@code topic} up to its current end offsets, read with a consumer through {@code bootstrap}. */
    static List<ConsumerRecord<String, String>> readAll(String bootstrapServers, String topic, String isolation,
                                                        Duration timeout) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrapServers,
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("read " + records.size() + " records of " + topic + " within "
                            + timeout.toSeconds() + "s; end offsets " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    /** The sum of the end offsets of {@code topic}'s partitions on the real cluster. */
    static long endOffsetSum(KafkaCluster cluster, String topic) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.bootstrapServers(), Map.of())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
