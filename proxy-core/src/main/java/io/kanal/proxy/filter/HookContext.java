package io.kanal.proxy.filter;

import org.apache.kafka.common.protocol.ApiMessage;

import java.util.concurrent.CompletionStage;

/** What the request and response contexts share: the connection, and requests of a filter's own on it. */
abstract class HookContext implements OutOfBandRequests {

    private final FilteredConnection connection;

    HookContext(FilteredConnection connection) {
        this.connection = connection;
    }

    public ConnectionInfo connection() {
        return connection.info();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <Q extends ApiMessage, R extends ApiMessage> CompletionStage<R> sendRequest(KafkaApi<Q, R> api,
                                                                                   short version, Q request) {
        return (CompletionStage<R>) connection.sendOutOfBand(api.key(), version, request);
    }
}
