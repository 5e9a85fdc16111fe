package io.kanal.proxy.connection;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import org.apache.kafka.common.protocol.ApiKeys;

/** A request that awaits its response, and the response once it is ready to go to the client. */
final class PendingResponse {

    final ApiKeys api;
    final short apiVersion;
    final int correlationId;
    private ByteBuf response;

    PendingResponse(ApiKeys api, short apiVersion, int correlationId) {
        this.api = api;
        this.apiVersion = apiVersion;
        this.correlationId = correlationId;
    }

    void complete(ByteBuf frame) {
        response = frame;
    }

    boolean isComplete() {
        return response != null;
    }

    ByteBuf takeResponse() {
        ByteBuf frame = response;
        response = null;
        return frame;
    }

    void release() {
        ReferenceCountUtil.safeRelease(response);
        response = null;
    }
}
