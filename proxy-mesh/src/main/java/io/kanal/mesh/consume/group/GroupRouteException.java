package io.kanal.mesh.consume.group;

import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.protocol.Errors;

import java.util.concurrent.CompletionException;

/**
 * A group request could not be taken to a coordinator: the error to answer it with, and why.
 */
final class GroupRouteException extends RuntimeException {

    private final transient Errors error;

    GroupRouteException(Errors error, String message) {
        super(message);
        this.error = error;
    }

    GroupRouteException(Errors error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    /** The Kafka error the client is answered with. */
    Errors error() {
        return error;
    }

    /** The error a failed group stage stands for: its own, or COORDINATOR_NOT_AVAILABLE, which clients retry. */
    static Errors errorOf(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof GroupRouteException route) {
            return route.error();
        }
        if (cause instanceof UnsupportedVersionException) {
            return Errors.UNSUPPORTED_VERSION;
        }
        return Errors.COORDINATOR_NOT_AVAILABLE;
    }

    /** The message a failed group stage carries. */
    static String messageOf(Throwable failure) {
        return unwrap(failure).getMessage();
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
