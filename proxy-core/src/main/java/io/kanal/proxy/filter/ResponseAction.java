package io.kanal.proxy.filter;

import org.apache.kafka.common.protocol.ApiMessage;

/** What a {@link ResponseHook} decided. Made only by the {@link ResponseContext} methods. */
public final class ResponseAction {

    private final ApiMessage response;

    private ResponseAction(ApiMessage response) {
        this.response = response;
    }

    static ResponseAction forward(ApiMessage response) {
        return new ResponseAction(response);
    }

    static ResponseAction close() {
        return new ResponseAction(null);
    }

    boolean closes() {
        return response == null;
    }

    /** The response to send on. */
    ApiMessage response() {
        return response;
    }
}
