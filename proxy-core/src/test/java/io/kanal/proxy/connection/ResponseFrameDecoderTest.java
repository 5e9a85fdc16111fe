package io.kanal.proxy.connection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.proxy.frame.TruncatedFrameException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResponseFrameDecoderTest {

    private static final int LIMIT = 1024 * 1024;

    /** Correlation ids the decision was asked about, in order. */
    private final List<Integer> asked = new ArrayList<>();
    private final List<Object> emitted = new ArrayList<>();
    private EmbeddedChannel channel;

    @AfterEach
    void release() {
        emitted.forEach(ResponseFrameDecoderTest::releaseMessage);
        if (channel != null) {
            try {
                channel.finishAndReleaseAll();
            } catch (DecoderException alreadyFailed) {
                // The decoder reports a frame cut short once more when the channel closes.
            }
        }
    }

    @Test
    void aFrameThatArrivedWholeIsEmittedWholeWithoutAskingTheDecision() {
        channel = decoder(ResponseFrameDecoder.Passage.STREAMED);
        byte[] frame = frame(7, 100);

        channel.writeInbound(Unpooled.wrappedBuffer(frame));

        assertArrayEquals(frame, bytes(assertInstanceOf(ByteBuf.class, next())));
        assertTrue(asked.isEmpty(), "asked " + asked);
        assertNull(channel.readInbound());
    }

    @Test
    void aStreamedFrameComesOutInPartsAsItArrivesAndOnlyTheLastIsMarked() {
        channel = decoder(ResponseFrameDecoder.Passage.STREAMED);
        byte[] frame = frame(42, 10_000);

        channel.writeInbound(Unpooled.wrappedBuffer(frame, 0, 6));
        assertNull(channel.readInbound(), "nothing before the correlation id has arrived");
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 6, 3000));
        ResponseFrameDecoder.ResponsePart first = part(next());
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 3006, frame.length - 3006));
        ResponseFrameDecoder.ResponsePart second = part(next());

        assertEquals(List.of(42), asked);
        assertFalse(first.last());
        assertTrue(second.last());
        assertArrayEquals(frame, concat(bytes(first.bytes()), bytes(second.bytes())));
    }

    @Test
    void theFramesAfterAStreamedOneInTheSameReadComeOutWhole() {
        channel = decoder(ResponseFrameDecoder.Passage.STREAMED);
        byte[] big = frame(1, 5000);
        byte[] small = frame(2, 10);
        byte[] both = concat(big, small);

        channel.writeInbound(Unpooled.wrappedBuffer(both, 0, 100));
        channel.writeInbound(Unpooled.wrappedBuffer(both, 100, both.length - 100));

        ResponseFrameDecoder.ResponsePart head = part(next());
        ResponseFrameDecoder.ResponsePart tail = part(next());
        assertTrue(tail.last());
        assertArrayEquals(big, concat(bytes(head.bytes()), bytes(tail.bytes())));
        assertArrayEquals(small, bytes(assertInstanceOf(ByteBuf.class, next())));
        assertEquals(List.of(1), asked);
    }

    @Test
    void aSplicedFrameHandsOnWhatWasReadAndHowMuchIsLeftThenExpectsTheNextFrameAfterIt() {
        channel = decoder(ResponseFrameDecoder.Passage.SPLICED);
        byte[] big = frame(5, 8000);
        byte[] next = frame(6, 10);

        channel.writeInbound(Unpooled.wrappedBuffer(big, 0, 3000));
        ResponseFrameDecoder.ResponsePart read = part(next());
        ResponseFrameDecoder.SplicedRest rest =
                assertInstanceOf(ResponseFrameDecoder.SplicedRest.class, channel.readInbound());
        // The connection moves the rest socket to socket; the decoder only ever sees what follows it.
        channel.writeInbound(Unpooled.wrappedBuffer(next));

        assertFalse(read.last());
        assertArrayEquals(Arrays.copyOf(big, 3000), bytes(read.bytes()));
        assertEquals(big.length - 3000, rest.bytes());
        assertArrayEquals(next, bytes(assertInstanceOf(ByteBuf.class, next())));
        assertEquals(List.of(5), asked);
    }

    @Test
    void aFrameTheDecisionDeclinesIsEmittedWholeOnceItHasArrived() {
        channel = decoder(ResponseFrameDecoder.Passage.WHOLE);
        byte[] frame = frame(9, 4000);

        channel.writeInbound(Unpooled.wrappedBuffer(frame, 0, 1000));
        assertNull(channel.readInbound());
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 1000, frame.length - 1000));

        assertArrayEquals(frame, bytes(assertInstanceOf(ByteBuf.class, next())));
        assertTrue(asked.size() >= 1 && asked.stream().allMatch(id -> id == 9), "asked " + asked);
    }

    @Test
    void theSizeLimitHoldsBeforeAnythingIsStreamed() {
        channel = decoder(ResponseFrameDecoder.Passage.STREAMED);
        ByteBuf oversized = Unpooled.buffer().writeInt(LIMIT + 1).writeInt(5).writeZero(100);

        DecoderException failure = assertThrows(DecoderException.class, () -> channel.writeInbound(oversized));

        assertInstanceOf(TooLongFrameException.class, failure.getCause() == null ? failure : failure.getCause());
        assertTrue(asked.isEmpty());
    }

    @Test
    void aConnectionThatEndsInsideAStreamedFrameReportsItTruncated() {
        channel = decoder(ResponseFrameDecoder.Passage.STREAMED);
        byte[] frame = frame(3, 2000);
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 0, 500));
        releaseMessage(channel.readInbound());

        DecoderException failure = assertThrows(DecoderException.class, () -> channel.finish());
        assertInstanceOf(TruncatedFrameException.class, failure.getCause() == null ? failure : failure.getCause());
        channel = null;
    }

    private EmbeddedChannel decoder(ResponseFrameDecoder.Passage passage) {
        return new EmbeddedChannel(new ResponseFrameDecoder(LIMIT, (correlationId, frameBytes) -> {
            asked.add(correlationId);
            return passage;
        }));
    }

    private Object next() {
        Object message = channel.readInbound();
        assertTrue(message != null, "nothing emitted");
        emitted.add(message);
        return message;
    }

    private static ResponseFrameDecoder.ResponsePart part(Object message) {
        return assertInstanceOf(ResponseFrameDecoder.ResponsePart.class, message);
    }

    private static void releaseMessage(Object message) {
        if (message instanceof ByteBuf buf) {
            buf.release();
        } else if (message instanceof ResponseFrameDecoder.ResponsePart part) {
            part.bytes().release();
        }
    }

    /** A response frame: size prefix, correlation id, then {@code bodyBytes} of a recognisable pattern. */
    private static byte[] frame(int correlationId, int bodyBytes) {
        ByteBuffer frame = ByteBuffer.allocate(8 + bodyBytes).putInt(4 + bodyBytes).putInt(correlationId);
        for (int i = 0; i < bodyBytes; i++) {
            frame.put((byte) (i * 31 + correlationId));
        }
        return frame.array();
    }

    private static byte[] bytes(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Arrays.stream(parts).forEach(out::writeBytes);
        return out.toByteArray();
    }
}
