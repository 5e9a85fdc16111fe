package io.kanal.mesh.server;

import io.kanal.proxy.frame.KafkaFrameDecoder;
import io.kanal.proxy.protocol.DecodedResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a response as a frame, size prefix included, without copying its record batches: the frame is the
 * response's other bytes, written afresh, with the record batches' own memory in between (kafka-clients' zero-copy
 * fields, which are record batches in every response the mesh sends). The memory they lie in, such as the frame of an
 * upstream broker's Fetch answer, must stay valid until the frame has been written.
 */
final class ResponseEncoder {

    private static final int PREFIX = KafkaFrameDecoder.SIZE_PREFIX_BYTES;

    private ResponseEncoder() {
    }

    static ByteBuf encode(ByteBufAllocator allocator, DecodedResponse response) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        response.header().addSize(size, cache, response.headerVersion());
        response.body().addSize(size, cache, response.bodyVersion());
        int written = PREFIX + size.sizeExcludingZeroCopy();
        ByteBuf copied = allocator.ioBuffer(written, written);
        InPlaceWriter writer;
        try {
            copied.writeInt(size.totalSize());
            writer = new InPlaceWriter(copied.nioBuffer(PREFIX, written - PREFIX));
            response.header().write(writer, cache, response.headerVersion());
            response.body().write(writer, cache, response.bodyVersion());
            writer.requireFilled();
            copied.writerIndex(written);
        } catch (RuntimeException e) {
            copied.release();
            throw e;
        }
        return writer.frame(allocator, copied);
    }

    /** A record batch's memory, and where in the written bytes it goes. */
    private record InPlace(int at, ByteBuffer bytes) {
    }

    /** Writes everything but zero-copy fields, whose memory it notes with their place instead. */
    private static final class InPlaceWriter extends ByteBufferAccessor {
        private final List<InPlace> inPlace = new ArrayList<>();

        InPlaceWriter(ByteBuffer target) {
            super(target);
        }

        @Override
        public void writeByteBuffer(ByteBuffer bytes) {
            if (bytes.hasRemaining()) {
                inPlace.add(new InPlace(buffer().position(), bytes.duplicate()));
            }
        }

        void requireFilled() {
            if (buffer().hasRemaining()) {
                throw new IllegalStateException(buffer().remaining() + " bytes of the response left unwritten");
            }
        }

        /** The frame: {@code copied}, which it takes over, with the noted memory in its places. */
        ByteBuf frame(ByteBufAllocator allocator, ByteBuf copied) {
            if (inPlace.isEmpty()) {
                return copied;
            }
            CompositeByteBuf frame = allocator.compositeDirectBuffer(2 * inPlace.size() + 1);
            try {
                int from = 0;
                for (InPlace piece : inPlace) {
                    int to = PREFIX + piece.at();
                    addSlice(frame, copied, from, to);
                    frame.addComponent(true, Unpooled.wrappedBuffer(piece.bytes()));
                    from = to;
                }
                addSlice(frame, copied, from, copied.writerIndex());
                return frame;
            } catch (RuntimeException e) {
                frame.release();
                throw e;
            } finally {
                copied.release();
            }
        }

        private static void addSlice(CompositeByteBuf frame, ByteBuf copied, int from, int to) {
            if (to > from) {
                frame.addComponent(true, copied.retainedSlice(from, to - from));
            }
        }
    }
}
