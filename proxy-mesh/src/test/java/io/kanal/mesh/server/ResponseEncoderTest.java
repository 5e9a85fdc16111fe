package io.kanal.mesh.server;

import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.ResponseCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.message.FetchResponseData.EpochEndOffset;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Responses written with their record batches where they lie: the same bytes as a copying encoder writes. */
class ResponseEncoderTest {

    private static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    @Test
    void aFetchResponseIsTheBytesACopyWouldBeWithTheRecordsViewedNotCopied() {
        ByteBuffer first = direct(records("one", "two"));
        ByteBuffer second = direct(records("three"));
        DecodedResponse response = response(ApiKeys.FETCH, (short) 12, new FetchResponseData().setResponses(List.of(
                new FetchableTopicResponse().setTopic("t").setPartitions(List.of(
                        partition(0, MemoryRecords.readableRecords(first)),
                        partition(1, MemoryRecords.EMPTY),
                        partition(2, MemoryRecords.readableRecords(second)))))));

        ByteBuf encoded = ResponseEncoder.encode(ALLOCATOR, response);
        try {
            assertSameBytes(response, encoded);
            assertTrue(encoded.isDirect(), "written to a socket as it is, not copied into direct memory first");

            second.put(second.limit() - 1, (byte) '!');
            assertSameBytes(response, encoded);
        } finally {
            encoded.release();
        }
    }

    /** Every Fetch version the mesh may answer in, with and without flexible encoding and tagged fields. */
    @ParameterizedTest(name = "Fetch v{0}")
    @MethodSource("fetchVersions")
    void everyFetchVersionIsTheBytesACopyWouldBe(int asked) {
        short version = (short) asked;
        PartitionData withEverything = partition(0, MemoryRecords.readableRecords(direct(records("one", "two"))))
                .setLastStableOffset(9)
                .setLogStartOffset(version >= 5 ? 2 : -1)
                .setAbortedTransactions(List.of(new AbortedTransaction().setProducerId(7).setFirstOffset(3)));
        if (version >= 11) {
            withEverything.setPreferredReadReplica(-1);
        }
        if (version >= 12) {
            withEverything.setDivergingEpoch(new EpochEndOffset().setEpoch(4).setEndOffset(8));
        }
        FetchableTopicResponse topic = new FetchableTopicResponse().setTopic("t").setTopicId(Uuid.randomUuid())
                .setPartitions(List.of(withEverything,
                        partition(1, MemoryRecords.EMPTY).setAbortedTransactions(null),
                        partition(2, MemoryRecords.readableRecords(direct(records("three"))))));
        DecodedResponse response = response(ApiKeys.FETCH, version, new FetchResponseData().setThrottleTimeMs(5)
                .setResponses(List.of(topic)));

        ByteBuf encoded = ResponseEncoder.encode(ALLOCATOR, response);
        try {
            assertSameBytes(response, encoded);
        } finally {
            encoded.release();
        }
    }

    static IntStream fetchVersions() {
        return IntStream.rangeClosed(ApiKeys.FETCH.oldestVersion(), ApiKeys.FETCH.latestVersion(true));
    }

    @Test
    void aResponseWithoutRecordsIsOneBuffer() {
        DecodedResponse response = response(ApiKeys.HEARTBEAT, (short) 4,
                new HeartbeatResponseData().setThrottleTimeMs(7));

        ByteBuf encoded = ResponseEncoder.encode(ALLOCATOR, response);
        try {
            assertSameBytes(response, encoded);
            assertEquals(1, encoded.nioBufferCount());
        } finally {
            encoded.release();
        }
    }

    /** What the copying encoder makes of {@code response} now. */
    private static void assertSameBytes(DecodedResponse response, ByteBuf encoded) {
        ByteBuf copied = ResponseCodec.encode(ALLOCATOR, response);
        try {
            assertEquals(ByteBufUtil.hexDump(copied), ByteBufUtil.hexDump(encoded));
        } finally {
            copied.release();
        }
    }

    private static DecodedResponse response(ApiKeys api, short version, ApiMessage body) {
        return new DecodedResponse(api, new ResponseHeaderData().setCorrelationId(42),
                api.responseHeaderVersion(version), body, version);
    }

    private static PartitionData partition(int index, MemoryRecords records) {
        return new PartitionData().setPartitionIndex(index).setHighWatermark(10).setRecords(records);
    }

    private static MemoryRecords records(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int index = 0; index < values.length; index++) {
            records[index] = new SimpleRecord(values[index].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    /** The records in direct memory, as an upstream broker's answer holds them. */
    private static ByteBuffer direct(MemoryRecords records) {
        ByteBuffer heap = records.buffer();
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining());
        direct.put(heap).flip();
        return direct;
    }
}
