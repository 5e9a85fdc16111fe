package io.kanal.it.mesh;

import io.kanal.it.ChildProcess;
import io.kanal.it.Clients;
import io.kanal.it.KanalProcess;
import io.kanal.it.Names;
import io.kanal.proxy.testing.FreePorts;
import io.kanal.testkafka.KraftTestCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kanal as a user runs it from config-examples/mesh.yaml, the real kanal.jar in a process of its own, in front of
 * three real clusters: a stock Java producer and kcat (librdkafka) write to {@code apples.x}, {@code bananas.y} and
 * {@code cherries.z} through the one mesh endpoint, and consumers connected to each cluster directly find every record
 * where it belongs, once and in order.
 */
@WithMeshClusters
@Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MeshExampleProcessTest {

    private static final Path EXAMPLE = Path.of("..").toAbsolutePath().normalize()
            .resolve("config-examples/mesh.yaml");
    private static final Duration KCAT_TIMEOUT = Duration.ofSeconds(60);
    private static final int RECORDS = 200;

    private static KanalProcess kanal;
    private static int meshPort;

    @BeforeAll
    static void startKanal(MeshClusters clusters) throws Exception {
        kanal = start(clusters);
        meshPort = Integer.parseInt(kanal.bootstrapServers().substring(kanal.bootstrapServers().indexOf(':') + 1));
    }

    /** The example on free ports: the mesh's and, right after it, the admin server's. */
    static KanalProcess start(MeshClusters clusters) throws Exception {
        int port = FreePorts.consecutive(2);
        Map<String, String> environment = new LinkedHashMap<>(clusters.environment());
        environment.put("MESH_PORT", Integer.toString(port));
        environment.put("KANAL_ADMIN_PORT", Integer.toString(port + 1));
        return KanalProcess.start(EXAMPLE, List.of(), environment, port);
    }

    @AfterAll
    static void stopKanal() throws Exception {
        if (kanal != null) {
            kanal.close();
        }
    }

    @Test
    void aJavaProducersRecordsAreFoundInTheRightClusterAndPartitionOnceAndInOrder(MeshClusters clusters)
            throws Exception {
        Map<KraftTestCluster, String> topics = new LinkedHashMap<>();
        topics.put(clusters.apples(), create(clusters.apples(), "apples.x", 2));
        topics.put(clusters.bananas(), create(clusters.bananas(), "bananas.y", 2));
        topics.put(clusters.cherries(), create(clusters.cherries(), "cherries.z", 2));
        long timestamp = System.currentTimeMillis() - 3_600_000;
        List<ProducerRecord<String, String>> sent = new ArrayList<>();
        List<Future<RecordMetadata>> acknowledged = new ArrayList<>();
        // Default settings: idempotent, acks=all.
        try (KafkaProducer<String, String> producer = Clients.producer(kanal.bootstrapServers(), Map.of())) {
            for (int i = 0; i < RECORDS; i++) {
                for (String topic : topics.values()) {
                    ProducerRecord<String, String> record = new ProducerRecord<>(topic, i % 2, timestamp + i,
                            "key-" + i, topic + "-value-" + i,
                            List.of(new RecordHeader("n", Integer.toString(i).getBytes(StandardCharsets.UTF_8))));
                    sent.add(record);
                    acknowledged.add(producer.send(record));
                }
            }
            producer.flush();
        }
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(sent.get(i).partition(), acknowledged.get(i).get().partition());
        }

        for (Map.Entry<KraftTestCluster, String> topic : topics.entrySet()) {
            List<ConsumerRecord<String, String>> received = MeshProduceTest.consumeAll(topic.getKey(),
                    topic.getValue(), RECORDS);
            assertEquals(RECORDS, received.size(), "exactly once in " + topic.getKey().name());
            for (int partition = 0; partition < 2; partition++) {
                int p = partition;
                List<ProducerRecord<String, String>> want = sent.stream()
                        .filter(record -> record.topic().equals(topic.getValue()) && record.partition() == p)
                        .toList();
                List<ConsumerRecord<String, String>> got = received.stream()
                        .filter(record -> record.partition() == p).toList();
                assertEquals(want.stream().map(ProducerRecord::value).toList(),
                        got.stream().map(ConsumerRecord::value).toList(), "in order in " + topic.getValue() + "-" + p);
                for (int i = 0; i < want.size(); i++) {
                    assertEquals(want.get(i).key(), got.get(i).key());
                    assertEquals(want.get(i).timestamp(), got.get(i).timestamp());
                    assertEquals(TimestampType.CREATE_TIME, got.get(i).timestampType());
                    assertArrayEquals(want.get(i).headers().lastHeader("n").value(),
                            got.get(i).headers().lastHeader("n").value());
                }
            }
        }
    }

    @Test
    void kcatRecordsAreFoundInTheRightClusterAndPartitionOnceAndInOrder(MeshClusters clusters) throws Exception {
        Path kcat = ChildProcess.kcat();
        Map<KraftTestCluster, String> topics = new LinkedHashMap<>();
        topics.put(clusters.apples(), create(clusters.apples(), "apples.x", 2));
        topics.put(clusters.bananas(), create(clusters.bananas(), "bananas.y", 2));
        topics.put(clusters.cherries(), create(clusters.cherries(), "cherries.z", 2));
        // One compression codec per cluster, and librdkafka's idempotent producer for one of them.
        Map<KraftTestCluster, List<String>> settings = Map.of(
                clusters.apples(), List.of("-z", "lz4"),
                clusters.bananas(), List.of("-X", "compression.codec=zstd", "-X", "enable.idempotence=true"),
                clusters.cherries(), List.of("-z", "gzip"));
        long before = System.currentTimeMillis();

        for (Map.Entry<KraftTestCluster, String> topic : topics.entrySet()) {
            List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> "k" + i + ":kcat-" + i).toList();
            List<String> command = new ArrayList<>(List.of(kcat.toString(), "-P", "-b", kanal.bootstrapServers(),
                    "-t", topic.getValue(), "-p", "1", "-K", ":", "-H", "source=kcat"));
            command.addAll(settings.get(topic.getKey()));
            ChildProcess.Result produced = ChildProcess.run(command, String.join("\n", lines) + "\n",
                    KCAT_TIMEOUT);
            assertEquals(0, produced.exitCode(), produced::describe);
        }

        for (Map.Entry<KraftTestCluster, String> topic : topics.entrySet()) {
            List<ConsumerRecord<String, String>> received = MeshProduceTest.consumeAll(topic.getKey(),
                    topic.getValue(), RECORDS);
            assertEquals(IntStream.range(0, RECORDS).mapToObj(i -> "kcat-" + i).toList(),
                    received.stream().map(ConsumerRecord::value).toList(),
                    "once and in order in " + topic.getKey().name());
            for (ConsumerRecord<String, String> record : received) {
                assertEquals(1, record.partition());
                assertEquals("k" + record.value().substring("kcat-".length()), record.key());
                assertEquals("kcat", new String(record.headers().lastHeader("source").value(),
                        StandardCharsets.UTF_8));
                assertTrue(record.timestamp() >= before - 1000, "librdkafka's timestamp is kept");
            }
        }
    }

    @Test
    void anUnknownTopicIsUnknownTopicOrPartitionAndTheSameConnectionKeepsWorking(MeshClusters clusters)
            throws Exception {
        String topic = create(clusters.cherries(), "cherries.after-unknown", 1);
        try (MeshWire wire = MeshWire.connect(meshPort)) {
            PartitionProduceResponse unknown = wire.produce((short) 9, Names.unique("durians.q"), 0, value("lost"));
            PartitionProduceResponse written = wire.produce((short) 9, topic, 0, value("kept"));

            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), unknown.errorCode());
            assertEquals(Errors.NONE.code(), written.errorCode(), written::errorMessage);
        }
        assertEquals(List.of("kept"), MeshProduceTest.consumeAll(clusters.cherries(), topic, 1).stream()
                .map(ConsumerRecord::value).toList());
    }

    @Test
    void acksZeroRecordsArrive(MeshClusters clusters) throws Exception {
        String topic = create(clusters.apples(), "apples.acks0", 1);
        try (KafkaProducer<String, String> producer = Clients.producer(kanal.bootstrapServers(), Map.of(
                ProducerConfig.ACKS_CONFIG, "0", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false))) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "acks0-" + i));
            }
            producer.flush();
        }

        assertEquals(IntStream.range(0, RECORDS).mapToObj(i -> "acks0-" + i).toList(),
                MeshProduceTest.consumeAll(clusters.apples(), topic, RECORDS).stream().map(ConsumerRecord::value)
                        .toList());
    }

    // ---- Helpers ----

    static String create(KraftTestCluster cluster, String prefix, int partitions) throws Exception {
        // Waits for the partitions' leaders: the broker learns of a new topic a moment after the controller
        // answers, and the wire-level tests here do not retry as a client would.
        String topic = Names.unique(prefix);
        cluster.createTopic(topic, partitions);
        return topic;
    }

    private static MemoryRecords value(String value) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(System.currentTimeMillis(), null,
                value.getBytes(StandardCharsets.UTF_8)));
    }
}
