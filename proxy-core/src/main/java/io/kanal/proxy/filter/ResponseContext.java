package io.kanal.proxy.filter;

import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

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

    /** Sends the response on, to the filters nearer the client and then the client. */
    CompletionStage<ResponseAction> forward(R response);

    /** Closes the client connection instead of answering; a log line says which filter did. */
    CompletionStage<ResponseAction> closeConnection();
}
