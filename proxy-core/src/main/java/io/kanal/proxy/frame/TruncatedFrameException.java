package io.kanal.proxy.frame;

import io.netty.handler.codec.CorruptedFrameException;

/** The peer closed its side of the connection part-way through a frame. */
public final class TruncatedFrameException extends CorruptedFrameException {

    public TruncatedFrameException(String message) {
        super(message);
    }
}
