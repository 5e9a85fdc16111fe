package io.kanal.mesh.upstream;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * A broker's answer, and the version it was asked and written in.
 *
 * <p>An answer to Fetch, or to another API whose answers carry record batches or zero-copy bytes, is read in place:
 * those view the bytes the answer arrived in, which the answer holds until {@link #release() released}. Whoever takes
 * such an answer from {@link UpstreamConnection#send} or {@link UpstreamPool#send} releases it once; a holder that
 * keeps the records longer {@link #retain() retains} it first and releases it when done. Every other answer holds
 * nothing, and both calls do nothing for it.
 *
 * @param <R> the answer's body type, kafka-clients' generated {@code *ResponseData} class of the API
 */
public final class Answer<R extends ApiMessage> {

    private final short version;
    private final R body;
    private final ByteBuf bytes;

    /** An answer whose body views no bytes of its own. */
    public Answer(short version, R body) {
        this(version, body, null);
    }

    /**
     * @param bytes the bytes {@code body} views, whose one reference the answer takes over; {@code null} for none
     */
    public Answer(short version, R body, ByteBuf bytes) {
        this.version = version;
        this.body = body;
        this.bytes = bytes;
    }

    /** The version the request was sent in, and the answer written in. */
    public short version() {
        return version;
    }

    /** The decoded answer; its record batches are valid while the answer is held. */
    public R body() {
        return body;
    }

    /** Holds the bytes the body views once more; each call needs its own {@link #release()}. */
    public Answer<R> retain() {
        if (bytes != null) {
            bytes.retain();
        }
        return this;
    }

    /** Lets go of one hold on the bytes the body views. */
    public void release() {
        if (bytes != null) {
            bytes.release();
        }
    }
}
