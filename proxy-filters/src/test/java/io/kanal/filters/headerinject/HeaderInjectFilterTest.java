package io.kanal.filters.headerinject;

import io.kanal.filters.testing.FakeConnection;
import io.kanal.filters.testing.FakeFactoryContext;
import io.kanal.filters.testing.FakeHooks;
import io.kanal.filters.testing.FakeRequestContext;
import io.kanal.filters.testing.FakeRequestContext.Action;
import io.kanal.filters.testing.Wire;
import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.filter.RequestHook;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeaderInjectFilterTest {

    private static final long PRODUCER_ID = 4711L;
    private static final short PRODUCER_EPOCH = 3;
    private static final int BASE_SEQUENCE = 42;
    private static final int LEADER_EPOCH = 9;
    private static final long T0 = 1_700_000_000_000L;
    private static final Uuid TOPIC_ID = Uuid.randomUuid();
    private static final FakeConnection CONNECTION = FakeConnection.of("vc-a", "app-7");

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
        FakeRequestContext<ProduceRequestData, ProduceResponseData> context = run(filter(
                "headers:\n  - {key: x-origin, value: kanal}\n  - {key: x-client, from: clientId}\n"),
                produce(version, original), version, CONNECTION);

        assertEquals(Action.FORWARD, context.action());
        MutableRecordBatch before = original.batches().iterator().next();
        List<MutableRecordBatch> batches = batchesOf(Wire.roundTrip(context.forwarded(), version));
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
        FakeRequestContext<ProduceRequestData, ProduceResponseData> context = run(
                filter("headers: [{key: a, value: b}]"), produce((short) 12, original), (short) 12, CONNECTION);
        MutableRecordBatch after = batchesOf(Wire.roundTrip(context.forwarded(), (short) 12)).get(0);
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
        FakeRequestContext<ProduceRequestData, ProduceResponseData> context = run(
                filter("headers: [{key: x, value: y}]"), request, (short) 12, CONNECTION);

        ProduceRequestData forwarded = Wire.roundTrip(context.forwarded(), (short) 12);
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
        ProduceRequestData request = produce((short) 12, v1);
        PartitionProduceData partition = request.topicData().iterator().next().partitionData().get(0);
        MemoryRecords decoded = (MemoryRecords) partition.records();

        FakeRequestContext<ProduceRequestData, ProduceResponseData> context = run(
                filter("headers: [{key: x, value: y}]"), request, (short) 12, CONNECTION);

        // Nothing was rewritten, so the bytes that arrived go on rather than a re-encoding.
        assertEquals(Action.PASS, context.action());
        assertSame(decoded, partition.records());
    }

    @Test
    void leavesCorruptBatchesUntouchedForTheBrokerToReject() {
        MemoryRecords original = batch(CompressionType.NONE, TimestampType.CREATE_TIME, false, RECORDS);
        ByteBuffer corrupt = ByteBuffer.allocate(original.sizeInBytes());
        corrupt.put(original.buffer().duplicate()).flip();
        int last = corrupt.limit() - 1;
        corrupt.put(last, (byte) (corrupt.get(last) ^ 0x5a));
        ProduceRequestData request = produce((short) 12, MemoryRecords.readableRecords(corrupt));
        PartitionProduceData partition = request.topicData().iterator().next().partitionData().get(0);
        MemoryRecords decoded = (MemoryRecords) partition.records();

        FakeRequestContext<ProduceRequestData, ProduceResponseData> context = run(
                filter("headers: [{key: x, value: y}]"), request, (short) 12, CONNECTION);

        assertEquals(Action.PASS, context.action());
        assertSame(decoded, partition.records());
        assertFalse(((MemoryRecords) partition.records()).batches().iterator().next().isValid());
    }

    @Test
    void connectionFactsBecomeHeadersAndAbsentOnesAreOmitted() {
        String config = "headers:\n"
                + "  - {key: p, from: principal}\n"
                + "  - {key: c, from: clientId}\n"
                + "  - {key: v, from: virtualCluster}\n"
                + "  - {key: a, from: clientAddress}\n";
        MemoryRecords original = batch(CompressionType.NONE, TimestampType.CREATE_TIME, false, RECORDS.subList(1, 2));

        FakeRequestContext<ProduceRequestData, ProduceResponseData> anonymous = run(filter(config),
                produce((short) 12, original), (short) 12, CONNECTION);
        assertEquals(List.of("c=app-7", "v=vc-a", "a=10.1.2.3:45678"), headers(recordsOf(
                batchesOf(Wire.roundTrip(anonymous.forwarded(), (short) 12)).get(0)).get(0)));

        FakeConnection authenticated = CONNECTION.withPrincipal("User:alice")
                .withClientAddress(new InetSocketAddress("::1", 9000));
        FakeRequestContext<ProduceRequestData, ProduceResponseData> named = run(filter(config),
                produce((short) 12, original), (short) 12, authenticated);
        assertEquals(List.of("p=User:alice", "c=app-7", "v=vc-a", "a=[0:0:0:0:0:0:0:1]:9000"), headers(recordsOf(
                batchesOf(Wire.roundTrip(named.forwarded(), (short) 12)).get(0)).get(0)));
    }

    @Test
    void passesRequestsUntouchedWhenNoHeaderApplies() {
        MemoryRecords original = batch(CompressionType.NONE, TimestampType.CREATE_TIME, false, RECORDS);
        FakeRequestContext<ProduceRequestData, ProduceResponseData> context = run(
                filter("headers: [{key: p, from: principal}]"), produce((short) 12, original), (short) 12,
                CONNECTION);
        assertEquals(Action.PASS, context.action());
        assertNull(context.forwarded());
    }

    @Test
    void returnsTheStageTheContextGave() {
        ProduceRequestData request = produce((short) 12,
                batch(CompressionType.NONE, TimestampType.CREATE_TIME, false, RECORDS));
        FakeRequestContext<ProduceRequestData, ProduceResponseData> context =
                new FakeRequestContext<>(KafkaApi.PRODUCE, (short) 12, CONNECTION, true);
        var returned = hook(filter("headers: [{key: x, value: y}]")).onRequest(context, request);
        assertSame(context.stage(), returned);
    }

    // ---- helpers

    static Filter filter(String yaml) {
        try {
            HeaderInjectConfig config = io.kanal.filters.testing.Yaml.bind(yaml, HeaderInjectConfig.class);
            return new HeaderInjectFactory().create(config, FakeFactoryContext.named("inject"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static RequestHook<ProduceRequestData, ProduceResponseData> hook(Filter filter) {
        FakeHooks hooks = new FakeHooks();
        filter.register(hooks);
        assertEquals(1, hooks.requestHooks.size(), "hooks registered");
        assertTrue(hooks.responseHooks.isEmpty() && hooks.anyRequest == null && hooks.anyResponse == null);
        return hooks.request(KafkaApi.PRODUCE);
    }

    /** Decodes {@code request} as the engine would and runs the filter's produce hook on it. */
    private static FakeRequestContext<ProduceRequestData, ProduceResponseData> run(
            Filter filter, ProduceRequestData request, short version, FakeConnection connection) {
        FakeRequestContext<ProduceRequestData, ProduceResponseData> context =
                new FakeRequestContext<>(KafkaApi.PRODUCE, version, connection, true);
        hook(filter).onRequest(context, request);
        return context;
    }

    /** A produce request for partition 2 of topic "orders" (by id from v13), as decoded from the wire. */
    static ProduceRequestData produce(short version, MemoryRecords records) {
        TopicProduceData topic = new TopicProduceData().setPartitionData(new ArrayList<>(List.of(
                new PartitionProduceData().setIndex(2).setRecords(records))));
        if (version >= 13) {
            topic.setTopicId(TOPIC_ID);
        } else {
            topic.setName("orders");
        }
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
        request.topicData().add(topic);
        return Wire.roundTrip(request, version);
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

    @Test
    void headerValuesAreUtf8() {
        MemoryRecords original = batch(CompressionType.NONE, TimestampType.CREATE_TIME, false, RECORDS.subList(0, 1));
        FakeRequestContext<ProduceRequestData, ProduceResponseData> context = run(
                filter("headers: [{key: grüße, value: \"straße ✓\"}]"), produce((short) 12, original), (short) 12,
                CONNECTION);
        Record record = recordsOf(batchesOf(Wire.roundTrip(context.forwarded(), (short) 12)).get(0)).get(0);
        Header added = record.headers()[1];
        assertEquals("grüße", added.key());
        assertArrayEquals("straße ✓".getBytes(StandardCharsets.UTF_8), added.value());
    }
}
