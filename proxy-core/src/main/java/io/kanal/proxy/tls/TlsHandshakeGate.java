package io.kanal.proxy.tls;

import io.kanal.proxy.metrics.ProxyMetrics;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * Sits right after the TLS handler of a client channel and keeps the handlers behind it out of the connection until
 * the client has completed its TLS handshake: they see the channel become active only then, after a
 * {@link TlsEstablished} event with the session and the client's principal. So no broker connection is opened for a
 * client that never completes a handshake, and the address a client asked for by SNI is known before the broker to
 * connect to is chosen.
 *
 * <p>The client channel does not read on its own (auto-read is off until the broker connection stands); this handler
 * reads for the handshake. Data the client sends with or right after its last handshake message is held here until
 * the handlers behind ask to read, which they do once they can forward it. That is at most what the handshake's reads
 * brought in: the TLS handler stops reading once it has passed data on.
 */
final class TlsHandshakeGate extends ChannelDuplexHandler {

    /** Metric outcomes of a client's TLS handshake. */
    static final String SUCCESS = "success";
    static final String FAILED = "failed";
    static final String UNKNOWN_SNI = "unknown_sni";
    static final String UNMAPPED_PRINCIPAL = "unmapped_principal";

    private final PrincipalMapping principals;
    private final ProxyMetrics metrics;
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private boolean established;
    /** Whether the handlers behind have asked to read since the handshake: from then on, data passes straight on. */
    private boolean open;

    TlsHandshakeGate(PrincipalMapping principals, ProxyMetrics metrics) {
        this.principals = principals;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Held back until the handshake succeeds; reading starts it.
        ctx.read();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                ctx.fireUserEventTriggered(event);
                established(ctx);
                return;
            }
            metrics.tlsHandshake(FAILED);
        }
        ctx.fireUserEventTriggered(event);
    }

    private void established(ChannelHandlerContext ctx) {
        SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
        Optional<String> principal;
        try {
            principal = principals.principalOf(session);
        } catch (SSLPeerUnverifiedException e) {
            metrics.tlsHandshake(UNMAPPED_PRINCIPAL);
            ctx.fireExceptionCaught(e);
            ctx.close();
            return;
        }
        metrics.tlsHandshake(SUCCESS);
        established = true;
        ctx.fireUserEventTriggered(new TlsEstablished(session, principal));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (open) {
            ctx.fireChannelRead(message);
        } else {
            held.add(message);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Before the handlers behind read, a read's end would make the frame decoder ask for more on their behalf.
        if (open) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (established && !open) {
            open = true;
            if (!held.isEmpty()) {
                while (!held.isEmpty()) {
                    ctx.fireChannelRead(held.poll());
                }
                ctx.fireChannelReadComplete();
            }
        }
        ctx.read();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable reason = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (reason instanceof NotSslRecordException) {
            // Its message is a hex dump of everything read, as long as the client cares to make it.
            ctx.fireExceptionCaught(new NotSslRecordException("not a TLS record; is the client connecting without "
                    + "TLS (security.protocol=PLAINTEXT) to a TLS port?"));
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    private void releaseHeld() {
        while (!held.isEmpty()) {
            ReferenceCountUtil.release(held.poll());
        }
    }
}
