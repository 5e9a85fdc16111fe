package io.kanal.mesh.upstream;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Frames out of a broker's byte stream, however its reads cut it, with every buffer released once. */
class ResponseFrameAssemblerTest {

    private final TrackingAllocator allocator = new TrackingAllocator();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    @BeforeEach
    void setUp() {
        channel.config().setAllocator(allocator);
        channel.pipeline().addLast(new ResponseFrameAssembler(1024));
    }

    @Test
    void framesThatCameWholeAreSlicesOfTheReadAndTheRestIsGatheredAcrossReads() {
        ByteBuf first = Unpooled.buffer();
        first.writeBytes(frame("one")).writeBytes(frame("two")).writeBytes(frame("three"), 0, 6);
        ByteBuf second = Unpooled.wrappedBuffer(frame("three"), 6, frame("three").length - 6);

        channel.writeInbound(first);
        ByteBuf one = channel.readInbound();
        ByteBuf two = channel.readInbound();
        assertNull(channel.readInbound(), "the third frame is not complete yet");
        assertEquals(2, first.refCnt(), "the read's memory is held by the frames sliced from it");
        channel.writeInbound(second);
        ByteBuf three = channel.readInbound();

        assertEquals("one", body(one));
        assertEquals("two", body(two));
        assertEquals("three", body(three));
        assertEquals(0, second.refCnt(), "copied into the third frame and let go");
        one.release();
        two.release();
        three.release();
        assertEquals(0, first.refCnt());
    }

    @Test
    void aSizePrefixSplitAcrossReadsIsPutTogether() {
        byte[] frame = frame("split");
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 0, 2));
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 2, frame.length - 2));

        ByteBuf assembled = channel.readInbound();
        assertEquals("split", body(assembled));
        assembled.release();
    }

    @Test
    void aFrameOverTheLimitFailsAndNothingAfterItIsRead() {
        ByteBuf tooLong = Unpooled.buffer().writeInt(2048).writeBytes(frame("after"));

        assertThrows(TooLongFrameException.class, () -> channel.writeInbound(tooLong));
        channel.writeInbound(Unpooled.wrappedBuffer(frame("later")));

        assertNull(channel.readInbound());
        assertEquals(0, tooLong.refCnt());
    }

    @Test
    void aFrameCutOffByTheConnectionClosingIsLetGo() {
        channel.writeInbound(Unpooled.wrappedBuffer(frame("cut off"), 0, 7));
        assertEquals(1, allocator.allocated.size());
        assertEquals(1, allocator.allocated.get(0).refCnt());

        assertFalse(channel.finish(), "nothing was handed on");

        assertEquals(0, allocator.allocated.get(0).refCnt());
    }

    private static byte[] frame(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).array();
    }

    /** Keeps what it allocates, to see it released. */
    private static final class TrackingAllocator extends AbstractByteBufAllocator {
        final List<ByteBuf> allocated = new ArrayList<>();

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return kept(Unpooled.buffer(initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return kept(Unpooled.directBuffer(initialCapacity, maxCapacity));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        private ByteBuf kept(ByteBuf buffer) {
            allocated.add(buffer);
            return buffer;
        }
    }

    private static String body(ByteBuf frame) {
        assertEquals(frame.readableBytes() - 4, frame.getInt(frame.readerIndex()));
        return frame.toString(frame.readerIndex() + 4, frame.readableBytes() - 4, StandardCharsets.UTF_8);
    }
}
