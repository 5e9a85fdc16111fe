package io.kanal.mesh.upstream;

/**
 * An upstream broker could not be asked, or did not answer: the connection could not be made, closed, timed out, or
 * carried something that is not a Kafka response. What was asked may be asked again on a new connection.
 */
public final class UpstreamException extends RuntimeException {

    public UpstreamException(String message) {
        super(message);
    }

    public UpstreamException(String message, Throwable cause) {
        super(message, cause);
    }
}
