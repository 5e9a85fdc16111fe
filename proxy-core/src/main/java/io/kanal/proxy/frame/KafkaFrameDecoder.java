package io.kanal.proxy.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;

import java.util.List;

/**
 * Splits a byte stream into Kafka frames: a 4-byte big-endian size, then that many bytes.
 *
 * <p>Each frame is emitted as a retained slice of the received bytes <em>including</em> its size prefix, so a frame
 * nobody needs to change can be written to the other side exactly as it arrived. The size is checked against the
 * limit before anything is buffered for it, so a hostile size never makes the proxy allocate.
 */
public final class KafkaFrameDecoder extends ByteToMessageDecoder {

    /** Bytes of the size prefix in front of every Kafka frame. */
    public static final int SIZE_PREFIX_BYTES = 4;

    private int maxFrameBytes;
    /** A stream whose framing broke once cannot be read further: what follows is discarded unread. */
    private boolean broken;

    /** @param maxFrameBytes the largest frame body accepted, size prefix excluded */
    public KafkaFrameDecoder(int maxFrameBytes) {
        maxFrameBytes(maxFrameBytes);
    }

    /** The largest frame body accepted now, size prefix excluded. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** Changes the limit for the frames still to come; called on the channel's event loop. */
    public void maxFrameBytes(int maxFrameBytes) {
        if (maxFrameBytes <= 0) {
            throw new IllegalArgumentException("maxFrameBytes must be positive");
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < SIZE_PREFIX_BYTES) {
            return;
        }
        int size = in.getInt(in.readerIndex());
        if (size < 0) {
            throw broken(in, new CorruptedFrameException("negative frame size " + size));
        }
        if (size > maxFrameBytes) {
            throw broken(in, new TooLongFrameException("frame of " + size + " bytes exceeds the limit of "
                    + maxFrameBytes));
        }
        // Subtract rather than add: a size near Integer.MAX_VALUE must not wrap around.
        if (in.readableBytes() - SIZE_PREFIX_BYTES < size) {
            return;
        }
        out.add(in.readRetainedSlice(SIZE_PREFIX_BYTES + size));
    }

    /** Discards the stream from here on, so that the failure is reported once, not again when the channel closes. */
    private <T extends RuntimeException> T broken(ByteBuf in, T failure) {
        broken = true;
        in.skipBytes(in.readableBytes());
        return failure;
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        decode(ctx, in, out);
        if (in.isReadable()) {
            int pending = in.readableBytes();
            in.skipBytes(pending);
            throw new TruncatedFrameException("connection ended inside a frame, " + pending + " bytes unread");
        }
    }
}
