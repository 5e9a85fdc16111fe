package io.kanal.proxy.protocol;

import io.kanal.proxy.frame.KafkaFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;

import java.nio.ByteBuffer;

/**
 * Turns response frames into kafka-clients messages and back. Only responses that something must read or change
 * pass through here; all others are forwarded as the bytes that arrived.
 */
public final class ResponseCodec {

    private ResponseCodec() {
    }

    /**
     * Decodes a response frame (size prefix included) answering {@code api} at {@code version}.
     *
     * @throws MalformedFrameException when the bytes are not a valid response of that API and version
     */
    public static DecodedResponse decode(ByteBuf frame, ApiKeys api, short version) {
        int offset = frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX_BYTES;
        ByteBuffer bytes = frame.nioBuffer(offset, frame.writerIndex() - offset);
        short headerVersion = api.responseHeaderVersion(version);
        try {
            ByteBufferAccessor accessor = new ByteBufferAccessor(bytes);
            ResponseHeaderData header = new ResponseHeaderData(accessor, headerVersion);
            int bodyStart = bytes.position();
            if (api != ApiKeys.API_VERSIONS) {
                AbstractResponse parsed = AbstractResponse.parseResponse(api, accessor, version);
                FrameWriter.requireFullyRead(accessor);
                return new DecodedResponse(api, header, headerVersion, parsed.data(), version, parsed);
            }
            short bodyVersion = version;
            ApiVersionsResponseData body;
            try {
                body = readApiVersions(accessor, version);
            } catch (RuntimeException e) {
                if (version == 0) {
                    throw e;
                }
                // A broker that does not know the ApiVersions version asked for answers in version 0.
                bytes.position(bodyStart);
                bodyVersion = 0;
                body = readApiVersions(accessor, bodyVersion);
            }
            return new DecodedResponse(api, header, headerVersion, body, bodyVersion, new ApiVersionsResponse(body));
        } catch (RuntimeException e) {
            throw new MalformedFrameException("cannot decode " + api + " v" + version + " response: " + e, e);
        }
    }

    /** Encodes a response as a frame with its size prefix. */
    public static ByteBuf encode(ByteBufAllocator allocator, DecodedResponse response) {
        return FrameWriter.write(allocator, response.header(), response.headerVersion(), response.body(),
                response.bodyVersion());
    }

    private static ApiVersionsResponseData readApiVersions(ByteBufferAccessor accessor, short version) {
        ApiVersionsResponseData body = new ApiVersionsResponseData(accessor, version);
        FrameWriter.requireFullyRead(accessor);
        return body;
    }

}
