package io.kanal.filter.testkit;

import io.kanal.proxy.protocol.DecodedRequest;
import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.MalformedFrameException;
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
 * the garbage collector: decoded bodies read their record batches as views into them.
 */
final class Wire {

    private static final ByteBufAllocator HEAP = new UnpooledByteBufAllocator(false, true);

    private Wire() {
    }

    /** A client's request frame, as the proxy receives it. */
    static RequestFrame requestFrame(ApiKeys api, short version, int correlationId, String clientId,
                                     ApiMessage body) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId(clientId);
        return RequestFrame.parse(request(header, api.requestHeaderVersion(version), body, version));
    }

    static ByteBuf request(RequestHeaderData header, short headerVersion, ApiMessage body, short version) {
        try {
            return RequestCodec.encode(HEAP, header, headerVersion, body, version);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(ApiKeys.forId(body.apiKey()) + " request cannot be written in version "
                    + version + ": " + e.getMessage(), e);
        }
    }

    static DecodedRequest decode(RequestFrame frame) {
        return RequestCodec.decode(frame);
    }

    /** A request as the broker reads it once the proxy has written it. */
    static DecodedRequest decode(ByteBuf frame) {
        return RequestCodec.decode(RequestFrame.parse(frame));
    }

    static ByteBuf response(ApiKeys api, short version, int correlationId, ApiMessage body) {
        try {
            return ResponseCodec.encode(HEAP, new DecodedResponse(api,
                    new ResponseHeaderData().setCorrelationId(correlationId), api.responseHeaderVersion(version), body,
                    version));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(api + " response cannot be written in version " + version + ": "
                    + e.getMessage(), e);
        }
    }

    static ByteBuf response(DecodedResponse response) {
        return ResponseCodec.encode(HEAP, response);
    }

    static DecodedResponse decode(ApiKeys api, short version, ByteBuf frame) {
        try {
            return ResponseCodec.decode(frame, api, version);
        } catch (MalformedFrameException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
