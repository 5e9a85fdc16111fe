package io.kanal.proxy.filter;

import org.apache.kafka.common.protocol.ApiMessage;

import java.util.concurrent.CompletionStage;

/** Requests a filter sends to the broker of its own accord, on the connection it is working on. */
public interface OutOfBandRequests {

    /**
     * Sends a request of the filter's own to the broker this connection is forwarded to. The client never sees the
     * request or its response: it has a correlation id of the proxy's own.
     *
     * @param version a version of {@code api} the broker supports
     * @return completes with the response body, or exceptionally when the connection closes first
     */
    <Q extends ApiMessage, R extends ApiMessage> CompletionStage<R> sendRequest(KafkaApi<Q, R> api, short version,
                                                                            Q request);
}
