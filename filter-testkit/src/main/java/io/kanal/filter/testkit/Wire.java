package io.kanal.filter.testkit;

import io.kanal.proxy.protocol.DecodedRequest;
import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.RequestCodec;
import io.kanal.proxy.protocol.RequestFrame;
import io.kanal.proxy.protocol.ResponseCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Writes messages as frames and reads them back with the proxy's own codecs. Frames live on the heap and are left to
 * the garbage collector: decoded bodies read their record batches as views into them. A message the test hands in
 * that its version cannot carry is the test's mistake ({@link IllegalArgumentException}); one a filter made fails as
 * it fails in the proxy.
 */
final class Wire {

    private static final ByteBufAllocator HEAP = new UnpooledByteBufAllocator(false, true);

    private Wire() {
    }

    /** The test's request, as the proxy receives it from the client. */
    static RequestFrame clientRequest(ApiKeys api, short version, int correlationId, String clientId,
                                      ApiMessage body) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId(clientId);
        try {
            return RequestFrame.parse(writeRequest(header, api.requestHeaderVersion(version), body, version));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(api + " request cannot be written in version " + version + ": "
                    + e.getMessage(), e);
        }
    }

    /** The test's response, as the proxy receives it from the broker. */
    static ByteBuf brokerResponse(ApiKeys api, short version, int correlationId, ApiMessage body) {
        try {
            return writeResponse(new DecodedResponse(api, new ResponseHeaderData().setCorrelationId(correlationId),
                    api.responseHeaderVersion(version), body, version));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(api + " response cannot be written in version " + version + ": "
                    + e.getMessage(), e);
        }
    }

    static ByteBuf writeRequest(RequestHeaderData header, short headerVersion, ApiMessage body, short version) {
        return RequestCodec.encode(HEAP, header, headerVersion, body, version);
    }

    static ByteBuf writeResponse(DecodedResponse response) {
        return ResponseCodec.encode(HEAP, response);
    }

    static DecodedRequest readRequest(RequestFrame frame) {
        return RequestCodec.decode(frame);
    }

    static DecodedRequest readRequest(ByteBuf frame) {
        return RequestCodec.decode(RequestFrame.parse(frame));
    }

    static DecodedResponse readResponse(ApiKeys api, short version, ByteBuf frame) {
        return ResponseCodec.decode(frame, api, version);
    }
}
