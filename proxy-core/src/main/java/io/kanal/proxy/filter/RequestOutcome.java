package io.kanal.proxy.filter;

import io.kanal.proxy.protocol.DecodedResponse;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Where a request goes once every filter has seen it. Part of the proxy's engine, not of the filter API.
 */
public final class RequestOutcome {

    /** What the connection does with the request. */
    public enum Kind {
        /** Forward the bytes that arrived: no filter changed the request. */
        FORWARD_ORIGINAL,
        /** Encode {@link #request()} and forward it. */
        FORWARD_CHANGED,
        /** Do not forward; answer the client with {@link #response()}. */
        RESPOND,
        /** Do not forward, and send the client nothing: it expects no answer (produce with acks=0). */
        DROP,
        /** Close the client connection for {@link #reason()}. */
        CLOSE
    }

    private final Kind kind;
    private final ApiMessage request;
    private final DecodedResponse response;
    private final String reason;
    private final ResponseHook<?>[] interceptors;

    private RequestOutcome(Kind kind, ApiMessage request, DecodedResponse response, String reason,
                           ResponseHook<?>[] interceptors) {
        this.kind = kind;
        this.request = request;
        this.response = response;
        this.reason = reason;
        this.interceptors = interceptors;
    }

    static RequestOutcome forward(ApiMessage changedRequest, ResponseHook<?>[] interceptors) {
        return new RequestOutcome(changedRequest == null ? Kind.FORWARD_ORIGINAL : Kind.FORWARD_CHANGED,
                changedRequest, null, null, interceptors);
    }

    static RequestOutcome respond(DecodedResponse response) {
        return new RequestOutcome(Kind.RESPOND, null, response, null, null);
    }

    static RequestOutcome drop() {
        return new RequestOutcome(Kind.DROP, null, null, null, null);
    }

    static RequestOutcome close(String reason) {
        return new RequestOutcome(Kind.CLOSE, null, null, reason, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The changed request body, for {@link Kind#FORWARD_CHANGED}. */
    public ApiMessage request() {
        return request;
    }

    /** The answer, for {@link Kind#RESPOND}; it has passed the response hooks already. */
    public DecodedResponse response() {
        return response;
    }

    public String reason() {
        return reason;
    }

    /**
     * The hooks filters asked to call with this request's response, indexed by filter position, or {@code null}
     * when none did. Hand them to {@link FilterChain#onResponse} with the response.
     */
    public ResponseHook<?>[] interceptors() {
        return interceptors;
    }
}
