package io.kanal.app.embedded;

/** The embedded Kafka broker could not be started. */
public final class EmbeddedBrokerException extends RuntimeException {

    public EmbeddedBrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
