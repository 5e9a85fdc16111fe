package io.kanal.filter.testkit;

import io.kanal.proxy.connection.CloseReasons;
import io.kanal.proxy.filter.ResponseOutcome;
import io.kanal.proxy.protocol.DecodedResponse;
import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * What became of a broker's response once the filters were done with it, read as the client reads it.
 *
 * @param <R> the response's type
 */
public final class ResponseResult<R extends ApiMessage> {

    /** What the client got. */
    public enum Kind {
        /** The response: {@link #response()}, which {@link #changed()} tells whether a filter changed. */
        SENT,
        /** Nothing: the proxy closed the client's connection, for {@link #closeReason()}. */
        CLOSED
    }

    private final Kind kind;
    private final R response;
    private final boolean changed;
    private final String closeReason;

    private ResponseResult(Kind kind, R response, boolean changed, String closeReason) {
        this.kind = kind;
        this.response = response;
        this.changed = changed;
        this.closeReason = closeReason;
    }

    /**
     * @param rewritten whether the proxy itself changed the decoded body before the filters saw it (an ApiVersions
     *                  response trimmed to what the proxy supports), so that it writes the body anew
     */
    static <R extends ApiMessage> ResponseResult<R> of(Class<R> type, ByteBuf arrived, DecodedResponse decoded,
                                                       boolean rewritten, ResponseOutcome outcome) {
        return switch (outcome.kind()) {
            // Read again from the bytes that arrived: they are what the proxy sends, whatever a hook did to the
            // decoded body.
            case ORIGINAL -> rewritten ? written(type, decoded, decoded.body(), false)
                    : sent(type, decoded, arrived, false);
            case CHANGED -> written(type, decoded, outcome.response(), true);
            case CLOSE -> new ResponseResult<>(Kind.CLOSED, null, false, outcome.reason());
        };
    }

    private static <R extends ApiMessage> ResponseResult<R> written(Class<R> type, DecodedResponse decoded,
                                                                    ApiMessage body, boolean changed) {
        ByteBuf written;
        try {
            written = Wire.writeResponse(decoded.withBody(body));
        } catch (RuntimeException e) {
            return new ResponseResult<>(Kind.CLOSED, null, false,
                    CloseReasons.unencodableResponse(decoded.api(), e));
        }
        return sent(type, decoded, written, changed);
    }

    private static <R extends ApiMessage> ResponseResult<R> sent(Class<R> type, DecodedResponse decoded,
                                                                 ByteBuf frame, boolean changed) {
        R read = type.cast(Wire.readResponse(decoded.api(), decoded.bodyVersion(), frame).body());
        return new ResponseResult<>(Kind.SENT, read, changed, null);
    }

    public Kind kind() {
        return kind;
    }

    /**
     * The response as the client reads it.
     *
     * @throws AssertionError when the connection closed instead
     */
    public R response() {
        expect(Kind.SENT);
        return response;
    }

    /**
     * Whether a filter changed the response, so that the proxy wrote it anew.
     *
     * @throws AssertionError when the connection closed instead
     */
    public boolean changed() {
        expect(Kind.SENT);
        return changed;
    }

    /**
     * Why the proxy closed the connection.
     *
     * @throws AssertionError when it sent the response
     */
    public String closeReason() {
        expect(Kind.CLOSED);
        return closeReason;
    }

    private void expect(Kind expected) {
        if (kind != expected) {
            throw new AssertionError("expected the response to be " + expected + ", but it was " + this);
        }
    }

    @Override
    public String toString() {
        return kind == Kind.SENT ? "SENT" + (changed ? " (changed): " : " (unchanged): ") + response
                : "CLOSED: " + closeReason;
    }
}
