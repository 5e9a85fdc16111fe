package io.kanal.proxy.filter;

import org.apache.kafka.common.protocol.ApiMessage;

import java.util.concurrent.CompletionStage;

/**
 * A filter's hook for requests of one API.
 *
 * @param <Q> the request body class
 * @param <R> the response body class of the same API
 */
@FunctionalInterface
public interface RequestHook<Q extends ApiMessage, R extends ApiMessage> {

    /**
     * Acts on a request on its way to the broker. Return one of the actions the context offers, for example
     * {@code return context.forward(request);}. The request may be changed in place before it is forwarded.
     *
     * <p>The stage may complete later, on any thread; later requests of the same connection wait for it, so that the
     * broker still sees them in order. A hook that throws, completes exceptionally or takes longer than the proxy's
     * filter timeout fails the request: the client receives the API's error response with
     * {@code UNKNOWN_SERVER_ERROR}.
     */
    CompletionStage<RequestAction> onRequest(RequestContext<Q, R> context, Q request);
}
