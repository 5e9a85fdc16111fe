package io.kanal.proxy.protocol;

/** A frame whose Kafka content cannot be understood; the connection it came from is closed. */
public final class MalformedFrameException extends RuntimeException {

    public MalformedFrameException(String message) {
        super(message);
    }

    public MalformedFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
