package io.kanal.filters.testing;

import io.kanal.proxy.filter.FilterHooks;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.filter.RequestHook;
import io.kanal.proxy.filter.ResponseHook;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

import java.util.LinkedHashMap;
import java.util.Map;

/** Records the hooks a filter registers, for tests to call. */
public final class FakeHooks implements FilterHooks {

    public final Map<ApiKeys, RequestHook<?, ?>> requestHooks = new LinkedHashMap<>();
    public final Map<ApiKeys, ResponseHook<?>> responseHooks = new LinkedHashMap<>();
    public RequestHook<ApiMessage, ApiMessage> anyRequest;
    public ResponseHook<ApiMessage> anyResponse;

    @Override
    public <Q extends ApiMessage, R extends ApiMessage> void onRequest(KafkaApi<Q, R> api, RequestHook<Q, R> hook) {
        requestHooks.put(api.key(), hook);
    }

    @Override
    public <Q extends ApiMessage, R extends ApiMessage> void onResponse(KafkaApi<Q, R> api, ResponseHook<R> hook) {
        responseHooks.put(api.key(), hook);
    }

    @Override
    public void onAnyRequest(RequestHook<ApiMessage, ApiMessage> hook) {
        anyRequest = hook;
    }

    @Override
    public void onAnyResponse(ResponseHook<ApiMessage> hook) {
        anyResponse = hook;
    }

    /** The request hook for {@code api}; fails when there is none. */
    @SuppressWarnings("unchecked")
    public <Q extends ApiMessage, R extends ApiMessage> RequestHook<Q, R> request(KafkaApi<Q, R> api) {
        RequestHook<?, ?> hook = requestHooks.get(api.key());
        if (hook == null) {
            throw new AssertionError("no request hook for " + api + "; registered: " + requestHooks.keySet());
        }
        return (RequestHook<Q, R>) hook;
    }

    /** The response hook for {@code api}; fails when there is none. */
    @SuppressWarnings("unchecked")
    public <Q extends ApiMessage, R extends ApiMessage> ResponseHook<R> response(KafkaApi<Q, R> api) {
        ResponseHook<?> hook = responseHooks.get(api.key());
        if (hook == null) {
            throw new AssertionError("no response hook for " + api + "; registered: " + responseHooks.keySet());
        }
        return (ResponseHook<R>) hook;
    }
}
