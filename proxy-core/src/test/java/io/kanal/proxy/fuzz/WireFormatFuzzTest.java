package io.kanal.proxy.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kanal.proxy.address.AddressRewriter;
import io.kanal.proxy.address.BrokerAddressMap;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.frame.KafkaFrameDecoder;
import io.kanal.proxy.protocol.ApiVersionsClamp;
import io.kanal.proxy.protocol.DecodedRequest;
import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.MalformedFrameException;
import io.kanal.proxy.protocol.RequestCodec;
import io.kanal.proxy.protocol.RequestFrame;
import io.kanal.proxy.protocol.ResponseCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.List;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.types.RawTaggedFieldWriter;

/**
 * Coverage-guided fuzz tests of everything the proxy reads from a socket: the frame decoder, the request header
 * parser, request decoding, and the path a broker's response takes when its broker addresses are rewritten.
 *
 * <p>The only exceptions allowed out are the ones the proxy turns into closing the one connection the bytes came on:
 * {@link MalformedFrameException} and Netty's {@link DecoderException}s (and, from {@link AddressRewriter#rewrite},
 * its documented {@link IllegalArgumentException}). Anything else — an {@code IndexOutOfBoundsException}, an
 * {@code OutOfMemoryError}, a failed invariant — is a bug.
 *
 * <p>Without {@code JAZZER_FUZZ} these run as ordinary unit tests over the inputs committed under
 * {@code src/test/resources/io/kanal/proxy/fuzz/WireFormatFuzzTestInputs/<method>/}: seeds made by
 * {@link WireFormatSeeds} and every input fuzzing ever found a bug with. To fuzz one of them, for as long as its
 * {@code maxDuration} says:
 * <pre>
 * JAZZER_FUZZ=1 mvn -pl proxy-core test -Dtest='WireFormatFuzzTest#responseRewrite'
 * </pre>
 */
class WireFormatFuzzTest {

    /** Small, so that the fuzzer reaches both sides of the limit. */
    private static final int MAX_FRAME_BYTES = 4096;

    /**
     * The responses the proxy decodes to rewrite, chosen by an input's first byte. Append only: committed inputs
     * name their API by its index here.
     */
    private static final List<ApiKeys> REWRITTEN_APIS = List.of(
            ApiKeys.METADATA, ApiKeys.FIND_COORDINATOR, ApiKeys.DESCRIBE_CLUSTER, ApiKeys.FETCH, ApiKeys.PRODUCE,
            ApiKeys.SHARE_FETCH, ApiKeys.SHARE_ACKNOWLEDGE, ApiKeys.DESCRIBE_QUORUM, ApiKeys.API_VERSIONS);

    /** Nodes 0-31 are served, at ports of their own; any other node id is outside the range. */
    private static final BrokerAddressMap BROKERS = (nodeId, upstream) ->
            nodeId >= 0 && nodeId < 32 ? new HostPort("proxy.example", 9193 + nodeId) : null;

