package io.kanal.filters.testing;

import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.Readable;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.protocol.Errors;

import java.util.Map;

/** Sends messages through the wire format, as the proxy's engine and a broker would see them. */
public final class Wire {

    private Wire() {
    }

    /** {@code message} encoded in {@code version} and decoded again: what the other side of the wire gets. */
    @SuppressWarnings("unchecked")
    public static <T extends ApiMessage> T roundTrip(T message, short version) {
        ByteBufferAccessor accessor = MessageUtil.toByteBufferAccessor(message, version);
        try {
            return (T) message.getClass().getConstructor(Readable.class, short.class).newInstance(accessor, version);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot decode " + message.getClass().getSimpleName(), e);
        }
    }

    /** The error counts kafka-clients computes for {@code response} in {@code version}. */
    public static Map<Errors, Integer> errorCounts(ApiMessage response, short version) {
        ByteBufferAccessor accessor = MessageUtil.toByteBufferAccessor(response, version);
        return AbstractResponse.parseResponse(
                org.apache.kafka.common.protocol.ApiKeys.forId(response.apiKey()), accessor, version).errorCounts();
    }
}
