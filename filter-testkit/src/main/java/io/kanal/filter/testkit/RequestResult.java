package io.kanal.filter.testkit;

import io.kanal.proxy.connection.CloseReasons;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.filter.RequestOutcome;
import io.kanal.proxy.filter.ResponseHook;
import io.kanal.proxy.protocol.DecodedRequest;
import io.kanal.proxy.protocol.RequestFrame;
import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Where a request went once the filters were done with it, read as its receiver reads it.
 *
 * @param <Q> the request's type
 * @param <R> the type of its response
 */
public final class RequestResult<Q extends ApiMessage, R extends ApiMessage> {

    /** Where the request went. */
    public enum Kind {
        /** On to the broker: {@link #forwarded()}, which {@link #changed()} tells whether a filter changed. */
        FORWARDED,
        /** Back to the client, answered by a filter (or with an error response for a filter that failed). */
        ANSWERED,
        /** Nowhere, and the client gets no answer: a produce request with {@code acks=0} that a filter refused. */
        DROPPED,
        /** The proxy closed the client's connection, for {@link #closeReason()}. */
        CLOSED
    }

    private final FilterHarness harness;
    private final KafkaApi<Q, R> api;
    private final short version;
    private final int correlationId;
    private final boolean expectsResponse;
    private final Kind kind;
    private final Q forwarded;
    private final boolean changed;
    private final R response;
    private final String closeReason;
    private final ResponseHook<?>[] interceptors;
    private boolean answered;

    private RequestResult(FilterHarness harness, KafkaApi<Q, R> api, RequestFrame frame, Kind kind, Q forwarded,
                          boolean changed, R response, String closeReason, ResponseHook<?>[] interceptors) {
        this.harness = harness;
        this.api = api;
        this.version = frame.apiVersion();
        this.correlationId = frame.correlationId();
        this.expectsResponse = frame.expectsResponse();
        this.kind = kind;
        this.forwarded = forwarded;
        this.changed = changed;
        this.response = response;
        this.closeReason = closeReason;
        this.interceptors = interceptors;
    }

    static <Q extends ApiMessage, R extends ApiMessage> RequestResult<Q, R> of(
            FilterHarness harness, KafkaApi<Q, R> api, RequestFrame frame, DecodedRequest decoded,
            RequestOutcome outcome) {
        return switch (outcome.kind()) {
            // Read again from the bytes that arrived: they are what the proxy forwards, whatever a hook did to the
            // decoded body.
            case FORWARD_ORIGINAL -> forwarded(harness, api, frame, frame.frame(), false, outcome);
            case FORWARD_CHANGED -> {
                ByteBuf written;
                try {
                    written = Wire.writeRequest(decoded.header(), decoded.headerVersion(), outcome.request(),
                            decoded.apiVersion());
                } catch (RuntimeException e) {
                    yield closed(harness, api, frame, CloseReasons.unencodableRequest(api.key(), e));
                }
                yield forwarded(harness, api, frame, written, true, outcome);
            }
            case RESPOND -> {
                ByteBuf written;
                try {
                    written = Wire.writeResponse(outcome.response());
                } catch (RuntimeException e) {
                    yield closed(harness, api, frame, CloseReasons.unencodableAnswer(api.key(), e));
                }
                R answer = api.responseType().cast(Wire.readResponse(api.key(), decoded.apiVersion(), written).body());
                yield new RequestResult<>(harness, api, frame, Kind.ANSWERED, null, false, answer, null, null);
            }
            case DROP -> new RequestResult<>(harness, api, frame, Kind.DROPPED, null, false, null, null, null);
            case CLOSE -> closed(harness, api, frame, outcome.reason());
        };
    }

    private static <Q extends ApiMessage, R extends ApiMessage> RequestResult<Q, R> forwarded(
            FilterHarness harness, KafkaApi<Q, R> api, RequestFrame frame, ByteBuf sent, boolean changed,
            RequestOutcome outcome) {
        Q read = api.requestType().cast(Wire.readRequest(sent).body());
        return new RequestResult<>(harness, api, frame, Kind.FORWARDED, read, changed, null, null,
                outcome.interceptors());
    }

    private static <Q extends ApiMessage, R extends ApiMessage> RequestResult<Q, R> closed(
            FilterHarness harness, KafkaApi<Q, R> api, RequestFrame frame, String reason) {
        return new RequestResult<>(harness, api, frame, Kind.CLOSED, null, false, null, reason, null);
    }

    public Kind kind() {
        return kind;
    }

    /**
     * The request as the broker reads it.
     *
     * @throws AssertionError when the request was not forwarded
     */
    public Q forwarded() {
        expect(Kind.FORWARDED);
        return forwarded;
    }

    /**
     * Whether a filter changed the request, so that the proxy wrote it anew; {@code false} when the bytes that
     * arrived went on.
     *
     * @throws AssertionError when the request was not forwarded
     */
    public boolean changed() {
        expect(Kind.FORWARDED);
        return changed;
    }

    /**
     * The answer as the client reads it.
     *
     * @throws AssertionError when no filter answered the request
     */
    public R response() {
        expect(Kind.ANSWERED);
        return response;
    }

    /**
     * Why the proxy closed the connection.
     *
     * @throws AssertionError when it did not
     */
    public String closeReason() {
        expect(Kind.CLOSED);
        return closeReason;
    }

    /**
     * Answers the forwarded request as the broker: {@code response} passes the hooks filters attached to this
     * request and the response hooks registered for its API, from the filter nearest the broker to the one nearest
     * the client.
     *
     * @throws AssertionError       when the request was not forwarded or its client expects no answer
     * @throws IllegalStateException when the broker has answered it already, or the connection has closed
     */
    public ResponseResult<R> brokerResponds(R response) {
        expect(Kind.FORWARDED);
        if (!expectsResponse) {
            throw new AssertionError("the client expects no response to this " + api.key() + " request");
        }
        if (answered) {
            throw new IllegalStateException("the broker has answered this " + api.key() + " request already");
        }
        answered = true;
        return harness.respond(api, version, correlationId, interceptors, response);
    }

    private void expect(Kind expected) {
        if (kind != expected) {
            throw new AssertionError("expected the " + api.key() + " request to be " + expected + ", but it was "
                    + describe());
        }
    }

    private String describe() {
        return switch (kind) {
            case FORWARDED -> "FORWARDED" + (changed ? " (changed): " : " (unchanged): ") + forwarded;
            case ANSWERED -> "ANSWERED: " + response;
            case DROPPED -> "DROPPED";
            case CLOSED -> "CLOSED: " + closeReason;
        };
    }

    @Override
    public String toString() {
        return api.key() + " v" + version + " request " + describe();
    }
}