    /**
     * A client's byte stream, cut into pieces of a size the first byte chooses, through the frame decoder, and each
     * frame through everything the proxy does with a request frame.
     */
    @FuzzTest(maxDuration = "5m")
    void framesFromAClient(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int piece = 1 + (data[0] & 0xff);
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(MAX_FRAME_BYTES));
        try {
            for (int offset = 1; offset < data.length; offset += piece) {
                channel.writeInbound(Unpooled.copiedBuffer(data, offset, Math.min(piece, data.length - offset)));
                readFrames(channel);
            }
            channel.finish();
            readFrames(channel);
        } catch (DecoderException closesTheConnection) {
            readFrames(channel);
        } finally {
            try {
                channel.finishAndReleaseAll();
            } catch (DecoderException alreadyReported) {
                // decodeLast on a stream that had failed already.
            }
        }
    }

    /** One whole request frame, its size prefix made to fit: the header parser and request decoding. */
    @FuzzTest(maxDuration = "5m")
    void requestFrame(byte[] data) {
        ByteBuf frame = Unpooled.buffer(4 + data.length).writeInt(data.length).writeBytes(data);
        try {
            readRequest(frame);
        } finally {
            assertTrue(frame.release(), "the frame is still referenced");
        }
    }

    /**
     * A broker's response to an API whose responses name brokers, at any version (one past the newest included),
     * decoded, rewritten and encoded as the proxy does; what it encodes must decode again.
     */
    @FuzzTest(maxDuration = "5m")
    void responseRewrite(byte[] data) {
        if (data.length < 2) {
            return;
        }
        ApiKeys api = REWRITTEN_APIS.get((data[0] & 0xff) % REWRITTEN_APIS.size());
        short version = (short) ((data[1] & 0xff) % (api.latestVersion() + 2));
        int size = data.length - 2;
        ByteBuf frame = Unpooled.buffer(4 + size).writeInt(size).writeBytes(data, 2, size);
        try {
            DecodedResponse decoded;
            try {
                decoded = ResponseCodec.decode(frame, api, version);
            } catch (MalformedFrameException closesTheConnection) {
                return;
            }
            if (api == ApiKeys.API_VERSIONS) {
                ApiVersionsClamp.clamp((ApiVersionsResponseData) decoded.body());
            } else {
                try {
                    new AddressRewriter(BROKERS).rewrite(api, decoded.bodyVersion(), decoded.body());
                } catch (IllegalArgumentException closesTheConnection) {
                    // A blank host or a port outside 0-65535: the proxy closes the connection.
                    return;
                }
            }
            ByteBuf encoded;
            try {
                encoded = ResponseCodec.encode(UnpooledByteBufAllocator.DEFAULT, decoded);
            } catch (RuntimeException e) {
                if (taggedFieldsOutOfOrder(e)) {
                    // The proxy closes the connection ("cannot encode the ... response").
                    return;
                }
                throw e;
            }
            try {
                assertEquals(encoded.readableBytes() - 4, encoded.getInt(0));
                // Encoding may drop what the version cannot carry, so compare the second encoding with the first.
                ByteBuf again = ResponseCodec.encode(UnpooledByteBufAllocator.DEFAULT,
                        ResponseCodec.decode(encoded, api, version));
                try {
                    assertTrue(ByteBufUtil.equals(encoded, again), "a rewritten response does not read back the same");
                } finally {
                    again.release();
                }
            } finally {
                encoded.release();
            }
        } finally {
            frame.release();
        }
    }

    /**
     * kafka-clients reads any unknown tagged field, but writes them back only as the protocol allows: in ascending
     * order of their tags, and none with the tag 2^31-1. A peer that sends others gets its connection closed when
     * the proxy must encode the message again ("cannot encode the ... response"), rather than when it is read.
     */
    private static boolean taggedFieldsOutOfOrder(RuntimeException e) {
        StackTraceElement[] stack = e.getStackTrace();
        return stack.length > 0 && stack[0].getClassName().equals(RawTaggedFieldWriter.class.getName());
    }

    private static void readFrames(EmbeddedChannel channel) {
        for (ByteBuf frame; (frame = channel.readInbound()) != null; ) {
            try {
                assertEquals(frame.readableBytes() - 4, frame.getInt(frame.readerIndex()),
                        "a frame is its size prefix and that many bytes");
                assertTrue(frame.readableBytes() - 4 <= MAX_FRAME_BYTES, "a frame above the limit came out");
                readRequest(frame);
            } finally {
                frame.release();
            }
        }
    }

    /** What the proxy does with a request frame: header fields, client id, acks, and decoding for filters. */
    private static void readRequest(ByteBuf frame) {
        RequestFrame request;
        try {
            request = RequestFrame.parse(frame);
            request.expectsResponse();
            request.clientId();
            assertTrue(request.bodyOffset() <= frame.writerIndex(), "the body starts past the frame's end");
        } catch (MalformedFrameException closesTheConnection) {
            return;
        }
        if (!request.versionKnown()) {
            return;
        }
        DecodedRequest decoded;
        try {
            decoded = RequestCodec.decode(request);
        } catch (MalformedFrameException closesTheConnection) {
            return;
        }
        // A filter that changes a request has it encoded again: whatever decoded must encode.
        try {
            RequestCodec.encode(UnpooledByteBufAllocator.DEFAULT, decoded.header(), decoded.headerVersion(),
                    decoded.body(), decoded.apiVersion()).release();
        } catch (RuntimeException e) {
            if (!taggedFieldsOutOfOrder(e)) {
                throw e;
            }
        }
    }
}
