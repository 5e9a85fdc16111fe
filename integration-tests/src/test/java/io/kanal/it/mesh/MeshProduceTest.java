package io.kanal.it.mesh;

import io.kanal.it.Clients;
import io.kanal.it.Consuming;
import io.kanal.it.Names;
import io.kanal.testkafka.KraftTestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.kanal.it.mesh.MeshExampleProcessTest.create;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Produce through the mesh: each record lands in the cluster its topic lives in, in its partition, once and in order,
 * with its key, value, headers and timestamp; what the mesh cannot write is refused with the Kafka error a client
 * understands, and the connection goes on.
 */
@WithMeshClusters
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MeshProduceTest {

    private static final short PRODUCE_V9 = 9;
    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(60);

    private static InProcessMesh mesh;

    @BeforeAll
    static void startMesh(MeshClusters clusters) {
        mesh = InProcessMesh.start(clusters);
    }

    @AfterAll
    static void stopMesh() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void anIdempotentJavaProducersRecordsLandOnceAndInOrderWhereTheirTopicsLive(MeshClusters clusters)
            throws Exception {
        Map<KraftTestCluster, String> topics = Map.of(
                clusters.apples(), create(clusters.apples(), "apples.x", 3),
                clusters.bananas(), create(clusters.bananas(), "bananas.y", 2),
                clusters.cherries(), create(clusters.cherries(), "cherries.z", 1));
        List<ProducerRecord<String, String>> sent = new ArrayList<>();
        Map<ProducerRecord<String, String>, Future<RecordMetadata>> acknowledged = new HashMap<>();
        long timestamp = System.currentTimeMillis() - 60_000;
        try (KafkaProducer<String, String> producer = Clients.producer(mesh.bootstrapServers(), Map.of())) {
            for (int i = 0; i < 300; i++) {
                for (Map.Entry<KraftTestCluster, String> topic : topics.entrySet()) {
                    int partitions = topic.getKey() == clusters.apples() ? 3 : topic.getKey() == clusters.bananas() ? 2 : 1;
                    ProducerRecord<String, String> record = new ProducerRecord<>(topic.getValue(), i % partitions,
                            timestamp + i, "key-" + i, "value-" + i + "-" + topic.getValue(),
                            List.of(new RecordHeader("index", Integer.toString(i).getBytes(StandardCharsets.UTF_8))));
                    sent.add(record);
                    acknowledged.put(record, producer.send(record));
                }
            }
            producer.flush();
        }

        for (Map.Entry<KraftTestCluster, String> topic : topics.entrySet()) {
            List<ProducerRecord<String, String>> expected = sent.stream()
                    .filter(record -> record.topic().equals(topic.getValue())).toList();
            List<ConsumerRecord<String, String>> received = consumeAll(topic.getKey(), topic.getValue(),
                    expected.size());
            assertEquals(expected.size(), received.size(), "exactly once in " + topic.getKey().name());
            for (int partition = 0; partition < 3; partition++) {
                int p = partition;
                List<ProducerRecord<String, String>> expectedHere = expected.stream()
                        .filter(record -> record.partition() == p).toList();
                List<ConsumerRecord<String, String>> receivedHere = received.stream()
                        .filter(record -> record.partition() == p).toList();
                assertEquals(expectedHere.size(), receivedHere.size(), topic.getValue() + "-" + p);
                for (int i = 0; i < expectedHere.size(); i++) {
                    ProducerRecord<String, String> want = expectedHere.get(i);
                    ConsumerRecord<String, String> got = receivedHere.get(i);
                    assertEquals(want.key(), got.key());
                    assertEquals(want.value(), got.value(), "in order in " + topic.getValue() + "-" + p);
                    assertEquals(want.timestamp(), got.timestamp());
                    assertEquals(TimestampType.CREATE_TIME, got.timestampType());
                    assertArrayEquals(want.headers().lastHeader("index").value(),
                            got.headers().lastHeader("index").value());
                    assertEquals(got.offset(), acknowledged.get(want).get().offset(),
                            "the offset the producer was told is where the record is");
                }
            }
        }
    }

    @Test
    void everyCompressionCodecArrivesDecompressedAndRewritten(MeshClusters clusters) throws Exception {
        String topic = create(clusters.bananas(), "bananas.codecs", 1);
        List<String> values = new ArrayList<>();
        for (String codec : List.of("gzip", "snappy", "lz4", "zstd")) {
            try (KafkaProducer<String, String> producer = Clients.producer(mesh.bootstrapServers(),
                    Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.LINGER_MS_CONFIG, 50))) {
                for (int i = 0; i < 50; i++) {
                    String value = codec + "-" + i + "-" + "x".repeat(100);
                    values.add(value);
                    producer.send(new ProducerRecord<>(topic, 0, "k", value));
                }
                producer.flush();
            }
        }

        List<String> received = consumeAll(clusters.bananas(), topic, values.size()).stream()
                .map(ConsumerRecord::value).toList();
        assertEquals(values, received);
    }

    @Test
    void acksZeroRecordsArrive(MeshClusters clusters) throws Exception {
        String topic = create(clusters.cherries(), "cherries.acks0", 1);
        try (KafkaProducer<String, String> producer = Clients.producer(mesh.bootstrapServers(), Map.of(
                ProducerConfig.ACKS_CONFIG, "0", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false))) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "fire-and-forget-" + i));
            }
            producer.flush();
        }

        List<String> received = consumeAll(clusters.cherries(), topic, 100).stream().map(ConsumerRecord::value)
                .toList();
        assertEquals(100, received.size());
        assertEquals("fire-and-forget-99", received.get(99));
    }

    @Test
    void anUnknownTopicIsUnknownTopicOrPartitionAndTheConnectionGoesOn(MeshClusters clusters) throws Exception {
        String topic = create(clusters.apples(), "apples.after-unknown", 1);
        try (MeshWire wire = MeshWire.connect(mesh.port())) {
            PartitionProduceResponse unrouted = wire.produce(PRODUCE_V9, Names.unique("durians.q"), 0, records("a"));
            PartitionProduceResponse missing = wire.produce(PRODUCE_V9, Names.unique("apples.missing"), 0,
                    records("b"));
            PartitionProduceResponse written = wire.produce(PRODUCE_V9, topic, 0, records("c"));

            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), unrouted.errorCode());
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), missing.errorCode());
            assertEquals(Errors.NONE.code(), written.errorCode(), written::errorMessage);
            assertEquals(0, written.baseOffset());
        }
        assertEquals(List.of("c"), consumeAll(clusters.apples(), topic, 1).stream().map(ConsumerRecord::value)
                .toList());
    }

    @Test
    void produceByTopicIdFindsTheTopicTheMeshDescribed(MeshClusters clusters) throws Exception {
        String topic = create(clusters.cherries(), "cherries.by-id", 1);
        Uuid topicId;
        try (Admin admin = Clients.admin(mesh.bootstrapServers())) {
            topicId = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .topicId();
        }
        try (MeshWire wire = MeshWire.connect(mesh.port())) {
            PartitionProduceResponse unknown = wire.produce(Uuid.randomUuid(), 0, records("lost"));
            PartitionProduceResponse written = wire.produce(topicId, 0, records("found"));

            assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), unknown.errorCode());
            assertEquals(Errors.NONE.code(), written.errorCode(), written::errorMessage);
        }
        assertEquals(List.of("found"), consumeAll(clusters.cherries(), topic, 1).stream().map(ConsumerRecord::value)
                .toList());
    }

    @Test
    void aTopicOfAClusterThatCannotBeReachedIsLeaderNotAvailableWhileOtherConnectionsGoOn(MeshClusters clusters)
            throws Exception {
        String topic = create(clusters.apples(), "apples.meanwhile", 1);
        try (InProcessMesh withNowhere = InProcessMesh.withUnreachableCluster(clusters);
             MeshWire waiting = MeshWire.connect(withNowhere.port());
             MeshWire other = MeshWire.connect(withNowhere.port())) {
            CompletableFuture<PartitionProduceResponse> durians =
                    CompletableFuture.supplyAsync(() -> {
                        try {
                            return waiting.produce(PRODUCE_V9, Names.unique("durians.q"), 0, records("x"));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });

            // While the mesh waits for the unreachable cluster, its event loops go on serving.
            assertEquals(Errors.NONE.code(), other.produce(PRODUCE_V9, topic, 0, records("meanwhile")).errorCode());
            assertEquals(Errors.LEADER_NOT_AVAILABLE.code(), durians.get(30, TimeUnit.SECONDS).errorCode());
        }
    }

    @Test
    void anOldRecordFormatIsRefusedWithAClearError(MeshClusters clusters) throws Exception {
        String topic = create(clusters.apples(), "apples.magic1", 1);
        try (MeshWire wire = MeshWire.connect(mesh.port())) {
            PartitionProduceResponse refused = wire.produce(PRODUCE_V9, topic, 0, MemoryRecords.withRecords(
                    RecordBatch.MAGIC_VALUE_V1, Compression.NONE, new SimpleRecord("old".getBytes())));

            assertEquals(Errors.INVALID_RECORD.code(), refused.errorCode());
            assertTrue(refused.errorMessage().contains("magic v2 only"), refused.errorMessage());
            assertEquals(Errors.NONE.code(), wire.produce(PRODUCE_V9, topic, 0, records("new")).errorCode());
        }
    }

    @Test
    void aRetriedIdempotentBatchGetsItsOriginalOffsetAndIsWrittenOnce(MeshClusters clusters) throws Exception {
        String topic = create(clusters.bananas(), "bananas.retry", 1);
        try (MeshWire wire = MeshWire.connect(mesh.port())) {
            InitProducerIdResponseData producer = (InitProducerIdResponseData) wire.call(ApiKeys.INIT_PRODUCER_ID,
                    (short) 4, new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(-1).setProducerId(-1)
                            .setProducerEpoch((short) -1));
            assertEquals(Errors.NONE.code(), producer.errorCode());
            MemoryRecords first = idempotent(producer, 0, "r0", "r1", "r2");
            MemoryRecords second = idempotent(producer, 3, "r3");

            PartitionProduceResponse original = wire.produce(PRODUCE_V9, topic, 0, first);
            PartitionProduceResponse next = wire.produce(PRODUCE_V9, topic, 0, second);
            PartitionProduceResponse retry = wire.produce(PRODUCE_V9, topic, 0, idempotent(producer, 0, "r0", "r1",
                    "r2"));
            PartitionProduceResponse gap = wire.produce(PRODUCE_V9, topic, 0, idempotent(producer, 9, "r9"));

            assertEquals(Errors.NONE.code(), original.errorCode());
            assertEquals(0, original.baseOffset());
            assertEquals(3, next.baseOffset());
            assertEquals(Errors.NONE.code(), retry.errorCode());
            assertEquals(0, retry.baseOffset(), "the retry is answered with the original's offset");
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), gap.errorCode());
        }
        assertEquals(List.of("r0", "r1", "r2", "r3"), consumeAll(clusters.bananas(), topic, 4).stream()
                .map(ConsumerRecord::value).toList());
    }

    @Test
    void aTransactionalProducerIsRefusedAtOnce() {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, mesh.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, Names.unique("tx"),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        long started = System.nanoTime();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            KafkaException refused = assertThrows(KafkaException.class, producer::initTransactions);
            assertInstanceOf(TransactionalIdAuthorizationException.class, refused, refused::toString);
        }
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(20),
                "refused at once, not after max.block.ms");
    }

    // ---- Helpers ----

    /** Every record of {@code topic}, read straight from {@code cluster}: partition by partition, in offset order. */
    static List<ConsumerRecord<String, String>> consumeAll(KraftTestCluster cluster, String topic, int expected) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.bootstrapServers(), Map.of())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, String>> received = new ArrayList<>(
                    Consuming.atLeast(consumer, expected, CONSUME_TIMEOUT));
            received.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                    : Long.compare(a.offset(), b.offset()));
            return received;
        }
    }

    private static MemoryRecords records(String... values) {
        return MemoryRecords.withRecords(Compression.NONE, simple(values));
    }

    private static MemoryRecords idempotent(InitProducerIdResponseData producer, int baseSequence,
                                            String... values) {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producer.producerId(), producer.producerEpoch(),
                baseSequence, simple(values));
    }

    private static SimpleRecord[] simple(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(null, values[i].getBytes(StandardCharsets.UTF_8));
        }
        return records;
    }
}
