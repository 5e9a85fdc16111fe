package io.kanal.proxy.filter;

import org.apache.kafka.common.protocol.ApiMessage;

import java.util.concurrent.CompletionStage;

/**
 * A filter's hook for responses of one API.
 *
 * @param <R> the response body class
 */
@FunctionalInterface
public interface ResponseHook<R extends ApiMessage> {

    /**
     * Acts on a response on its way to the client. Return one of the actions the context offers, for example
     * {@code return context.forward(response);}. The response may be changed in place before it is forwarded.
     *
     * <p>The stage may complete later, on any thread; later responses of the same connection wait for it, so that
     * the client still receives them in request order. A hook that throws, completes exceptionally or takes longer
     * than the proxy's filter timeout closes the connection: the client's own retry then starts from a clean state.
     */
    CompletionStage<ResponseAction> onResponse(ResponseContext<R> context, R response);
}
