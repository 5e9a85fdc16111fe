package io.kanal.it.mesh.consume;

import io.kanal.it.ChildProcess;
import io.kanal.it.Clients;
import io.kanal.it.KanalProcess;
import io.kanal.it.Names;
import io.kanal.it.mesh.MeshClusters;
import io.kanal.it.mesh.WithMeshClusters;
import io.kanal.proxy.testing.FreePorts;
import io.kanal.testkafka.KraftTestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InconsistentGroupProtocolException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reading through Kanal as a user runs it from config-examples/mesh.yaml (the real kanal.jar, a process of its own)
 * in front of three real clusters: records produced straight to {@code apples.x}, {@code bananas.y} and
 * {@code cherries.z} in their own clusters are read back through the one mesh endpoint by consumer groups (classic and
 * KIP-848), whose offsets are committed in the topic's cluster and resumed from; by one consumer assigned partitions
 * of all three clusters; and by kcat. A group subscribing to topics of two clusters gets an error at once.
 */
@WithMeshClusters
@Timeout(value = 6, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MeshConsumeProcessTest {

    private static final Path EXAMPLE = Path.of("..").toAbsolutePath().normalize()
            .resolve("config-examples/mesh.yaml");
    private static final int PARTITIONS = 2;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(90);

    private static KanalProcess kanal;

    @BeforeAll
    static void startKanal(MeshClusters clusters) throws Exception {
        int port = FreePorts.consecutive(2);
        Map<String, String> environment = new LinkedHashMap<>(clusters.environment());
        environment.put("MESH_PORT", Integer.toString(port));
        environment.put("KANAL_ADMIN_PORT", Integer.toString(port + 1));
        kanal = KanalProcess.start(EXAMPLE, List.of(), environment, port);
        for (KraftTestCluster cluster : List.of(clusters.apples(), clusters.bananas(), clusters.cherries())) {
            ensureTopic(cluster, topicOf(cluster));
        }
    }

    @AfterAll
    static void stopKanal() throws Exception {
        if (kanal != null) {
            kanal.close();
        }
    }

    @Test
    void aClassicGroupReadsThroughTheMeshCommitsInTheTopicsClusterAndResumesFromThere(MeshClusters clusters)
            throws Exception {
        groupReadsCommitsAndResumes(clusters.apples(), "classic");
    }

    @Test
    void aKip848GroupReadsThroughTheMeshCommitsInTheTopicsClusterAndResumesFromThere(MeshClusters clusters)
            throws Exception {
        groupReadsCommitsAndResumes(clusters.bananas(), "consumer");
    }

    private static void groupReadsCommitsAndResumes(KraftTestCluster cluster, String protocol) throws Exception {
        String topic = topicOf(cluster);
        String group = Names.unique("mesh-group-" + protocol);
        String first = Names.unique("first");
        Map<Integer, List<String>> firstBatch = produceDirectly(cluster, topic, first, 40);
        Map<String, Object> settings = Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);

        try (KafkaConsumer<String, String> consumer = Clients.consumer(kanal.bootstrapServers(), settings)) {
            consumer.subscribe(List.of(topic));
            Map<Integer, List<String>> read = readUntil(consumer, first,
                    got -> sizes(got).equals(sizes(firstBatch)));
            assertEquals(firstBatch, read, "each record once, in order, in its partition");
            consumer.commitSync();
        }
        Map<TopicPartition, Long> ends = endOffsets(cluster, topic);
        assertEquals(ends, committedDirectly(cluster, group), "committed in " + cluster.name() + " itself");

        String second = Names.unique("second");
        Map<Integer, List<String>> secondBatch = produceDirectly(cluster, topic, second, 10);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(kanal.bootstrapServers(), settings)) {
            consumer.subscribe(List.of(topic));
            List<String> seen = new ArrayList<>();
            Map<Integer, List<String>> read = new LinkedHashMap<>();
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!sizes(read).equals(sizes(secondBatch)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(record.value());
                    if (record.value().startsWith(second)) {
                        read.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.value());
                    }
                }
            }
            assertEquals(secondBatch, read);
            assertEquals(secondBatch.values().stream().mapToInt(List::size).sum(), seen.size(),
                    "resumed from the committed offsets, nothing read twice: " + seen);
        }
    }

    @Test
    void aConsumerAssignedPartitionsOfAllThreeClustersReadsThemAtOnce(MeshClusters clusters) throws Exception {
        String prefix = Names.unique("assigned");
        Map<TopicPartition, Long> from = new LinkedHashMap<>();
        Map<TopicPartition, List<String>> expected = new LinkedHashMap<>();
        for (KraftTestCluster cluster : List.of(clusters.apples(), clusters.bananas(), clusters.cherries())) {
            String topic = topicOf(cluster);
            from.putAll(endOffsets(cluster, topic));
            produceDirectly(cluster, topic, prefix, 30).forEach((partition, values) ->
                    expected.put(new TopicPartition(topic, partition), values));
        }

        try (KafkaConsumer<String, String> consumer = Clients.consumer(kanal.bootstrapServers(), Map.of())) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            Map<TopicPartition, List<String>> read = new LinkedHashMap<>();
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!read.equals(expected) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    read.computeIfAbsent(new TopicPartition(record.topic(), record.partition()),
                            partition -> new ArrayList<>()).add(record.value());
                }
            }
            assertEquals(expected, read);
        }
    }

    @Test
    void kcatReadsThroughTheMesh(MeshClusters clusters) throws Exception {
        Path kcat = ChildProcess.kcat();
        KraftTestCluster cherries = clusters.cherries();
        String topic = topicOf(cherries);
        long start = endOffsets(cherries, topic).get(new TopicPartition(topic, 0));
        List<String> expected = produceDirectly(cherries, topic, Names.unique("kcat"), 40).get(0);

        // -o: the first offset to read; -c: exit after that many records; -q: nothing but the records.
        ChildProcess.Result consumed = ChildProcess.run(List.of(kcat.toString(), "-C", "-b",
                kanal.bootstrapServers(), "-t", topic, "-p", "0", "-o", Long.toString(start),
                "-c", Integer.toString(expected.size()), "-q", "-f", "%s\\n"), "", Duration.ofSeconds(60));

        assertEquals(0, consumed.exitCode(), consumed::describe);
        assertEquals(expected, consumed.stdoutLines(), consumed::describe);
    }

    @Test
    void aClassicGroupSubscribingToTopicsOfTwoClustersFailsAtOnce(MeshClusters clusters) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(kanal.bootstrapServers(), Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, Names.unique("spanning-classic"),
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic"))) {
            consumer.subscribe(List.of(topicOf(clusters.apples()), topicOf(clusters.bananas())));
            KafkaException refused = assertThrows(KafkaException.class, () -> pollFor(consumer));
            assertInstanceOf(InconsistentGroupProtocolException.class, refused, refused::toString);
        }
        assertTrue(kanal.readLog().contains("'cluster1' (apples.x), 'cluster2' (bananas.y)"),
                "the mesh's log names the clusters and their topics");
    }

    @Test
    void aKip848GroupSubscribingToTopicsOfTwoClustersFailsAtOnceNamingThem(MeshClusters clusters) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(kanal.bootstrapServers(), Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, Names.unique("spanning-848"),
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer"))) {
            consumer.subscribe(List.of(topicOf(clusters.apples()), topicOf(clusters.bananas())));
            KafkaException refused = assertThrows(KafkaException.class, () -> pollFor(consumer));
            assertInstanceOf(InvalidRequestException.class, refused, refused::toString);
            assertTrue(refused.getMessage().contains("'cluster1' (apples.x), 'cluster2' (bananas.y)"),
                    refused.getMessage());
        }
    }

    // ---- Helpers ----

    /** The example's topic of each cluster. */
    private static String topicOf(KraftTestCluster cluster) {
        return switch (cluster.name()) {
            case "cluster1" -> "apples.x";
            case "cluster2" -> "bananas.y";
            case "cluster3" -> "cherries.z";
            default -> throw new IllegalArgumentException(cluster.name());
        };
    }

    /** Other tests of the run use the example's topics too: made once, with what they hold left alone. */
    private static void ensureTopic(KraftTestCluster cluster, String topic) throws Exception {
        try (Admin admin = cluster.admin()) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all()
                        .get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }

    /** Writes {@code count} records to each partition, straight to the cluster; returns the values by partition. */
    private static Map<Integer, List<String>> produceDirectly(KraftTestCluster cluster, String topic, String prefix,
                                                             int count) throws Exception {
        Map<Integer, List<String>> values = new LinkedHashMap<>();
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.bootstrapServers(), Map.of())) {
            for (int partition = 0; partition < PARTITIONS; partition++) {
                for (int index = 0; index < count; index++) {
                    String value = prefix + "-" + partition + "-" + index;
                    producer.send(new ProducerRecord<>(topic, partition, "k" + index, value)).get(30,
                            TimeUnit.SECONDS);
                    values.computeIfAbsent(partition, p -> new ArrayList<>()).add(value);
                }
            }
        }
        return values;
    }

    private static Map<TopicPartition, Long> endOffsets(KraftTestCluster cluster, String topic) {
        try (KafkaConsumer<String, String> direct = Clients.consumer(cluster.bootstrapServers(), Map.of())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int partition = 0; partition < PARTITIONS; partition++) {
                partitions.add(new TopicPartition(topic, partition));
            }
            return new LinkedHashMap<>(direct.endOffsets(partitions));
        }
    }

    private static Map<TopicPartition, Long> committedDirectly(KraftTestCluster cluster, String group)
            throws Exception {
        try (Admin admin = cluster.admin()) {
            Map<TopicPartition, Long> committed = new LinkedHashMap<>();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).entrySet()) {
                committed.put(entry.getKey(), entry.getValue().offset());
            }
            return committed;
        }
    }

    /** Polls until {@code done} holds for the values starting with {@code prefix} read so far, by partition. */
    private static Map<Integer, List<String>> readUntil(KafkaConsumer<String, String> consumer, String prefix,
                                                        Predicate<Map<Integer, List<String>>> done) {
        Map<Integer, List<String>> read = new LinkedHashMap<>();
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (!done.test(read) && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.value().startsWith(prefix)) {
                    read.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.value());
                }
            }
        }
        return read;
    }

    private static Map<Integer, Integer> sizes(Map<Integer, List<String>> values) {
        Map<Integer, Integer> sizes = new LinkedHashMap<>();
        values.forEach((partition, list) -> sizes.put(partition, list.size()));
        return sizes;
    }

    private static void pollFor(KafkaConsumer<String, String> consumer) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200));
        }
    }
}
