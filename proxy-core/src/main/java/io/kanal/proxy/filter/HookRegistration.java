package io.kanal.proxy.filter;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

import java.util.EnumMap;
import java.util.Map;

/** Collects the hooks one filter registers, and answers which hook serves each API. */
final class HookRegistration implements FilterHooks {

    private final Map<ApiKeys, RequestHook<?, ?>> requestHooks = new EnumMap<>(ApiKeys.class);
    private final Map<ApiKeys, ResponseHook<?>> responseHooks = new EnumMap<>(ApiKeys.class);
    private RequestHook<ApiMessage, ApiMessage> anyRequest;
    private ResponseHook<ApiMessage> anyResponse;

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

    RequestHook<?, ?> requestHook(ApiKeys api) {
        RequestHook<?, ?> hook = requestHooks.get(api);
        return hook != null ? hook : anyRequest;
    }

    ResponseHook<?> responseHook(ApiKeys api) {
        ResponseHook<?> hook = responseHooks.get(api);
        return hook != null ? hook : anyResponse;
    }
}
