package io.kanal.proxy.protocol;

import io.kanal.proxy.frame.KafkaFrameDecoder;
import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.protocol.ApiKeys;

import java.nio.charset.StandardCharsets;

/**
 * A request frame as it arrived, with the fixed fields of its header read. The frame keeps its size prefix and is
 * owned by this object until it is forwarded or released.
 *
 * <p>The fixed fields (API key, version, correlation id) sit at the same offsets in every header version, so reading
 * them costs three loads; the rest of the header is only walked when something needs the body.
 */
public final class RequestFrame {

    private static final int API_KEY_OFFSET = KafkaFrameDecoder.SIZE_PREFIX_BYTES;
    private static final int FIXED_HEADER_END = API_KEY_OFFSET + 8;

    private final ByteBuf frame;
    private final ApiKeys api;
    private final short apiVersion;
    private final int correlationId;

    private RequestFrame(ByteBuf frame, ApiKeys api, short apiVersion, int correlationId) {
        this.frame = frame;
        this.api = api;
        this.apiVersion = apiVersion;
        this.correlationId = correlationId;
    }

    /**
     * Reads the fixed header fields of a frame from {@link KafkaFrameDecoder}.
     *
     * @throws MalformedFrameException when the frame is too short for a header or names an API key Kafka does not
     *                                 have; the caller still owns and must release the frame
     */
    public static RequestFrame parse(ByteBuf frame) {
        int start = frame.readerIndex();
        if (frame.readableBytes() < FIXED_HEADER_END) {
            throw new MalformedFrameException("request of " + (frame.readableBytes() - API_KEY_OFFSET)
                    + " bytes is shorter than a request header");
        }
        short apiKey = frame.getShort(start + API_KEY_OFFSET);
        short version = frame.getShort(start + API_KEY_OFFSET + 2);
        int correlationId = frame.getInt(start + API_KEY_OFFSET + 4);
        if (!ApiKeys.hasId(apiKey)) {
            throw new MalformedFrameException("unknown API key " + apiKey);
        }
        ApiKeys api = ApiKeys.forId(apiKey);
        if (version < 0) {
            throw new MalformedFrameException("negative version " + version + " of " + api);
        }
        return new RequestFrame(frame, api, version, correlationId);
    }

    public ApiKeys api() {
        return api;
    }

    public short apiVersion() {
        return apiVersion;
    }

    public int correlationId() {
        return correlationId;
    }

    /** The frame, size prefix included, exactly as received. */
    public ByteBuf frame() {
        return frame;
    }

    /** Whether this proxy's kafka-clients can decode this request's version (and so its response's). */
    public boolean versionKnown() {
        return api.isVersionSupported(apiVersion);
    }

    /**
     * The client id from the header, or {@code null} when the request carries none. Decoded on each call: it is
     * only wanted for logs and filter context.
     */
    public String clientId() {
        if (headerVersion() < 1) {
            return null;
        }
        int index = frame.readerIndex() + FIXED_HEADER_END;
        FrameCursor cursor = new FrameCursor(frame, index);
        short length = cursor.readShort();
        if (length < 0) {
            return null;
        }
        cursor.skip(length);
        return frame.toString(index + 2, length, StandardCharsets.UTF_8);
    }

    /** The absolute index in {@link #frame()} where the request body starts. */
    public int bodyOffset() {
        FrameCursor cursor = new FrameCursor(frame, frame.readerIndex() + FIXED_HEADER_END);
        short headerVersion = headerVersion();
        if (headerVersion >= 1) {
            cursor.skipString();
        }
        if (headerVersion >= 2) {
            cursor.skipTaggedFields();
        }
        return cursor.index();
    }

    /**
     * Whether the broker will answer this request. Only a produce request with {@code acks=0} goes unanswered.
     */
    public boolean expectsResponse() {
        if (api != ApiKeys.PRODUCE) {
            return true;
        }
        FrameCursor cursor = new FrameCursor(frame, bodyOffset());
        if (apiVersion >= 9) {
            cursor.skipCompactString();
        } else if (apiVersion >= 3) {
            cursor.skipString();
        }
        return cursor.readShort() != 0;
    }

    private short headerVersion() {
        if (!versionKnown()) {
            // Versions kafka-clients dropped (Produce v0-2) predate flexible headers; every API moved to them long
            // ago, so a version newer than ours is flexible.
            return apiVersion > api.latestVersion() ? (short) 2 : (short) 1;
        }
        return api.requestHeaderVersion(apiVersion);
    }

    @Override
    public String toString() {
        return api + " v" + apiVersion + " correlation id " + correlationId;
    }
}
