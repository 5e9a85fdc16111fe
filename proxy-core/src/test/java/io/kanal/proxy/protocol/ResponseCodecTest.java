package io.kanal.proxy.protocol;

import static io.kanal.proxy.protocol.KafkaMessages.response;
import static io.kanal.proxy.protocol.KafkaMessages.wrap;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKeyCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKeyCollection;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBrokerCollection;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopicCollection;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseCodecTest {

    private static final int CORRELATION_ID = 1234;

    /** Every version of the three APIs, with a body that uses as many of that version's fields as possible. */
    static Stream<Arguments> everyVersion() {
        return Stream.of(ApiKeys.METADATA, ApiKeys.FIND_COORDINATOR, ApiKeys.API_VERSIONS)
                .flatMap(api -> api.allVersions().stream().map(version -> Arguments.of(api, version)));
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("everyVersion")
    void decodeThenEncodeGivesBackTheSameBytes(ApiKeys api, short version) {
        short headerVersion = api.responseHeaderVersion(version);
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(CORRELATION_ID);
        if (headerVersion >= 1) {
            // A tag this kafka-clients does not know: it must survive the round trip all the same.
            header.unknownTaggedFields().add(new RawTaggedField(7, new byte[] {1, 2, 3}));
        }
        byte[] original = response(header, headerVersion, body(api, version), version);
        ByteBuf frame = wrap(original);

        DecodedResponse decoded = ResponseCodec.decode(frame, api, version);

        assertSame(api, decoded.api());
        assertEquals(version, decoded.bodyVersion());
        assertEquals(headerVersion, decoded.headerVersion());
        assertEquals(CORRELATION_ID, decoded.header().correlationId());
        assertEquals(header.unknownTaggedFields(), decoded.header().unknownTaggedFields());
        assertArrayEquals(original, encoded(decoded));
        // The frame is forwarded as it is when nothing changes, so decoding must leave its indexes alone.
        assertEquals(0, frame.readerIndex());
        assertEquals(original.length, frame.writerIndex());
    }

    @Test
    void decodedFieldsAreTheOnesWritten() {
        short version = 12;
        byte[] frame = response(ApiKeys.METADATA, version, CORRELATION_ID, body(ApiKeys.METADATA, version));

        MetadataResponseData body = (MetadataResponseData) ResponseCodec.decode(wrap(frame), ApiKeys.METADATA, version)
                .body();

        assertEquals(body(ApiKeys.METADATA, version), body);
    }

    @Test
    void aFrameThatDoesNotStartAtIndexZeroIsReadFromItsReaderIndex() {
        short version = 12;
        byte[] frame = response(ApiKeys.METADATA, version, CORRELATION_ID, body(ApiKeys.METADATA, version));
        ByteBuf buffer = Unpooled.buffer().writeBytes(new byte[] {9, 9, 9}).writeBytes(frame);
        buffer.skipBytes(3);

        DecodedResponse decoded = ResponseCodec.decode(buffer, ApiKeys.METADATA, version);

        assertEquals(CORRELATION_ID, decoded.header().correlationId());
        assertEquals(body(ApiKeys.METADATA, version), decoded.body());
    }

    @ParameterizedTest(name = "asked in v{0}")
    @ValueSource(shorts = {1, 2, 3, 4})
    void anApiVersionsAnswerInVersion0ToANewerRequestDecodesAsVersion0(short asked) {
        // What a broker that does not know the version asked for sends: header v0, body v0, UNSUPPORTED_VERSION.
        ApiVersionsResponseData v0 = new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                .setApiKeys(apiKeys(new ApiVersion().setApiKey(ApiKeys.API_VERSIONS.id).setMaxVersion((short) 2)));
        byte[] original = response(new ResponseHeaderData().setCorrelationId(CORRELATION_ID), (short) 0, v0, (short) 0);

        DecodedResponse decoded = ResponseCodec.decode(wrap(original), ApiKeys.API_VERSIONS, asked);

        assertEquals(0, decoded.bodyVersion());
        assertEquals(v0, decoded.body());
        assertArrayEquals(original, encoded(decoded));
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("everyVersion")
    void trailingBytesAfterTheBodyAreMalformed(ApiKeys api, short version) {
        byte[] whole = response(api, version, CORRELATION_ID, body(api, version));
        ByteBuffer content = ByteBuffer.allocate(whole.length - 4 + 3).put(whole, 4, whole.length - 4)
                .put(new byte[] {1, 2, 3}).flip();

        ByteBuf frame = wrap(KafkaMessages.sizePrefixed(content));

        assertThrows(MalformedFrameException.class, () -> ResponseCodec.decode(frame, api, version));
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("everyVersion")
    void aBodyCutShortIsMalformed(ApiKeys api, short version) {
        byte[] whole = response(api, version, CORRELATION_ID, body(api, version));
        ByteBuffer content = ByteBuffer.wrap(whole, 4, whole.length - 5);

        ByteBuf frame = wrap(KafkaMessages.sizePrefixed(content));

        assertThrows(MalformedFrameException.class, () -> ResponseCodec.decode(frame, api, version));
    }

    @Test
    void aFrameWithNoRoomForAHeaderIsMalformed() {
        ByteBuf frame = Unpooled.buffer().writeInt(2).writeShort(0);

        assertThrows(MalformedFrameException.class, () -> ResponseCodec.decode(frame, ApiKeys.METADATA, (short) 12));
    }

    @Test
    void theLocalUnsupportedApiVersionsAnswerIsAVersion0ResponseKafkaClientsReads() {
        ByteBuf frame = ResponseCodec.encode(ByteBufAllocator.DEFAULT, LocalResponses.unsupportedApiVersions(77));
        byte[] bytes = ByteBufUtil.getBytes(frame);
        frame.release();
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        assertEquals(bytes.length - 4, buffer.getInt(), "size prefix");

        // Read it the way a kafka-clients consumer that asked in its latest version does, fallback to v0 included.
        RequestHeader asked = new RequestHeader(ApiKeys.API_VERSIONS, ApiKeys.API_VERSIONS.latestVersion(), "c", 77);
        ApiVersionsResponse response = (ApiVersionsResponse) AbstractResponse.parseResponse(buffer, asked);

        assertEquals(Errors.UNSUPPORTED_VERSION.code(), response.data().errorCode());
        assertFalse(response.data().apiKeys().isEmpty());
        ApiVersion apiVersions = response.data().apiKeys().find(ApiKeys.API_VERSIONS.id);
        assertNotNull(apiVersions, "the answer must say which ApiVersions versions to retry with");
        assertEquals(ApiKeys.API_VERSIONS.latestVersion(false), apiVersions.maxVersion());
        // The same ranges the clamp lets through, Produce from v0 included (KAFKA-18659).
        assertEquals(0, response.data().apiKeys().find(ApiKeys.PRODUCE.id).minVersion());
    }

    @Test
    void theLocalUnsupportedApiVersionsAnswerIsStrictlyVersion0() {
        DecodedResponse local = LocalResponses.unsupportedApiVersions(5);
        byte[] bytes = encoded(local);

        // Header v0 is just the correlation id; a v0 body is error code then an int32-counted array, no tags.
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 4, bytes.length - 4);
        assertEquals(5, buffer.getInt());
        ApiVersionsResponseData body = new ApiVersionsResponseData(
                new ByteBufferAccessor(buffer), (short) 0);
        assertEquals(0, buffer.remaining());
        assertEquals(Errors.UNSUPPORTED_VERSION.code(), body.errorCode());
    }

    // ---- Bodies ----

    private static ApiMessage body(ApiKeys api, short version) {
        return switch (api) {
            case METADATA -> metadata(version);
            case FIND_COORDINATOR -> findCoordinator(version);
            case API_VERSIONS -> apiVersions(version);
            default -> throw new IllegalArgumentException(api.toString());
        };
    }

    private static MetadataResponseData metadata(short version) {
        MetadataResponseBrokerCollection brokers = new MetadataResponseBrokerCollection();
        for (int id = 0; id < 3; id++) {
            brokers.add(new MetadataResponseBroker().setNodeId(id).setHost("broker-" + id + ".internal")
                    .setPort(9092 + id).setRack(version >= 1 ? "rack-" + id : null));
        }
        MetadataResponseTopic topic = new MetadataResponseTopic().setName("orders").setIsInternal(false)
                .setPartitions(List.of(new MetadataResponsePartition().setPartitionIndex(0).setLeaderId(1)
                        .setLeaderEpoch(5).setReplicaNodes(List.of(1, 2)).setIsrNodes(List.of(1))
                        .setOfflineReplicas(List.of(2))));
        if (version >= 8) {
            topic.setTopicAuthorizedOperations(0b1010);
        }
        if (version >= 10) {
            topic.setTopicId(Uuid.fromString("vDAUgq2ITYi9wpkHxq3-Dw"));
        }
        MetadataResponseTopicCollection topics = new MetadataResponseTopicCollection();
        topics.add(topic);
        MetadataResponseData body = new MetadataResponseData().setThrottleTimeMs(11).setBrokers(brokers)
                .setClusterId("cluster-a").setControllerId(2).setTopics(topics);
        if (version >= 8 && version <= 10) {
            body.setClusterAuthorizedOperations(0b0110);
        }
        return body;
    }

    private static FindCoordinatorResponseData findCoordinator(short version) {
        FindCoordinatorResponseData body = new FindCoordinatorResponseData().setThrottleTimeMs(3);
        if (version < 4) {
            return body.setErrorCode((short) 0).setErrorMessage(version >= 1 ? "fine" : null).setNodeId(1)
                    .setHost("broker-1.internal").setPort(9093);
        }
        return body.setCoordinators(List.of(
                new Coordinator().setKey("group-a").setNodeId(1).setHost("broker-1.internal").setPort(9093),
                new Coordinator().setKey("group-b").setNodeId(-1).setHost("").setPort(-1)
                        .setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setErrorMessage("not yet")));
    }

    private static ApiVersionsResponseData apiVersions(short version) {
        ApiVersionsResponseData body = new ApiVersionsResponseData().setThrottleTimeMs(1).setApiKeys(apiKeys(
                new ApiVersion().setApiKey(ApiKeys.PRODUCE.id).setMinVersion((short) 0).setMaxVersion((short) 13),
                new ApiVersion().setApiKey(ApiKeys.METADATA.id).setMinVersion((short) 0).setMaxVersion((short) 13)));
        if (version >= 3) {
            SupportedFeatureKeyCollection supported = new SupportedFeatureKeyCollection();
            supported.add(new SupportedFeatureKey().setName("metadata.version").setMinVersion((short) 1)
                    .setMaxVersion((short) 27));
            FinalizedFeatureKeyCollection finalized = new FinalizedFeatureKeyCollection();
            finalized.add(new FinalizedFeatureKey().setName("metadata.version").setMinVersionLevel((short) 27)
                    .setMaxVersionLevel((short) 27));
            body.setSupportedFeatures(supported).setFinalizedFeaturesEpoch(42).setFinalizedFeatures(finalized);
        }
        return body;
    }

    private static ApiVersionCollection apiKeys(ApiVersion... versions) {
        ApiVersionCollection collection = new ApiVersionCollection();
        Arrays.stream(versions).forEach(collection::add);
        return collection;
    }

    private static byte[] encoded(DecodedResponse response) {
        ByteBuf frame = ResponseCodec.encode(ByteBufAllocator.DEFAULT, response);
        try {
            return ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
    }
}
