package io.kanal.proxy.filter;

import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Where a filter registers its hooks. A hook for a specific API takes precedence over the any-API hook of the same
 * filter; registering a second hook for the same API replaces the first.
 */
public interface FilterHooks {

    /** Calls {@code hook} for every request of {@code api}, e.g. {@code onRequest(KafkaApi.PRODUCE, ...)}. */
    <Q extends ApiMessage, R extends ApiMessage> void onRequest(KafkaApi<Q, R> api, RequestHook<Q, R> hook);

    /** Calls {@code hook} for every response of {@code api}. */
    <Q extends ApiMessage, R extends ApiMessage> void onResponse(KafkaApi<Q, R> api, ResponseHook<R> hook);

    /**
     * Calls {@code hook} for every request of every API this filter has no specific hook for. This decodes every
     * request, so it costs more than specific hooks.
     */
    void onAnyRequest(RequestHook<ApiMessage, ApiMessage> hook);

    /**
     * Calls {@code hook} for every response of every API this filter has no specific hook for. This decodes every
     * response, fetched records included, so it costs more than specific hooks.
     */
    void onAnyResponse(ResponseHook<ApiMessage> hook);
}
