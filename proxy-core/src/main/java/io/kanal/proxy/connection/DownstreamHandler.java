package io.kanal.proxy.connection;

import io.kanal.proxy.tls.TlsEstablished;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** The client side of a {@link ProxyConnection}: hands it request frames and channel events. */
public final class DownstreamHandler extends ChannelInboundHandlerAdapter {

    private final ProxyConnection connection;

    public DownstreamHandler(ProxyConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connection.start();
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof TlsEstablished established) {
            connection.tlsEstablished(established);
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        connection.onRequest((ByteBuf) msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.flushUpstream();
        // Answers filters gave without asking the broker were written during this read too.
        connection.flushDownstream();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.updateReading();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.downstreamClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.downstreamFailed(cause);
    }
}
