package io.kanal.mesh.upstream;

import io.kanal.proxy.frame.KafkaFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Splits an upstream broker's byte stream into response frames, each copied as it arrives into a heap array of its
 * own (size prefix included), which is handed on as a {@code byte[]}.
 *
 * <p>Why not {@link KafkaFrameDecoder}'s retained slices: a decoded Fetch response views its record batches in the
 * frame's memory, and the mesh writes the client's response after the handler's stage has completed, at a moment the
 * handler is not told of. Pooled memory would have to be released at that moment; a heap array is simply collected
 * once nothing views it. The copy costs what cumulating a frame that spans several reads costs anyway: each byte is
 * copied once, from the socket's read buffer into the frame.
 */
final class ResponseFrameAssembler extends ChannelInboundHandlerAdapter {

    private final int maxFrameBytes;
    private final byte[] sizePrefix = new byte[KafkaFrameDecoder.SIZE_PREFIX_BYTES];
    private int sizePrefixRead;
    private byte[] frame;
    private int filled;

    /** @param maxFrameBytes the largest frame accepted, size prefix excluded */
    ResponseFrameAssembler(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        ByteBuf in = (ByteBuf) message;
        try {
            while (in.isReadable()) {
                if (frame == null) {
                    readSizePrefix(in);
                } else {
                    int chunk = Math.min(in.readableBytes(), frame.length - filled);
                    in.readBytes(frame, filled, chunk);
                    filled += chunk;
                }
                if (frame != null && filled == frame.length) {
                    byte[] complete = frame;
                    frame = null;
                    ctx.fireChannelRead(complete);
                }
            }
        } finally {
            in.release();
        }
    }

    private void readSizePrefix(ByteBuf in) {
        int chunk = Math.min(in.readableBytes(), sizePrefix.length - sizePrefixRead);
        in.readBytes(sizePrefix, sizePrefixRead, chunk);
        sizePrefixRead += chunk;
        if (sizePrefixRead < sizePrefix.length) {
            return;
        }
        sizePrefixRead = 0;
        int size = (sizePrefix[0] & 0xff) << 24 | (sizePrefix[1] & 0xff) << 16 | (sizePrefix[2] & 0xff) << 8
                | sizePrefix[3] & 0xff;
        if (size < 0) {
            throw new CorruptedFrameException("negative frame size " + size);
        }
        if (size > maxFrameBytes) {
            throw new TooLongFrameException("response of " + size + " bytes exceeds the limit of " + maxFrameBytes);
        }
        frame = new byte[sizePrefix.length + size];
        System.arraycopy(sizePrefix, 0, frame, 0, sizePrefix.length);
        filled = sizePrefix.length;
    }
}
