package io.kanal.proxy.connection;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** The broker side of a {@link ProxyConnection}: hands it response frames and channel events. */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    private final ProxyConnection connection;

    UpstreamHandler(ProxyConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ResponseFrameDecoder.ResponsePart part) {
            connection.onResponsePart(part.bytes(), part.last());
        } else if (msg instanceof ResponseFrameDecoder.SplicedRest rest) {
            connection.spliceRest(rest.bytes());
        } else {
            connection.onResponse((ByteBuf) msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.flushDownstream();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.updateReading();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.upstreamClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.upstreamFailed(cause);
    }
}
