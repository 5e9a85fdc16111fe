package io.kanal.proxy.connection;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;

/**
 * A filter pass waiting for the one before it on the same connection: a filter sees a connection's requests, and
 * its responses, one at a time and in order. It holds the frame its pass needs until the pass ends.
 */
final class FilterWork {

    private final Runnable start;
    private final ByteBuf heldFrame;

    /** @param heldFrame the frame the pass owns and must release, or {@code null} when someone else owns it */
    FilterWork(Runnable start, ByteBuf heldFrame) {
        this.start = start;
        this.heldFrame = heldFrame;
    }

    void start() {
        start.run();
    }

    /** Releases the held frame of a pass the connection abandons because it closed. */
    void abandon() {
        ReferenceCountUtil.safeRelease(heldFrame);
    }
}
