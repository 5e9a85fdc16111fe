package io.kanal.proxy.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class KafkaFrameDecoderTest {

    private static final int LIMIT = 1024 * 1024;

    private final List<ByteBuf> emitted = new ArrayList<>();
    private EmbeddedChannel channel;

    @AfterEach
    void releaseFrames() {
        emitted.forEach(ByteBuf::release);
        if (channel != null) {
            try {
                channel.finishAndReleaseAll();
            } catch (DecoderException alreadyFailed) {
                // A decoder that refused a frame still holds its bytes, and closing reports them once more.
            }
        }
    }

    @Test
    void severalFramesInOneReadComeOutWholeInOrderWithTheirSizePrefix() {
        channel = new EmbeddedChannel(new KafkaFrameDecoder(LIMIT));
        byte[] first = frame("first");
        byte[] second = frame("second, a bit longer");
        byte[] third = frame("3");

        channel.writeInbound(Unpooled.wrappedBuffer(concat(first, second, third)));

        assertArrayEquals(first, bytes(readFrame()));
        assertArrayEquals(second, bytes(readFrame()));
        assertArrayEquals(third, bytes(readFrame()));
        assertNull(channel.readInbound());
    }

    @Test
    void framesAreSlicesOfTheReceivedBytesNotCopies() {
        channel = new EmbeddedChannel(new KafkaFrameDecoder(LIMIT));
        byte[] first = frame("first");
        byte[] wire = concat(first, frame("second"));

        channel.writeInbound(Unpooled.wrappedBuffer(wire));
        ByteBuf a = readFrame();
        ByteBuf b = readFrame();

        // A change to the received bytes shows through both frames: they are views of that memory.
        wire[4] = 'F';
        wire[first.length + 4] = 'S';
        assertEquals('F', a.getByte(a.readerIndex() + 4));
        assertEquals('S', b.getByte(b.readerIndex() + 4));
        assertSame(wire, a.array());
        assertSame(wire, b.array());
    }

    @Test
    void aFrameSplitAcrossReadsComesOutWholeOnceItsLastByteArrives() {
        channel = new EmbeddedChannel(new KafkaFrameDecoder(LIMIT));
        byte[] whole = frame("a frame that arrives in pieces");

        // Split inside the size prefix, then inside the body.
        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(whole, 0, 2)));
        assertNull(channel.readInbound());
        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(whole, 2, 9)));
        assertNull(channel.readInbound());
        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(whole, 9, whole.length)));

        assertArrayEquals(whole, bytes(readFrame()));
        assertNull(channel.readInbound());
    }

    @Test
    void theEndOfOneFrameAndTheStartOfTheNextInOneRead() {
        channel = new EmbeddedChannel(new KafkaFrameDecoder(LIMIT));
        byte[] first = frame("first frame");
        byte[] second = frame("second frame");
        byte[] wire = concat(first, second);
        int cut1 = 7;
        int cut2 = first.length + 6;

        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(wire, 0, cut1)));
        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(wire, cut1, cut2)));
        assertArrayEquals(first, bytes(readFrame()));
        assertNull(channel.readInbound());
        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(wire, cut2, wire.length)));

        assertArrayEquals(second, bytes(readFrame()));
    }

    @Test
    void aZeroLengthFrameIsEmittedAsItsSizePrefix() {
        channel = new EmbeddedChannel(new KafkaFrameDecoder(LIMIT));
        byte[] after = frame("after");

        channel.writeInbound(Unpooled.wrappedBuffer(concat(new byte[] {0, 0, 0, 0}, after)));

        assertArrayEquals(new byte[] {0, 0, 0, 0}, bytes(readFrame()));
        assertArrayEquals(after, bytes(readFrame()));
    }

    @Test
    void aFrameExactlyAtTheLimitIsAccepted() {
        channel = new EmbeddedChannel(new KafkaFrameDecoder(64));
        byte[] atLimit = frameOfBodySize(64);

        channel.writeInbound(Unpooled.wrappedBuffer(atLimit));

        assertArrayEquals(atLimit, bytes(readFrame()));
    }

    @Test
    void aNegativeSizeFailsOnTheSizePrefixAlone() {
        channel = new EmbeddedChannel(new KafkaFrameDecoder(LIMIT));

        assertDecoderFailure(CorruptedFrameException.class,
                () -> channel.writeInbound(Unpooled.wrappedBuffer(sizePrefix(-1))));
        assertNull(channel.readInbound());
    }

    @Test
    void aSizeOneAboveTheLimitFails() {
        channel = new EmbeddedChannel(new KafkaFrameDecoder(64));

        assertDecoderFailure(TooLongFrameException.class,
                () -> channel.writeInbound(Unpooled.wrappedBuffer(frameOfBodySize(65))));
        assertNull(channel.readInbound());
    }

    @Test
    void aHugeClaimedSizeFailsBeforeItsBodyArrivesAndAllocatesNothingForIt() {
        RecordingAllocator allocator = new RecordingAllocator();
        channel = new EmbeddedChannel(new KafkaFrameDecoder(LIMIT));
        channel.config().setAllocator(allocator);

        // Only the prefix of a 2 GiB frame: a decoder that waited or reserved room for the body would not fail here.
        assertDecoderFailure(TooLongFrameException.class,
                () -> channel.writeInbound(Unpooled.wrappedBuffer(sizePrefix(Integer.MAX_VALUE))));
        assertTrue(allocator.largestRequest < LIMIT,
                "decoder asked for a buffer of " + allocator.largestRequest + " bytes");
    }

    @Test
    void aHugeSizeUnderADecoderWithoutAPracticalLimitWaitsForTheBody() {
        // Integer.MAX_VALUE is a legal limit (ProxyConfig accepts it); the size check must not overflow with it.
        channel = new EmbeddedChannel(new KafkaFrameDecoder(Integer.MAX_VALUE));

        channel.writeInbound(Unpooled.wrappedBuffer(concat(sizePrefix(Integer.MAX_VALUE), new byte[] {1, 2, 3})));

        assertNull(channel.readInbound());
    }

    @Test
    void aConnectionClosedInsideAFrameBodyFailsWithTruncatedFrame() {
        channel = new EmbeddedChannel(new KafkaFrameDecoder(LIMIT));
        byte[] whole = frame("never finished");
        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(whole, 0, whole.length - 3)));

        assertDecoderFailure(TruncatedFrameException.class, channel::finish);
    }

    @Test
    void aConnectionClosedInsideASizePrefixFailsWithTruncatedFrame() {
        channel = new EmbeddedChannel(new KafkaFrameDecoder(LIMIT));
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0}));

        assertDecoderFailure(TruncatedFrameException.class, channel::finish);
    }

    @Test
    void aConnectionClosedBetweenFramesEndsQuietlyAfterEmittingThemAll() {
        channel = new EmbeddedChannel(new KafkaFrameDecoder(LIMIT));
        byte[] whole = frame("complete");
        channel.writeInbound(Unpooled.wrappedBuffer(whole));

        assertTrue(channel.finish());
        assertArrayEquals(whole, bytes(readFrame()));
    }

    @Test
    void aNonPositiveLimitIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new KafkaFrameDecoder(0));
    }

    /** The decoder's failure reaches the pipeline as a DecoderException that is, or wraps, {@code expected}. */
    private static void assertDecoderFailure(Class<? extends Throwable> expected, Executable action) {
        DecoderException failure = assertThrows(DecoderException.class, action);
        Throwable reason = expected.isInstance(failure) ? failure : failure.getCause();
        assertInstanceOf(expected, reason, () -> "failed with " + failure);
    }

    private ByteBuf readFrame() {
        ByteBuf frame = channel.readInbound();
        assertFalse(frame == null, "no frame was emitted");
        emitted.add(frame);
        return frame;
    }

    private static byte[] bytes(ByteBuf frame) {
        return ByteBufUtil.getBytes(frame);
    }

    private static byte[] frame(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return concat(sizePrefix(bytes.length), bytes);
    }

    private static byte[] frameOfBodySize(int size) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) 'x');
        return concat(sizePrefix(size), body);
    }

    private static byte[] sizePrefix(int size) {
        return ByteBuffer.allocate(4).putInt(size).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer all = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] part : parts) {
            all.put(part);
        }
        return all.array();
    }

    /** Remembers the largest buffer anyone asked it for. */
    private static final class RecordingAllocator extends AbstractByteBufAllocator {
        int largestRequest;

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            largestRequest = Math.max(largestRequest, initialCapacity);
            return Unpooled.buffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            largestRequest = Math.max(largestRequest, initialCapacity);
            return Unpooled.directBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
