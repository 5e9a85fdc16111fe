package io.kanal.proxy.protocol;

import io.kanal.proxy.frame.KafkaFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;

import java.nio.ByteBuffer;

/**
 * Turns request frames into kafka-clients messages and back, for the requests a filter asked to see; all others are
 * forwarded as the bytes that arrived.
 */
public final class RequestCodec {

    private RequestCodec() {
    }

    /**
     * Decodes a request frame whose version kafka-clients knows.
     *
     * @throws MalformedFrameException when the bytes are not a valid request of that API and version
     */
    public static DecodedRequest decode(RequestFrame request) {
        ByteBuf frame = request.frame();
        int offset = frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX_BYTES;
        ByteBuffer bytes = frame.nioBuffer(offset, frame.writerIndex() - offset);
        short headerVersion = request.api().requestHeaderVersion(request.apiVersion());
        try {
            ByteBufferAccessor accessor = new ByteBufferAccessor(bytes);
            RequestHeaderData header = new RequestHeaderData(accessor, headerVersion);
            ApiMessage body = request.api().messageType.newRequest();
            body.read(accessor, request.apiVersion());
            FrameWriter.requireFullyRead(accessor);
            return new DecodedRequest(request.api(), request.apiVersion(), header, headerVersion, body);
        } catch (RuntimeException e) {
            throw new MalformedFrameException("cannot decode " + request + ": " + e, e);
        }
    }

    /** Encodes a request as a frame with its size prefix. */
    public static ByteBuf encode(ByteBufAllocator allocator, RequestHeaderData header, short headerVersion,
                                 ApiMessage body, short apiVersion) {
        return FrameWriter.write(allocator, header, headerVersion, body, apiVersion);
    }

    /**
     * The API's own error response to {@code body}: {@code error} for everything the request names, as a broker
     * would answer it.
     */
    public static DecodedResponse errorResponse(DecodedRequest request, ApiMessage body, Errors error, String message) {
        AbstractRequest parsed = AbstractRequest.parseRequest(request.api(), request.apiVersion(),
                MessageUtil.toByteBufferAccessor(body, request.apiVersion())).request;
        AbstractResponse response = parsed.getErrorResponse(0, error.exception(message));
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(request.header().correlationId());
        return new DecodedResponse(request.api(), header, request.api().responseHeaderVersion(request.apiVersion()),
                response.data(), request.apiVersion(), response);
    }
}
