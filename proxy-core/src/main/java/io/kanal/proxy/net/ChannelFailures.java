package io.kanal.proxy.net;

import io.kanal.proxy.frame.TruncatedFrameException;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Optional;

/** What a failure reported on a Kafka connection's channel means, for whoever closes the connection because of it. */
public final class ChannelFailures {

    private ChannelFailures() {
    }

    /** The failure itself, without the wrapper a decoder puts around what it threw. */
    public static Throwable unwrap(Throwable cause) {
        return cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    }

    /** A peer that went away: worth a debug line, not a warning. */
    public static boolean isOrdinaryDisconnect(Throwable reason) {
        if (reason instanceof ClosedChannelException) {
            return true;
        }
        String message = reason.getMessage();
        return reason instanceof IOException && message != null
                && (message.contains("Connection reset") || message.contains("Broken pipe"));
    }

    /** The {@code reason} label of the frame-error metric for a frame that could not be read, if it is one. */
    public static Optional<String> frameErrorReason(Throwable reason) {
        if (reason instanceof TooLongFrameException) {
            return Optional.of("oversized");
        }
        if (reason instanceof TruncatedFrameException) {
            return Optional.of("truncated");
        }
        if (reason instanceof CorruptedFrameException) {
            return Optional.of("corrupt");
        }
        return Optional.empty();
    }
}
