package io.kanal.proxy.connection;

import io.kanal.proxy.frame.KafkaFrameDecoder;
import io.kanal.proxy.frame.TruncatedFrameException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;

import java.util.List;

/**
 * Splits a broker's byte stream into response frames, and lets a response that nobody needs to read go on to the
 * client while its bytes are still arriving (cut-through).
 *
 * <p>A frame that is whole in what has been read so far is emitted as one retained slice including its size prefix,
 * as {@link KafkaFrameDecoder} does. A frame that is not whole yet is offered to the {@link Streaming} decision once
 * its correlation id has arrived. {@link Passage#STREAMED}: the frame's bytes are emitted as {@link ResponsePart}s,
 * each a retained slice of what was read, the last one marked. {@link Passage#SPLICED}: what has been read is emitted
 * as one part, followed by a {@link SplicedRest} saying how many bytes of the frame are still to come; the connection
 * moves those from socket to socket itself, so they never pass this decoder, which expects the next frame after them.
 * Without either, a multi-MiB Fetch response would be read whole before its first byte reached the client, adding
 * the time the broker takes to send it to every fetch.
 */
final class ResponseFrameDecoder extends ByteToMessageDecoder {

    /** Size prefix and correlation id: what a response must show before it can be streamed. */
    static final int HEADER_BYTES = KafkaFrameDecoder.SIZE_PREFIX_BYTES + 4;

    /** How a response that has not arrived whole reaches the client. */
    enum Passage {
        /** Read whole first, then handed on as one frame. */
        WHOLE,
        /** Handed on in parts as its bytes are read. */
        STREAMED,
        /** What has been read handed on as a part, the rest moved from socket to socket by the connection. */
        SPLICED
    }

    /** Decides, for a response whose first bytes have arrived, how it goes to the client. */
    @FunctionalInterface
    interface Streaming {
        /**
         * @param correlationId the response's correlation id
         * @param frameBytes    the whole frame's length, size prefix included
         */
        Passage start(int correlationId, int frameBytes);
    }

    /** Some bytes of a streamed response, in order; {@code last} marks the part that ends the frame. */
    record ResponsePart(ByteBuf bytes, boolean last) {
    }

    /** The bytes of a spliced response still in the socket, which the connection moves on itself. */
    record SplicedRest(int bytes) {
    }

    private final int maxFrameBytes;
    private final Streaming streaming;
    /** Bytes of the streamed frame not emitted yet; 0 when no frame is being streamed. */
    private int streamRemaining;

    /**
     * @param maxFrameBytes the largest frame body accepted, size prefix excluded
     * @param streaming     asked once for each frame that has not arrived whole
     */
    ResponseFrameDecoder(int maxFrameBytes, Streaming streaming) {
        if (maxFrameBytes <= 0) {
            throw new IllegalArgumentException("maxFrameBytes must be positive");
        }
        this.maxFrameBytes = maxFrameBytes;
        this.streaming = streaming;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (streamRemaining > 0) {
            emitPart(in, out);
            return;
        }
        if (in.readableBytes() < KafkaFrameDecoder.SIZE_PREFIX_BYTES) {
            return;
        }
        int size = in.getInt(in.readerIndex());
        if (size < 0) {
            throw new CorruptedFrameException("negative frame size " + size);
        }
        if (size > maxFrameBytes) {
            throw new TooLongFrameException("frame of " + size + " bytes exceeds the limit of " + maxFrameBytes);
        }
        // Subtract rather than add: a size near Integer.MAX_VALUE must not wrap around.
        if (in.readableBytes() - KafkaFrameDecoder.SIZE_PREFIX_BYTES >= size) {
            out.add(in.readRetainedSlice(KafkaFrameDecoder.SIZE_PREFIX_BYTES + size));
            return;
        }
        // A frame too short to hold a correlation id is left for the connection to refuse once it is whole.
        if (size >= 4 && in.readableBytes() >= HEADER_BYTES) {
            int frameBytes = KafkaFrameDecoder.SIZE_PREFIX_BYTES + size;
            int correlationId = in.getInt(in.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX_BYTES);
            switch (streaming.start(correlationId, frameBytes)) {
                case WHOLE -> {
                }
                case STREAMED -> {
                    streamRemaining = frameBytes;
                    emitPart(in, out);
                }
                case SPLICED -> {
                    int read = in.readableBytes();
                    out.add(new ResponsePart(in.readRetainedSlice(read), false));
                    out.add(new SplicedRest(frameBytes - read));
                }
            }
        }
    }

    private void emitPart(ByteBuf in, List<Object> out) {
        int length = Math.min(streamRemaining, in.readableBytes());
        if (length == 0) {
            return;
        }
        streamRemaining -= length;
        out.add(new ResponsePart(in.readRetainedSlice(length), streamRemaining == 0));
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        decode(ctx, in, out);
        if (streamRemaining > 0 || in.isReadable()) {
            int unread = streamRemaining > 0 ? streamRemaining : in.readableBytes();
            in.skipBytes(in.readableBytes());
            streamRemaining = 0;
            throw new TruncatedFrameException("connection ended inside a frame, " + unread + " bytes missing");
        }
    }
}
