package io.kanal.mesh.api;

import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * A request a client sent to the mesh, decoded.
 *
 * @param <Q> the body type
 */
public interface MeshRequest<Q extends ApiMessage> {

    /** The request's API. */
    ApiKeys api();

    /** The version the client used; the response must be written in it, and the handler's answer must fit it. */
    short apiVersion();

    /** The request header: correlation id, client id, tagged fields. */
    RequestHeaderData header();

    /** The request body. Valid until the handler's stage completes unless {@link #retainBody() retained}. */
    Q body();

    /** False only for a Produce request with acks=0, which gets no response. */
    boolean expectsResponse();

    /**
     * Keeps the bytes behind {@link #body()} valid after the handler's stage completes, until the returned lease is
     * released. Each call needs its own {@link BodyLease#release()}.
     */
    BodyLease retainBody();

    /**
     * Runs {@code release} once the answer to this request has been written to the client, or once it never will be
     * (the handler failed, the client went away). For an answer whose record batches view memory the handler holds:
     * the mesh writes record batches to the client where they lie, without copying them. Call it before the handler's
     * stage completes, from any thread.
     */
    void releaseAfterAnswer(Runnable release);

    /** A hold on the bytes of a request's body; see {@link #retainBody()}. */
    interface BodyLease {

        /** Lets the bytes go; calling it more than once does nothing. */
        void release();
    }
}
