package io.kanal.proxy.filter;

import org.apache.kafka.common.protocol.ApiMessage;

/** What a {@link ResponseHook} decided. Made only by the {@link ResponseContext} methods. */
public final class ResponseAction {

    enum Kind { PASS, FORWARD, CLOSE }

    private static final ResponseAction PASS = new ResponseAction(Kind.PASS, null);
    private static final ResponseAction CLOSE = new ResponseAction(Kind.CLOSE, null);

    private final Kind kind;
    private final ApiMessage response;

    private ResponseAction(Kind kind, ApiMessage response) {
        this.kind = kind;
        this.response = response;
    }

    static ResponseAction pass() {
        return PASS;
    }

    static ResponseAction forward(ApiMessage response) {
        return new ResponseAction(Kind.FORWARD, response);
    }

    static ResponseAction close() {
        return CLOSE;
    }

    Kind kind() {
        return kind;
    }

    /** The response to send on, for {@link Kind#FORWARD}. */
    ApiMessage response() {
        return response;
    }
}
