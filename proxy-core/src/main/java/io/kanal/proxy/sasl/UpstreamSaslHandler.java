package io.kanal.proxy.sasl;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.metrics.ProxyMetrics;
import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.MalformedFrameException;
import io.kanal.proxy.protocol.RequestCodec;
import io.kanal.proxy.protocol.ResponseCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import javax.security.sasl.SaslException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Logs the proxy in to a broker as soon as the connection stands, before any client request is forwarded: a
 * SaslHandshake v1 and SaslAuthenticate v1 requests, as Kafka's own clients send them. Placed in the broker
 * connection's pipeline between the frame decoder and the connection's handler; it takes the broker's answers to
 * its own requests and removes itself once logged in, so every later frame passes untouched.
 *
 * <p>A login that fails (wrong credentials, a mechanism the broker does not enable, no answer in time) is logged at
 * ERROR, naming the virtual cluster and the broker, at most once every ten seconds per virtual cluster, and closes
 * the broker connection; {@link #loggedIn()} then completes exceptionally. A broker connection that fails for another
 * reason before the login is done (its TLS handshake, a broken frame) is no failed login: the failure goes on to the
 * connection's handler, which reports it as what it is.
 */
public final class UpstreamSaslHandler extends ChannelInboundHandlerAdapter {

    private static final short HANDSHAKE_VERSION = 1;
    private static final short AUTHENTICATE_VERSION = 1;
    private static final String CLIENT_ID = "kanal";

    private final UpstreamCredentials credentials;
    private final HostPort broker;
    private final Duration timeout;
    private final SaslMetrics metrics;
    private final CompletableFuture<Void> loggedIn = new CompletableFuture<>();
    private SaslClientExchange exchange;
    private ApiKeys awaiting;
    private int correlationId = -1;
    private ScheduledFuture<?> timer;

    /**
     * @param broker  the broker connected to, for log lines
     * @param timeout how long the broker may take to complete the login
     */
    public UpstreamSaslHandler(UpstreamCredentials credentials, HostPort broker, Duration timeout,
                               ProxyMetrics metrics) {
        this.credentials = credentials;
        this.broker = broker;
        this.timeout = timeout;
        this.metrics = new SaslMetrics(metrics);
    }

    /** Completes once logged in; completes exceptionally, with the reason, when the login failed. */
    public CompletionStage<Void> loggedIn() {
        return loggedIn;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> fail(ctx, "no answer within " + timeout.toMillis() + " ms"),
                timeout.toNanos(), TimeUnit.NANOSECONDS);
        send(ctx, ApiKeys.SASL_HANDSHAKE, HANDSHAKE_VERSION,
                new SaslHandshakeRequestData().setMechanism(credentials.mechanism().mechanismName()));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (loggedIn.isDone()) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf frame = (ByteBuf) msg;
        try {
            DecodedResponse response = ResponseCodec.decode(frame, awaiting,
                    awaiting == ApiKeys.SASL_HANDSHAKE ? HANDSHAKE_VERSION : AUTHENTICATE_VERSION);
            if (response.header().correlationId() != correlationId) {
                fail(ctx, "the broker answered correlation id " + response.header().correlationId() + ", not "
                        + correlationId);
            } else if (response.body() instanceof SaslHandshakeResponseData handshake) {
                handshaken(ctx, handshake);
            } else {
                authenticated(ctx, (SaslAuthenticateResponseData) response.body());
            }
        } catch (MalformedFrameException e) {
            fail(ctx, "the broker sent a malformed " + awaiting.name + " response: " + e.getMessage());
        } finally {
            frame.release();
        }
    }

    private void handshaken(ChannelHandlerContext ctx, SaslHandshakeResponseData response) {
        Errors error = Errors.forCode(response.errorCode());
        if (error == Errors.UNSUPPORTED_SASL_MECHANISM) {
            fail(ctx, "the broker does not enable " + credentials.mechanism() + " on this listener (it enables "
                    + response.mechanisms() + ")");
        } else if (error == Errors.ILLEGAL_SASL_STATE) {
            fail(ctx, "the broker's listener does not take SASL logins; is it a PLAINTEXT listener?");
        } else if (error != Errors.NONE) {
            fail(ctx, "the broker answered the SaslHandshake with " + error.name());
        } else {
            onWorker(ctx, () -> {
                exchange = credentials.newExchange();
                return exchange.initialResponse();
            }, token -> authenticate(ctx, token));
        }
    }

    private void authenticated(ChannelHandlerContext ctx, SaslAuthenticateResponseData response) {
        if (response.errorCode() != Errors.NONE.code()) {
            String rejection = exchange.rejection();
            String message = response.errorMessage() == null ? "" : " " + response.errorMessage();
            fail(ctx, "the broker refused the login: " + Errors.forCode(response.errorCode()).name() + message
                    + (rejection == null ? "" : " " + rejection));
            return;
        }
        byte[] challenge = response.authBytes();
        onWorker(ctx, () -> exchange.evaluate(challenge), next -> {
            if (next != null) {
                authenticate(ctx, next);
                return;
            }
            cancelTimer();
            metrics.upstream(credentials.mechanism().mechanismName(), SaslMetrics.SUCCESS);
            ctx.pipeline().remove(this);
            loggedIn.complete(null);
        });
    }

    /**
     * Takes a step of the exchange on a SASL worker, then goes on with its token on the event loop: a step may read a
     * token file or derive a SCRAM key, and neither may hold up the other connections of the event loop.
     */
    private void onWorker(ChannelHandlerContext ctx, SaslWorkers.Step<byte[]> step, Consumer<byte[]> then) {
        SaslWorkers.run(step).whenComplete((token, failure) -> {
            try {
                ctx.executor().execute(() -> {
                    if (loggedIn.isDone()) {
                        // Timed out or failed meanwhile.
                        return;
                    }
                    if (failure == null) {
                        then.accept(token);
                    } else {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        fail(ctx, cause.getMessage() != null ? cause.getMessage() : cause.toString());
                    }
                });
            } catch (RejectedExecutionException shuttingDown) {
                // The event loop is gone, and the connection with it.
            }
        });
    }

    private void authenticate(ChannelHandlerContext ctx, byte[] token) {
        send(ctx, ApiKeys.SASL_AUTHENTICATE, AUTHENTICATE_VERSION,
                new SaslAuthenticateRequestData().setAuthBytes(token));
    }

    private void send(ChannelHandlerContext ctx, ApiKeys api, short version, ApiMessage body) {
        awaiting = api;
        correlationId++;
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId(CLIENT_ID);
        ctx.writeAndFlush(RequestCodec.encode(ctx.alloc(), header, api.requestHeaderVersion(version), body, version));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, "the broker closed the connection during the login");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // First, so that the connection closes with this reason rather than as if the login had been refused.
        ctx.fireExceptionCaught(cause);
        if (!loggedIn.isDone()) {
            cancelTimer();
            loggedIn.completeExceptionally(cause);
            ctx.close();
        }
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        if (loggedIn.isDone()) {
            return;
        }
        cancelTimer();
        metrics.upstream(credentials.mechanism().mechanismName(), SaslMetrics.FAILURE);
        credentials.failureLog().error("{}: cannot log in to broker {}: {}", metrics.proxyMetrics().virtualCluster(),
                broker, credentials.describe() + ": " + reason);
        loggedIn.completeExceptionally(new SaslException("cannot log in to broker " + broker + " with "
                + credentials.describe() + ": " + reason));
        ctx.close();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
