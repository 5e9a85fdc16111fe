package io.kanal.proxy.protocol;

import static io.kanal.proxy.protocol.KafkaMessages.readerFrom;
import static io.kanal.proxy.protocol.KafkaMessages.request;
import static io.kanal.proxy.protocol.KafkaMessages.wrap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Readable;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestFrameTest {

    private static final String CLIENT_ID = "producer-7";
    private static final Uuid TOPIC_ID = Uuid.fromString("vDAUgq2ITYi9wpkHxq3-Dw");

    // ---- Produce, every version kafka-clients writes, every acks, with and without a transactional id ----

    static Stream<Arguments> produceCases() {
        return ApiKeys.PRODUCE.allVersions().stream().flatMap(version -> Stream.of((short) 0, (short) 1, (short) -1)
                .flatMap(acks -> Stream.of(null, "txn-1").map(txn -> Arguments.of(version, acks, txn))));
    }

    @ParameterizedTest(name = "produce v{0} acks={1} transactionalId={2}")
    @MethodSource("produceCases")
    void produceHeaderBodyAndWhetherItIsAnswered(short version, short acks, String transactionalId) {
        ProduceRequestData body = produceBody(version, acks, transactionalId);
        RequestFrame request = RequestFrame.parse(wrap(request(ApiKeys.PRODUCE, version, CLIENT_ID, 41, body)));

        assertHeader(request, ApiKeys.PRODUCE, version, 41, CLIENT_ID);
        assertEquals(body, bodyAt(request, r -> new ProduceRequestData(r, version)));
        // Only acks=0 goes unanswered: a proxy waiting for that answer would stall every later response.
        assertEquals(acks != 0, request.expectsResponse());
    }

    // ---- Metadata and ApiVersions, every version ----

    static Stream<Short> metadataVersions() {
        return ApiKeys.METADATA.allVersions().stream();
    }

    @ParameterizedTest(name = "metadata v{0}")
    @MethodSource("metadataVersions")
    void metadataHeaderAndBody(short version) {
        MetadataRequestData body = metadataBody(version);
        RequestFrame request = RequestFrame.parse(wrap(request(ApiKeys.METADATA, version, CLIENT_ID, 7, body)));

        assertHeader(request, ApiKeys.METADATA, version, 7, CLIENT_ID);
        assertEquals(body, bodyAt(request, r -> new MetadataRequestData(r, version)));
        assertTrue(request.expectsResponse());
    }

    static Stream<Short> apiVersionsVersions() {
        return ApiKeys.API_VERSIONS.allVersions().stream();
    }

    @ParameterizedTest(name = "api versions v{0}")
    @MethodSource("apiVersionsVersions")
    void apiVersionsHeaderAndBody(short version) {
        ApiVersionsRequestData body = apiVersionsBody(version);
        RequestFrame request = RequestFrame.parse(wrap(request(ApiKeys.API_VERSIONS, version, CLIENT_ID, -3, body)));

        assertHeader(request, ApiKeys.API_VERSIONS, version, -3, CLIENT_ID);
        assertEquals(body, bodyAt(request, r -> new ApiVersionsRequestData(r, version)));
        assertTrue(request.expectsResponse());
    }

    // ---- Client ids ----

    static Stream<Arguments> clientIdCases() {
        // One version with a plain header (v1), one with a flexible header (v2).
        return Stream.of((short) 8, (short) 12).flatMap(version ->
                Stream.of(null, "", "ünïcødé-客户端-🚀").map(clientId -> Arguments.of(version, clientId)));
    }

    @ParameterizedTest(name = "metadata v{0} client id {1}")
    @MethodSource("clientIdCases")
    void clientIdNullEmptyOrNonAsciiIsReadBackAsWritten(short version, String clientId) {
        MetadataRequestData body = metadataBody(version);
        RequestFrame request = RequestFrame.parse(wrap(request(ApiKeys.METADATA, version, clientId, 1, body)));

        assertEquals(clientId, request.clientId());
        assertEquals(body, bodyAt(request, r -> new MetadataRequestData(r, version)));
    }

    @Test
    void offsetsAreAbsoluteWhenTheFrameDoesNotStartAtIndexZero() {
        byte[] frame = request(ApiKeys.METADATA, (short) 12, CLIENT_ID, 5, metadataBody((short) 12));
        ByteBuf buffer = Unpooled.buffer().writeBytes(new byte[] {9, 9, 9}).writeBytes(frame);
        buffer.skipBytes(3);

        RequestFrame request = RequestFrame.parse(buffer);

        assertEquals(5, request.correlationId());
        assertEquals(CLIENT_ID, request.clientId());
        assertEquals(metadataBody((short) 12), bodyAt(request, r -> new MetadataRequestData(r, (short) 12)));
        assertSame(buffer, request.frame());
        assertEquals(3, buffer.readerIndex(), "parsing must not move the frame's reader index");
    }

    // ---- Versions this kafka-clients cannot parse ----

    @Test
    void anApiVersionsRequestNewerThanKafkaClientsIsReadWithAFlexibleHeader() {
        short newer = (short) (ApiKeys.API_VERSIONS.latestVersion() + 1);
        byte[] frame = HandWritten.request(ApiKeys.API_VERSIONS.id, newer, 11, "future-client")
                .noTaggedFields().body(new byte[] {1, 2, 3}).frame();

        RequestFrame request = RequestFrame.parse(wrap(frame));

        assertFalse(request.versionKnown());
        assertEquals(newer, request.apiVersion());
        assertEquals("future-client", request.clientId());
        assertEquals(frame.length - 3, request.bodyOffset());
        assertTrue(request.expectsResponse());
    }

    /**
     * Produce v0-v2 are gone from kafka-clients 4.x, but brokers before 4.0 still take them and the proxy keeps
     * advertising Produce from v0 (see ApiVersionsClamp). Their header is the plain v1 header, not a flexible one.
     */
    @ParameterizedTest(name = "produce v{0} acks={1}")
    @MethodSource("oldProduceCases")
    void produceVersionsOlderThanKafkaClientsAreReadWithAPlainHeader(short version, short acks) {
        byte[] body = ByteBuffer.allocate(10).putShort(acks).putInt(30_000).putInt(0).array();
        byte[] frame = HandWritten.request(ApiKeys.PRODUCE.id, version, 3, CLIENT_ID).body(body).frame();

        RequestFrame request = RequestFrame.parse(wrap(frame));

        assertFalse(request.versionKnown());
        assertEquals(CLIENT_ID, request.clientId());
        assertEquals(frame.length - body.length, request.bodyOffset());
        assertEquals(acks != 0, request.expectsResponse());
    }

    static Stream<Arguments> oldProduceCases() {
        return Stream.of((short) 0, (short) 1, (short) 2)
                .flatMap(version -> Stream.of((short) 0, (short) 1, (short) -1).map(acks -> Arguments.of(version, acks)));
    }

    // ---- Malformed frames ----

    @ParameterizedTest(name = "{0} bytes after the size prefix")
    @ValueSource(ints = {0, 1, 7})
    void aFrameShorterThanARequestHeaderIsMalformed(int length) {
        ByteBuf frame = Unpooled.buffer().writeInt(length).writeZero(length);

        assertThrows(MalformedFrameException.class, () -> RequestFrame.parse(frame));
    }

    @ParameterizedTest(name = "api key {0}")
    @ValueSource(shorts = {999, -1, Short.MAX_VALUE})
    void anUnknownApiKeyIsMalformed(short apiKey) {
        byte[] frame = HandWritten.request(apiKey, (short) 0, 1, CLIENT_ID).frame();

        assertThrows(MalformedFrameException.class, () -> RequestFrame.parse(wrap(frame)));
    }

    @Test
    void aNegativeVersionIsMalformed() {
        byte[] frame = HandWritten.request(ApiKeys.METADATA.id, (short) -1, 1, CLIENT_ID).frame();

        assertThrows(MalformedFrameException.class, () -> RequestFrame.parse(wrap(frame)));
    }

    @Test
    void aClientIdLongerThanTheFrameIsMalformed() {
        byte[] frame = request(ApiKeys.PRODUCE, (short) 9, "abc", 1, produceBody((short) 9, (short) 1, null));
        // The client id's length sits right after the fixed header: size, api key, version, correlation id.
        ByteBuffer.wrap(frame).putShort(12, (short) (frame.length));
        RequestFrame request = RequestFrame.parse(wrap(frame));

        assertThrows(MalformedFrameException.class, request::clientId);
        assertThrows(MalformedFrameException.class, request::bodyOffset);
        assertThrows(MalformedFrameException.class, request::expectsResponse);
    }

    @Test
    void aFrameThatEndsInsideTheClientIdLengthIsMalformed() {
        // A Metadata v1 header cut after its correlation id: the client id length is missing.
        byte[] frame = ByteBuffer.allocate(13).putInt(9).putShort(ApiKeys.METADATA.id).putShort((short) 1).putInt(1)
                .put((byte) 0).array();
        RequestFrame request = RequestFrame.parse(wrap(frame));

        assertThrows(MalformedFrameException.class, request::clientId);
        assertThrows(MalformedFrameException.class, request::bodyOffset);
    }

    @Test
    void aTaggedFieldLongerThanTheFrameIsMalformed() {
        // One tagged field, tag 0, claiming 127 bytes of which there are 2.
        byte[] frame = HandWritten.request(ApiKeys.API_VERSIONS.id, (short) 3, 1, CLIENT_ID)
                .raw(new byte[] {1, 0, 127, 0, 0}).frame();
        RequestFrame request = RequestFrame.parse(wrap(frame));

        assertThrows(MalformedFrameException.class, request::bodyOffset);
    }

    @Test
    void aTaggedFieldCountVarintThatNeverEndsIsMalformed() {
        byte[] endless = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0};
        byte[] frame = HandWritten.request(ApiKeys.PRODUCE.id, (short) 9, 1, CLIENT_ID).raw(endless).frame();
        RequestFrame request = RequestFrame.parse(wrap(frame));

        assertThrows(MalformedFrameException.class, request::bodyOffset);
        assertThrows(MalformedFrameException.class, request::expectsResponse);
    }

    @Test
    void aVarintCutOffByTheEndOfTheFrameIsMalformed() {
        byte[] frame = HandWritten.request(ApiKeys.API_VERSIONS.id, (short) 3, 1, CLIENT_ID)
                .raw(new byte[] {(byte) 0x80}).frame();
        RequestFrame request = RequestFrame.parse(wrap(frame));

        assertThrows(MalformedFrameException.class, request::bodyOffset);
    }

    @ParameterizedTest(name = "produce v{0}")
    @ValueSource(shorts = {3, 9})
    void aTransactionalIdLongerThanTheFrameIsMalformed(short version) {
        // A body that is only the transactional id's length, claiming 50 bytes.
        byte[] length = version >= 9 ? new byte[] {51} : new byte[] {0, 50};
        HandWritten frame = HandWritten.request(ApiKeys.PRODUCE.id, version, 1, CLIENT_ID);
        if (version >= 9) {
            frame.noTaggedFields();
        }
        RequestFrame request = RequestFrame.parse(wrap(frame.body(length).frame()));

        assertThrows(MalformedFrameException.class, request::expectsResponse);
    }

    @ParameterizedTest
    @NullAndEmptySource
    void aProduceBodyWithoutAcksIsMalformed(String transactionalId) {
        ProduceRequestData body = produceBody((short) 11, (short) 1, transactionalId);
        byte[] whole = request(ApiKeys.PRODUCE, (short) 11, CLIENT_ID, 1, body);
        RequestFrame complete = RequestFrame.parse(wrap(whole));
        // Cut the frame one byte into acks; a null or empty compact transactional id takes one byte.
        int cut = complete.bodyOffset() + 1 + 1;
        ByteBuf truncated = Unpooled.buffer().writeInt(cut - 4).writeBytes(whole, 4, cut - 4);

        assertThrows(MalformedFrameException.class, () -> RequestFrame.parse(truncated).expectsResponse());
    }

    // ---- Helpers ----

    private static void assertHeader(RequestFrame request, ApiKeys api, short version, int correlationId,
                                     String clientId) {
        assertSame(api, request.api());
        assertEquals(version, request.apiVersion());
        assertEquals(correlationId, request.correlationId());
        assertEquals(clientId, request.clientId());
        assertTrue(request.versionKnown());
    }

    /** Decodes the body with kafka-clients from where the frame says it starts, and checks it ends at the frame's end. */
    private static <T extends ApiMessage> T bodyAt(RequestFrame request, Function<Readable, T> reader) {
        var accessor = readerFrom(request.frame(), request.bodyOffset());
        T body = reader.apply(accessor);
        assertEquals(0, accessor.remaining(), "bytes left after the body");
        return body;
    }

    private static ProduceRequestData produceBody(short version, short acks, String transactionalId) {
        TopicProduceData topic = new TopicProduceData()
                .setPartitionData(List.of(new PartitionProduceData().setIndex(2).setRecords(
                        MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("k".getBytes(), "v".getBytes())))));
        if (version >= 13) {
            topic.setTopicId(TOPIC_ID);
        } else {
            topic.setName("orders");
        }
        TopicProduceDataCollection topics = new TopicProduceDataCollection();
        topics.add(topic);
        return new ProduceRequestData().setAcks(acks).setTimeoutMs(30_000).setTransactionalId(transactionalId)
                .setTopicData(topics);
    }

    private static MetadataRequestData metadataBody(short version) {
        MetadataRequestTopic topic = new MetadataRequestTopic().setName("orders");
        if (version >= 10) {
            topic.setTopicId(TOPIC_ID);
        }
        MetadataRequestData body = new MetadataRequestData().setTopics(List.of(topic));
        if (version >= 8) {
            body.setIncludeTopicAuthorizedOperations(true);
        }
        if (version >= 8 && version <= 10) {
            body.setIncludeClusterAuthorizedOperations(true);
        }
        return body;
    }

    private static ApiVersionsRequestData apiVersionsBody(short version) {
        ApiVersionsRequestData body = new ApiVersionsRequestData();
        if (version >= 3) {
            body.setClientSoftwareName("kanal-test").setClientSoftwareVersion("1.0");
        }
        return body;
    }

    /** A request frame written byte by byte, for shapes kafka-clients refuses to write. */
    static final class HandWritten {
        private final ByteBuffer content = ByteBuffer.allocate(1024);

        /** The fixed header fields and a plain (int16 length) client id. */
        static HandWritten request(short apiKey, short version, int correlationId, String clientId) {
            HandWritten frame = new HandWritten();
            byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
            frame.content.putShort(apiKey).putShort(version).putInt(correlationId).putShort((short) id.length).put(id);
            return frame;
        }

        /** The empty tagged-field section that ends a flexible header. */
        HandWritten noTaggedFields() {
            content.put((byte) 0);
            return this;
        }

        HandWritten raw(byte[] bytes) {
            content.put(bytes);
            return this;
        }

        HandWritten body(byte[] bytes) {
            return raw(bytes);
        }

        byte[] frame() {
            return KafkaMessages.sizePrefixed(content.duplicate().flip());
        }
    }
}
