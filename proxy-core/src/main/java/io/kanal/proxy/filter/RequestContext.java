package io.kanal.proxy.filter;

import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.util.concurrent.CompletionStage;

/**
 * One request as a {@link RequestHook} sees it, and the actions the hook can end with.
 *
 * @param <Q> the request body class
 * @param <R> the response body class of the same API
 */
public interface RequestContext<Q extends ApiMessage, R extends ApiMessage> extends OutOfBandRequests {

    /** The connection the request came on. */
    ConnectionInfo connection();

    /** The request's API. */
    ApiKeys api();

    /** The version the client used; the request is forwarded, and answered, in the same version. */
    short apiVersion();

    /** The request header as the client sent it. */
    RequestHeaderData header();

    /** Whether the client waits for an answer: {@code false} only for a produce request with {@code acks=0}. */
    boolean expectsResponse();

    /**
     * Sends the request on, saying this filter did not change it. When no filter forwards a changed request, the
     * proxy sends the bytes that arrived instead of encoding them again: the cheap choice for a filter that only
     * looks.
     */
    CompletionStage<RequestAction> pass();

    /** Sends the request on, to the next filter and then the broker. */
    CompletionStage<RequestAction> forward(Q request);

    /**
     * Sends the request on, and calls {@code onResponse} with this request's response when it comes back, before
     * the hooks of filters nearer the client.
     */
    CompletionStage<RequestAction> forward(Q request, ResponseHook<R> onResponse);

    /**
     * Answers the request without sending it on. The response passes the response hooks of the filters nearer the
     * client; when the client expects no answer, it is dropped.
     */
    CompletionStage<RequestAction> respond(R response);

    /**
     * Answers the request with the API's own error response: {@code error} for everything the request names (each
     * topic, partition or group), with {@code message} where the API carries one. A request the client expects no
     * answer to is dropped instead.
     */
    CompletionStage<RequestAction> respondWithError(Errors error, String message);

    /** Closes the client connection, without an answer; a log line says which filter did. */
    CompletionStage<RequestAction> closeConnection();
}
