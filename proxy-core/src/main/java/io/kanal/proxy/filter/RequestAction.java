package io.kanal.proxy.filter;

import org.apache.kafka.common.protocol.ApiMessage;

/** What a {@link RequestHook} decided. Made only by the {@link RequestContext} methods. */
public final class RequestAction {

    enum Kind { PASS, FORWARD, RESPOND, DROP, CLOSE }

    private final Kind kind;
    private final ApiMessage message;
    private final ResponseHook<?> onResponse;

    private RequestAction(Kind kind, ApiMessage message, ResponseHook<?> onResponse) {
        this.kind = kind;
        this.message = message;
        this.onResponse = onResponse;
    }

    static RequestAction pass(ResponseHook<?> onResponse) {
        return new RequestAction(Kind.PASS, null, onResponse);
    }

    static RequestAction forward(ApiMessage request, ResponseHook<?> onResponse) {
        return new RequestAction(Kind.FORWARD, request, onResponse);
    }

    static RequestAction respond(ApiMessage response) {
        return new RequestAction(Kind.RESPOND, response, null);
    }

    /** Neither forward nor answer: only for requests the client expects no answer to. */
    static RequestAction drop() {
        return new RequestAction(Kind.DROP, null, null);
    }

    static RequestAction close() {
        return new RequestAction(Kind.CLOSE, null, null);
    }

    Kind kind() {
        return kind;
    }

    /** The request to forward, or the response to answer with. */
    ApiMessage message() {
        return message;
    }

    /** The hook to call with this request's response, or {@code null}. */
    ResponseHook<?> onResponse() {
        return onResponse;
    }
}
