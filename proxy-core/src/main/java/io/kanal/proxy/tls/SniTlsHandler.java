package io.kanal.proxy.tls;

import io.kanal.proxy.net.LogText;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;

import java.util.List;
import java.util.function.Predicate;

/**
 * Reads the host name a client asks for in its TLS ClientHello (SNI) and either refuses it or hands the connection to
 * an {@link SslHandler}, recording the name on the channel for routing ({@link DownstreamTls#sniHostname}).
 */
final class SniTlsHandler extends AbstractSniHandler<SslContext> {

    /** The longest DNS name: what a refused name is cut to in the log. */
    private static final int MAX_HOST_NAME_LENGTH = 253;

    private final SslContext context;
    private final Predicate<String> served;
    private final String servedNames;
    private final Runnable onRefused;
    private boolean refused;

    /**
     * @param served      whether a host name (lower case) is one this port serves
     * @param servedNames what the port serves, for the message that refuses a client
     * @param onRefused   runs once when a client is refused
     */
    SniTlsHandler(SslContext context, Predicate<String> served, String servedNames, Runnable onRefused) {
        this.context = context;
        this.served = served;
        this.servedNames = servedNames;
        this.onRefused = onRefused;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (refused) {
            // Closing: what the client sends meanwhile, or what is left when the channel goes, is not looked at.
            in.skipBytes(in.readableBytes());
            return;
        }
        super.decode(ctx, in, out);
    }

    @Override
    protected Future<SslContext> lookup(ChannelHandlerContext ctx, String hostname) {
        if (hostname == null) {
            return ctx.executor().newFailedFuture(new SniRejectedException("the client named no host in its TLS "
                    + "handshake (SNI); this port routes by host name, so connect to " + servedNames));
        }
        if (!served.test(hostname)) {
            // Netty reads the name as the client sent it: line breaks and all, up to 64 KiB.
            return ctx.executor().newFailedFuture(new SniRejectedException("the client asked for host '"
                    + LogText.printable(hostname, MAX_HOST_NAME_LENGTH) + "' in its TLS handshake (SNI), which is "
                    + "none of " + servedNames));
        }
        return ctx.executor().newSucceededFuture(context);
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<SslContext> future) {
        if (!future.isSuccess()) {
            refused = true;
            onRefused.run();
            ctx.fireExceptionCaught(future.cause());
            ctx.close();
            return;
        }
        ctx.channel().attr(DownstreamTls.SNI_HOSTNAME).set(hostname);
        ctx.pipeline().replace(this, DownstreamTls.SSL_HANDLER_NAME, context.newHandler(ctx.alloc()));
    }
}
