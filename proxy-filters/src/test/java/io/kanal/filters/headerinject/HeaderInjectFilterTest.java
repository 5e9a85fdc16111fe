package io.kanal.filters.headerinject;

import io.kanal.filter.testkit.FilterHarness;
import io.kanal.filter.testkit.RequestResult;
import io.kanal.filter.testkit.ResponseResult;
import io.kanal.filters.testing.Yaml;
import io.kanal.proxy.filter.KafkaApi;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeaderInjectFilterTest {

    private static final long PRODUCER_ID = 4711L;
    private static final short PRODUCER_EPOCH = 3;
    private static final int BASE_SEQUENCE = 42;
    private static final int LEADER_EPOCH = 9;
    private static final long T0 = 1_700_000_000_000L;
    private static final Uuid TOPIC_ID = Uuid.randomUuid();
    private static final String FILTER = "inject";

    /** Three records: with a key and an own header, without a key, without a value. */
    private static final List<SimpleRecord> RECORDS = List.of(
            new SimpleRecord(T0, bytes("k1"), bytes("v1"), new Header[]{new RecordHeader("own", bytes("o1"))}),
            new SimpleRecord(T0 + 5, null, bytes("v2")),
            new SimpleRecord(T0 + 2, bytes("k3"), null));

    static Stream<Arguments> codecsAndProducers() {
        List<Arguments> cases = new ArrayList<>();
        for (CompressionType codec : CompressionType.values()) {
            for (boolean transactional : new boolean[]{false, true}) {
                for (short version : new short[]{12, 13}) {
                    cases.add(Arguments.of(codec, transactional, version));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, transactional={1}, produce v{2}")
    @MethodSource("codecsAndProducers")
    void appendsHeadersAndKeepsEveryBatchAttribute(CompressionType codec, boolean transactional, short version) {
        MemoryRecords original = batch(codec, TimestampType.CREATE_TIME, transactional, RECORDS);
        RequestResult<ProduceRequestData, ProduceResponseData> result = send(connection(),
                "headers:\n  - {key: x-origin, value: kanal}\n  - {key: x-client, from: clientId}\n",
                produce(version, original), version);

        assertTrue(result.changed());
        MutableRecordBatch before = original.batches().iterator().next();
        List<MutableRecordBatch> batches = batchesOf(result.forwarded());
        assertEquals(1, batches.size());
        MutableRecordBatch after = batches.get(0);
        after.ensureValid();
        assertEquals(codec, after.compressionType());
        assertEquals(RecordBatch.MAGIC_VALUE_V2, after.magic());
        assertEquals(TimestampType.CREATE_TIME, after.timestampType());
        assertEquals(before.baseOffset(), after.baseOffset());
        assertEquals(before.lastOffset(), after.lastOffset());
        assertEquals(PRODUCER_ID, after.producerId());
        assertEquals(PRODUCER_EPOCH, after.producerEpoch());
        assertEquals(BASE_SEQUENCE, after.baseSequence());
        assertEquals(before.lastSequence(), after.lastSequence());
        assertEquals(transactional, after.isTransactional());
        assertFalse(after.isControlBatch());
        assertEquals(LEADER_EPOCH, after.partitionLeaderEpoch());
        assertEquals(before.maxTimestamp(), after.maxTimestamp());
        assertEquals(before.countOrNull(), after.countOrNull());

        List<Record> records = recordsOf(after);
        assertEquals(3, records.size());
        for (int i = 0; i < 3; i++) {
            Record record = records.get(i);
            SimpleRecord sent = RECORDS.get(i);
            assertEquals(i, record.offset(), "offset of record " + i);
            assertEquals(BASE_SEQUENCE + i, record.sequence(), "sequence of record " + i);
            assertEquals(sent.timestamp(), record.timestamp(), "timestamp of record " + i);
            assertEquals(sent.key(), record.key(), "key of record " + i);
            assertEquals(sent.value(), record.value(), "value of record " + i);
            List<String> expected = new ArrayList<>();
            for (Header own : sent.headers()) {
                expected.add(own.key() + "=" + new String(own.value(), StandardCharsets.UTF_8));
            }
            expected.add("x-origin=kanal");
            expected.add("x-client=app-7");
            assertEquals(expected, headers(record), "headers of record " + i);
        }
    }

    @Test
    void keepsLogAppendTimeBatches() {
        MemoryRecords original = batch(CompressionType.LZ4, TimestampType.LOG_APPEND_TIME, false, RECORDS);
        MutableRecordBatch after = batchesOf(send(connection(), "headers: [{key: a, value: b}]",
                produce((short) 12, original), (short) 12).forwarded()).get(0);
        assertEquals(TimestampType.LOG_APPEND_TIME, after.timestampType());
        assertEquals(original.batches().iterator().next().maxTimestamp(), after.maxTimestamp());
    }

    @Test
    void rewritesEveryBatchOfEveryPartitionAndCopiesControlBatches() {
        MemoryRecords gzip = batch(CompressionType.GZIP, TimestampType.CREATE_TIME, true, RECORDS);
        MemoryRecords marker = MemoryRecords.withEndTransactionMarker(3L, T0, LEADER_EPOCH, PRODUCER_ID,
                PRODUCER_EPOCH, new EndTransactionMarker(ControlRecordType.COMMIT, 5));
        MemoryRecords zstd = batchAt(5L, CompressionType.ZSTD, List.of(new SimpleRecord(T0, bytes("k"), bytes("v"))));
        ByteBuffer joined = ByteBuffer.allocate(gzip.sizeInBytes() + marker.sizeInBytes() + zstd.sizeInBytes());
        joined.put(gzip.buffer().duplicate()).put(marker.buffer().duplicate()).put(zstd.buffer().duplicate()).flip();
        MemoryRecords threeBatches = MemoryRecords.readableRecords(joined);

        ProduceRequestData request = produce((short) 12, threeBatches);
        request.topicData().add(new TopicProduceData().setName("audit").setPartitionData(new ArrayList<>(List.of(
                new PartitionProduceData().setIndex(0).setRecords(batch(CompressionType.SNAPPY,
                        TimestampType.CREATE_TIME, false, RECORDS))))));
        ProduceRequestData forwarded = send(connection(), "headers: [{key: x, value: y}]", request, (short) 12)
                .forwarded();
        List<MutableRecordBatch> batches = batchesOf(forwarded.topicData().find("orders", Uuid.ZERO_UUID));
        assertEquals(3, batches.size());
        assertEquals(CompressionType.GZIP, batches.get(0).compressionType());
        assertEquals(List.of("own=o1", "x=y"), headers(recordsOf(batches.get(0)).get(0)));
        assertTrue(batches.get(1).isControlBatch());
        assertEquals(marker.buffer(), bufferOf(batches.get(1)), "control batch bytes");
        assertEquals(CompressionType.ZSTD, batches.get(2).compressionType());
        assertEquals(5L, batches.get(2).baseOffset());
        assertEquals(List.of("x=y"), headers(recordsOf(batches.get(2)).get(0)));
        List<MutableRecordBatch> audit = batchesOf(forwarded.topicData().find("audit", Uuid.ZERO_UUID));
        assertEquals(CompressionType.SNAPPY, audit.get(0).compressionType());
        assertEquals(List.of("x=y"), headers(recordsOf(audit.get(0)).get(1)));
    }

    @Test
    void leavesRecordsOlderThanMagicV2Untouched() {
        MemoryRecords v1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, 0L, Compression.NONE,
                TimestampType.CREATE_TIME, new SimpleRecord(T0, bytes("k"), bytes("v")));
        RequestResult<ProduceRequestData, ProduceResponseData> result = send(connection(),
                "headers: [{key: x, value: y}]", produce((short) 12, v1), (short) 12);

        // Nothing was rewritten, so the bytes that arrived go on rather than a re-encoding.
        assertFalse(result.changed());
        List<MutableRecordBatch> batches = batchesOf(result.forwarded());
        assertEquals(RecordBatch.MAGIC_VALUE_V1, batches.get(0).magic());
        assertEquals(v1.buffer(), recordsOf(result.forwarded()).buffer());
    }

    @Test
    void leavesCorruptBatchesUntouchedForTheBrokerToReject() {
        MemoryRecords original = batch(CompressionType.NONE, TimestampType.CREATE_TIME, false, RECORDS);
        ByteBuffer corrupt = ByteBuffer.allocate(original.sizeInBytes());
        corrupt.put(original.buffer().duplicate()).flip();
        int last = corrupt.limit() - 1;
        corrupt.put(last, (byte) (corrupt.get(last) ^ 0x5a));
        ByteBuffer sent = corrupt.duplicate();
        RequestResult<ProduceRequestData, ProduceResponseData> result = send(connection(),
                "headers: [{key: x, value: y}]", produce((short) 12, MemoryRecords.readableRecords(corrupt)),
                (short) 12);

        assertFalse(result.changed());
        MemoryRecords forwarded = recordsOf(result.forwarded());
        assertEquals(sent, forwarded.buffer(), "the corrupt bytes as the client sent them");
        assertFalse(forwarded.batches().iterator().next().isValid());
    }

    @Test
    void connectionFactsBecomeHeadersAndAbsentOnesAreOmitted() {
        String config = "headers:\n"
                + "  - {key: p, from: principal}\n"
                + "  - {key: c, from: clientId}\n"
                + "  - {key: v, from: virtualCluster}\n"
                + "  - {key: a, from: clientAddress}\n";
        MemoryRecords original = batch(CompressionType.NONE, TimestampType.CREATE_TIME, false, RECORDS.subList(1, 2));

        ProduceRequestData anonymous = send(connection(), config, produce((short) 12, original), (short) 12)
                .forwarded();
        assertEquals(List.of("c=app-7", "v=vc-a", "a=10.1.2.3:45678"),
                headers(recordsOf(batchesOf(anonymous).get(0)).get(0)));

        FilterHarness.Builder authenticated = connection().principal("User:alice")
                .clientAddress(new InetSocketAddress("::1", 9000));
        ProduceRequestData named = send(authenticated, config, produce((short) 12, original), (short) 12)
                .forwarded();
        assertEquals(List.of("p=User:alice", "c=app-7", "v=vc-a", "a=[0:0:0:0:0:0:0:1]:9000"),
                headers(recordsOf(batchesOf(named).get(0)).get(0)));
    }

    @Test
    void passesRequestsUntouchedWhenNoHeaderApplies() {
        MemoryRecords original = batch(CompressionType.NONE, TimestampType.CREATE_TIME, false, RECORDS);
        ProduceRequestData request = produce((short) 12, original);
        RequestResult<ProduceRequestData, ProduceResponseData> result = send(connection(),
                "headers: [{key: p, from: principal}]", request, (short) 12);

        assertFalse(result.changed());
        assertEquals(request, result.forwarded());
    }

    @Test
    void theBrokersAnswerReachesTheClientUnchanged() {
        ProduceResponseData fromBroker = new ProduceResponseData();
        fromBroker.responses().add(new TopicProduceResponse().setName("orders").setPartitionResponses(
                new ArrayList<>(List.of(new PartitionProduceResponse().setIndex(2).setBaseOffset(40L)))));
        try (FilterHarness harness = connection().filter(FILTER, new HeaderInjectFactory(),
                Yaml.valid("headers: [{key: x, value: y}]", HeaderInjectConfig.class)).build()) {
            RequestResult<ProduceRequestData, ProduceResponseData> result = harness.request(KafkaApi.PRODUCE,
                    (short) 12, produce((short) 12, batch(CompressionType.NONE, TimestampType.CREATE_TIME, false,
                            RECORDS)));
            ResponseResult<ProduceResponseData> answer = result.brokerResponds(fromBroker);

            assertTrue(result.changed());
            assertFalse(answer.changed());
            assertEquals(fromBroker, answer.response());
        }
    }

    @Test
    void headerValuesAreUtf8() {
        MemoryRecords original = batch(CompressionType.NONE, TimestampType.CREATE_TIME, false, RECORDS.subList(0, 1));
        ProduceRequestData forwarded = send(connection(), "headers: [{key: grüße, value: \"straße ✓\"}]",
                produce((short) 12, original), (short) 12).forwarded();
        Record record = recordsOf(batchesOf(forwarded).get(0)).get(0);
        Header added = record.headers()[1];
        assertEquals("grüße", added.key());
        assertArrayEquals("straße ✓".getBytes(StandardCharsets.UTF_8), added.value());
    }

    // ---- helpers

    /** A client connection of client {@code app-7} to virtual cluster {@code vc-a} from 10.1.2.3:45678. */
    private static FilterHarness.Builder connection() {
        return FilterHarness.builder().virtualCluster("vc-a").clientId("app-7")
                .clientAddress(new InetSocketAddress("10.1.2.3", 45678));
    }

    /** Sends {@code request} on {@code connection} through a {@code header-inject} filter made from {@code yaml}. */
    private static RequestResult<ProduceRequestData, ProduceResponseData> send(
            FilterHarness.Builder connection, String yaml, ProduceRequestData request, short version) {
        HeaderInjectConfig config = Yaml.valid(yaml, HeaderInjectConfig.class);
        try (FilterHarness harness = connection.filter(FILTER, new HeaderInjectFactory(), config).build()) {
            return harness.request(KafkaApi.PRODUCE, version, request);
        }
    }

    /** A produce request for partition 2 of topic "orders" (by id from v13). */
    private static ProduceRequestData produce(short version, MemoryRecords records) {
        TopicProduceData topic = new TopicProduceData().setPartitionData(new ArrayList<>(List.of(
                new PartitionProduceData().setIndex(2).setRecords(records))));
        if (version >= 13) {
            topic.setTopicId(TOPIC_ID);
        } else {
            topic.setName("orders");
        }
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
        request.topicData().add(topic);
        return request;
    }

    private static MemoryRecords batch(CompressionType codec, TimestampType timestampType, boolean transactional,
                                       List<SimpleRecord> records) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(64), RecordBatch.MAGIC_VALUE_V2,
                Compression.of(codec).build(), timestampType, 0L,
                timestampType == TimestampType.LOG_APPEND_TIME ? T0 + 99 : RecordBatch.NO_TIMESTAMP,
                PRODUCER_ID, PRODUCER_EPOCH, BASE_SEQUENCE, transactional, LEADER_EPOCH);
        records.forEach(builder::append);
        return builder.build();
    }

    private static MemoryRecords batchAt(long baseOffset, CompressionType codec, List<SimpleRecord> records) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(64), RecordBatch.MAGIC_VALUE_V2,
                Compression.of(codec).build(), TimestampType.CREATE_TIME, baseOffset, RecordBatch.NO_TIMESTAMP,
                PRODUCER_ID, PRODUCER_EPOCH, BASE_SEQUENCE + 3, true, LEADER_EPOCH);
        records.forEach(builder::append);
        return builder.build();
    }

    private static List<MutableRecordBatch> batchesOf(ProduceRequestData request) {
        return batchesOf(request.topicData().iterator().next());
    }

    private static List<MutableRecordBatch> batchesOf(TopicProduceData topic) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        ((MemoryRecords) topic.partitionData().get(0).records()).batches().forEach(batches::add);
        return batches;
    }

    /** The records of the first partition of the first topic of {@code request}. */
    private static MemoryRecords recordsOf(ProduceRequestData request) {
        return (MemoryRecords) request.topicData().iterator().next().partitionData().get(0).records();
    }

    private static List<Record> recordsOf(MutableRecordBatch batch) {
        List<Record> records = new ArrayList<>();
        batch.forEach(records::add);
        return records;
    }

    private static List<String> headers(Record record) {
        List<String> headers = new ArrayList<>();
        for (Header header : record.headers()) {
            headers.add(header.key() + "=" + new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static ByteBuffer bufferOf(MutableRecordBatch batch) {
        ByteBuffer buffer = ByteBuffer.allocate(batch.sizeInBytes());
        batch.writeTo(buffer);
        return buffer.flip();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
