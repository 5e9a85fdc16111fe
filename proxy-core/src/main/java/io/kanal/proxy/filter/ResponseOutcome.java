package io.kanal.proxy.filter;

import org.apache.kafka.common.protocol.ApiMessage;

/** What becomes of a response once every filter has seen it. Part of the proxy's engine, not of the filter API. */
public final class ResponseOutcome {

    /** What the connection does with the response. */
    public enum Kind {
        /** Send what arrived: no filter changed the response. */
        ORIGINAL,
        /** Encode {@link #response()} and send it. */
        CHANGED,
        /** Close the client connection for {@link #reason()}. */
        CLOSE
    }

    private final Kind kind;
    private final ApiMessage response;
    private final String reason;

    private ResponseOutcome(Kind kind, ApiMessage response, String reason) {
        this.kind = kind;
        this.response = response;
        this.reason = reason;
    }

    static ResponseOutcome of(ApiMessage changedResponse) {
        return new ResponseOutcome(changedResponse == null ? Kind.ORIGINAL : Kind.CHANGED, changedResponse, null);
    }

    static ResponseOutcome close(String reason) {
        return new ResponseOutcome(Kind.CLOSE, null, reason);
    }

    public Kind kind() {
        return kind;
    }

    /** The changed response body, for {@link Kind#CHANGED}. */
    public ApiMessage response() {
        return response;
    }

    public String reason() {
        return reason;
    }
}
