package io.kanal.mesh.api;

import org.apache.kafka.common.protocol.ApiMessage;

import java.util.concurrent.CompletionStage;

/**
 * Answers one Kafka API on the mesh listener.
 *
 * <p>Threading: {@link #handle} is called on the session's event loop ({@link MeshSession#executor()}), one request
 * at a time per connection, in the order the client sent them. It must not block: work that waits (an upstream
 * request, a producer acknowledgement) is returned as a stage that completes later, on any thread. The connection
 * writes each response once its stage completes, but always in request order, so a slow answer holds back the answers
 * to later requests of the same connection, as a broker's would.
 *
 * <p>Failures: an exception thrown by {@code handle}, or a stage completing exceptionally, answers the request with
 * the API's own error response (UNKNOWN_SERVER_ERROR) and a log line; the connection stays open. To answer with a
 * specific Kafka error, complete normally with a response that carries it.
 *
 * <p>Lifetime of the request: the decoded body may be a view of the bytes the client sent (record batches are), and
 * those bytes stay valid until the returned stage completes. A handler that needs them longer calls {@link
 * MeshRequest#retainBody()}.
 *
 * @param <Q> the request body type, kafka-clients' generated {@code *RequestData} class of the API
 * @param <R> the response body type, the API's {@code *ResponseData} class
 */
@FunctionalInterface
public interface MeshApiHandler<Q extends ApiMessage, R extends ApiMessage> {

    /**
     * @param session the client connection the request came on, with its per-connection state and close callbacks
     * @param request the decoded request, its header and version
     * @return the response body, in the request's version; a stage completing with {@code null} sends no response,
     *         which is only right for a request that expects none ({@link MeshRequest#expectsResponse()} false:
     *         Produce with acks=0)
     */
    CompletionStage<R> handle(MeshSession session, MeshRequest<Q> request);
}
