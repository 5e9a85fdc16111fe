package io.kanal.proxy.connection;

import io.kanal.proxy.filter.ResponseHook;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

import java.util.concurrent.CompletableFuture;

/**
 * A request that awaits its response: a client's, whose response goes to the client once ready, or the proxy's own
 * (out of band), whose response completes {@link #outOfBand}.
 */
final class PendingResponse {

    final ApiKeys api;
    final short apiVersion;
    final int correlationId;
    final long receivedNanos;
    final CompletableFuture<ApiMessage> outOfBand;
    ResponseHook<?>[] interceptors;
    long forwardedNanos = -1;
    long upstreamNanos = -1;
    private ByteBuf response;

    private PendingResponse(ApiKeys api, short apiVersion, int correlationId, long receivedNanos,
                            CompletableFuture<ApiMessage> outOfBand) {
        this.api = api;
        this.apiVersion = apiVersion;
        this.correlationId = correlationId;
        this.receivedNanos = receivedNanos;
        this.outOfBand = outOfBand;
    }

    static PendingResponse fromClient(ApiKeys api, short apiVersion, int correlationId) {
        return new PendingResponse(api, apiVersion, correlationId, System.nanoTime(), null);
    }

    static PendingResponse outOfBand(ApiKeys api, short apiVersion, int correlationId,
                                     CompletableFuture<ApiMessage> result) {
        return new PendingResponse(api, apiVersion, correlationId, System.nanoTime(), result);
    }

    void forwarded() {
        forwardedNanos = System.nanoTime();
    }

    void answered() {
        if (forwardedNanos >= 0) {
            upstreamNanos = System.nanoTime() - forwardedNanos;
        }
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
