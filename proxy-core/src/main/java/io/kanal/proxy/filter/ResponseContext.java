package io.kanal.proxy.filter;

import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.util.Map;

import java.util.concurrent.CompletionStage;

/**
 * One response as a {@link ResponseHook} sees it, and the actions the hook can end with.
 *
 * @param <R> the response body class
 */
public interface ResponseContext<R extends ApiMessage> extends OutOfBandRequests {

    /** The connection the response goes to. */
    ConnectionInfo connection();

    /** The response's API. */
    ApiKeys api();

    /** The version of the response, the same as its request's. */
    short apiVersion();

    /** The response header. */
    ResponseHeaderData header();

    /**
     * How often each error code occurs in the response, counted the way kafka-clients counts them (one per
     * partition, group or resource that carries it); {@code NONE} counts successes.
     */
    Map<Errors, Integer> errorCounts();

    /**
     * Sends the response on, saying this filter did not change it. When no filter forwards a changed response, the
     * proxy sends the bytes it received instead of encoding them again: the cheap choice for a filter that only
     * looks.
     */
    CompletionStage<ResponseAction> pass();

    /** Sends the response on, to the filters nearer the client and then the client. */
    CompletionStage<ResponseAction> forward(R response);

    /** Closes the client connection instead of answering; a log line says which filter did. */
    CompletionStage<ResponseAction> closeConnection();
}
