package io.kanal.mesh.upstream;

import io.kanal.proxy.frame.KafkaFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Splits an upstream broker's byte stream into response frames (size prefix included), each handed on as a {@link
 * ByteBuf} its receiver releases: a retained slice of the bytes read when the whole frame came in one read, otherwise
 * a buffer of exactly the frame's size that the frame's reads are gathered into.
 *
 * <p>Why not {@link KafkaFrameDecoder}: its cumulation grows as a long frame arrives, copying what it holds again at
 * each growth, where the size prefix says at once how much room the frame needs.
 */
final class ResponseFrameAssembler extends ChannelInboundHandlerAdapter {

    private static final int PREFIX = KafkaFrameDecoder.SIZE_PREFIX_BYTES;

    private final int maxFrameBytes;
    private final byte[] sizePrefix = new byte[PREFIX];
    private int sizePrefixRead;
    private ByteBuf frame;
    /** A stream whose framing broke once cannot be read further: what follows is discarded unread. */
    private boolean broken;

    /** @param maxFrameBytes the largest frame accepted, size prefix excluded */
    ResponseFrameAssembler(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        ByteBuf in = (ByteBuf) message;
        try {
            while (in.isReadable() && !broken) {
                if (frame != null) {
                    frame.writeBytes(in, Math.min(in.readableBytes(), frame.writableBytes()));
                    if (!frame.isWritable()) {
                        ByteBuf complete = frame;
                        frame = null;
                        ctx.fireChannelRead(complete);
                    }
                } else if (sizePrefixRead == 0 && in.readableBytes() >= PREFIX) {
                    int size = checked(in.getInt(in.readerIndex()));
                    if (in.readableBytes() - PREFIX >= size) {
                        ctx.fireChannelRead(in.readRetainedSlice(PREFIX + size));
                    } else {
                        // Copied: kafka-clients decodes a frame from one piece of memory; its rest is yet to come.
                        frame = ctx.alloc().ioBuffer(PREFIX + size, PREFIX + size);
                    }
                } else {
                    readSizePrefix(ctx, in);
                }
            }
        } finally {
            in.release();
        }
    }

    /** A size prefix split across reads. */
    private void readSizePrefix(ChannelHandlerContext ctx, ByteBuf in) {
        int chunk = Math.min(in.readableBytes(), PREFIX - sizePrefixRead);
        in.readBytes(sizePrefix, sizePrefixRead, chunk);
        sizePrefixRead += chunk;
        if (sizePrefixRead < PREFIX) {
            return;
        }
        sizePrefixRead = 0;
        int size = checked((sizePrefix[0] & 0xff) << 24 | (sizePrefix[1] & 0xff) << 16 | (sizePrefix[2] & 0xff) << 8
                | sizePrefix[3] & 0xff);
        frame = ctx.alloc().ioBuffer(PREFIX + size, PREFIX + size);
        frame.writeBytes(sizePrefix);
    }

    private int checked(int size) {
        if (size < 0) {
            broken = true;
            throw new CorruptedFrameException("negative frame size " + size);
        }
        if (size > maxFrameBytes) {
            broken = true;
            throw new TooLongFrameException("response of " + size + " bytes exceeds the limit of " + maxFrameBytes);
        }
        return size;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (frame != null) {
            frame.release();
            frame = null;
        }
    }
}
