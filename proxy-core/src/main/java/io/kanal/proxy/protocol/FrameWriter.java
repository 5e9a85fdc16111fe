package io.kanal.proxy.protocol;

import io.kanal.proxy.frame.KafkaFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/** Writes a header and a body as one size-prefixed frame, and checks that a decode consumed a whole frame. */
final class FrameWriter {

    private FrameWriter() {
    }

    static ByteBuf write(ByteBufAllocator allocator, Message header, short headerVersion, Message body,
                         short bodyVersion) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.size(cache, headerVersion) + body.size(cache, bodyVersion);
        ByteBuf frame = allocator.buffer(KafkaFrameDecoder.SIZE_PREFIX_BYTES + size);
        try {
            frame.writeInt(size);
            ByteBufferAccessor accessor = new ByteBufferAccessor(frame.nioBuffer(KafkaFrameDecoder.SIZE_PREFIX_BYTES, size));
            header.write(accessor, cache, headerVersion);
            body.write(accessor, cache, bodyVersion);
            frame.writerIndex(KafkaFrameDecoder.SIZE_PREFIX_BYTES + size);
            return frame;
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
    }

    /** A decoder that leaves bytes behind read something other than what the frame holds. */
    static void requireFullyRead(ByteBufferAccessor accessor) {
        if (accessor.remaining() != 0) {
            throw new IllegalStateException(accessor.remaining() + " bytes left after the body");
        }
    }
}
