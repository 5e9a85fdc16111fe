package io.kanal.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

/** Kafka frames as real clients and brokers write them, built with kafka-clients' own serializers. */
public final class KafkaMessages {

    private KafkaMessages() {
    }

    /** A request frame, size prefix included. */
    public static byte[] request(ApiKeys api, short version, String clientId, int correlationId, ApiMessage body) {
        RequestHeader header = new RequestHeader(api, version, clientId, correlationId);
        return sizePrefixed(RequestUtils.serialize(header.data(), header.headerVersion(), body, version));
    }

    /** A response frame with a plain header for {@code api} at {@code version}, size prefix included. */
    public static byte[] response(ApiKeys api, short version, int correlationId, ApiMessage body) {
        return response(new ResponseHeaderData().setCorrelationId(correlationId), api.responseHeaderVersion(version),
                body, version);
    }

    /** A response frame from a given header, in the given header and body versions, size prefix included. */
    public static byte[] response(ResponseHeaderData header, short headerVersion, Message body, short bodyVersion) {
        return sizePrefixed(RequestUtils.serialize(header, headerVersion, body, bodyVersion));
    }

    /** A frame that is only a correlation id and opaque bytes: enough for responses the proxy passes through. */
    public static byte[] opaqueResponse(int correlationId, byte[] payload) {
        return sizePrefixed(ByteBuffer.allocate(4 + payload.length).putInt(correlationId).put(payload).flip());
    }

    /** A kafka-clients reader over a frame's bytes from {@code offset} to the frame's end, sharing its memory. */
    public static ByteBufferAccessor readerFrom(ByteBuf frame, int offset) {
        return new ByteBufferAccessor(frame.nioBuffer(offset, frame.writerIndex() - offset));
    }

    /** Wraps a frame the way the frame decoder hands it on: a buffer positioned at its size prefix. */
    public static ByteBuf wrap(byte[] frame) {
        return Unpooled.wrappedBuffer(frame);
    }

    public static byte[] sizePrefixed(ByteBuffer content) {
        byte[] frame = new byte[4 + content.remaining()];
        ByteBuffer.wrap(frame).putInt(content.remaining()).put(content);
        return frame;
    }
}
