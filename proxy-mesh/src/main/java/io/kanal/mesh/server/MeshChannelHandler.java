package io.kanal.mesh.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** Hands a client channel's frames and events to its {@link MeshConnection}. */
final class MeshChannelHandler extends ChannelInboundHandlerAdapter {

    private final MeshConnection connection;

    MeshChannelHandler(MeshConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        connection.onFrame((ByteBuf) message);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.readComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.updateReading();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.channelClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.failed(cause);
    }
}
