package io.kanal.proxy.connection;

import io.kanal.proxy.filter.RequestOutcome;
import io.kanal.proxy.protocol.DecodedRequest;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;

/**
 * A client request waiting for its turn to go to the broker: requests reach the broker in the order they arrived,
 * so one that filters are still working on holds back those behind it.
 */
final class InboundRequest {

    final ByteBuf frame;
    final PendingResponse pending;
    final DecodedRequest decoded;
    private RequestOutcome outcome;

    /** A request that needs nothing more: it waits only for those ahead of it. */
    InboundRequest(ByteBuf frame, PendingResponse pending) {
        this.frame = frame;
        this.pending = pending;
        this.decoded = null;
    }

    /** A request the filters are working on. */
    InboundRequest(ByteBuf frame, PendingResponse pending, DecodedRequest decoded) {
        this.frame = frame;
        this.pending = pending;
        this.decoded = decoded;
    }

    void resolve(RequestOutcome outcome) {
        this.outcome = outcome;
    }

    boolean isReady() {
        return decoded == null || outcome != null;
    }

    /** What the filters decided, or {@code null} for a request no filter saw. */
    RequestOutcome outcome() {
        return outcome;
    }

    void release() {
        ReferenceCountUtil.safeRelease(frame);
    }
}
