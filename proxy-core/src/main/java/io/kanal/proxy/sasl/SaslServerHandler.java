package io.kanal.proxy.sasl;

import io.kanal.proxy.frame.KafkaFrameDecoder;
import io.kanal.proxy.metrics.ProxyMetrics;
import io.kanal.proxy.net.LogText;
import io.kanal.proxy.protocol.DecodedRequest;
import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.MalformedFrameException;
import io.kanal.proxy.protocol.RequestCodec;
import io.kanal.proxy.protocol.RequestFrame;
import io.kanal.proxy.protocol.ResponseCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.scram.internals.ScramSaslServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.security.sasl.SaslServer;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * SASL termination for one client connection, in its pipeline between the frame decoder and the proxy connection.
 * Until the client has authenticated, it behaves as a Kafka broker's SASL listener does:
 * <ul>
 *   <li>ApiVersions passes on to the broker, so the client learns the broker's real versions;</li>
 *   <li>SaslHandshake (v0 or v1) and SaslAuthenticate are answered here, with kafka-clients' SCRAM and PLAIN servers
 *       checking the credentials of {@link ClientAuthentication#credentials()}; after a v0 handshake the client's
 *       tokens come as bare frames, as Kafka's oldest clients send them;</li>
 *   <li>any other request closes the connection before it reaches the broker;</li>
 *   <li>a failed authentication gets SASL_AUTHENTICATION_FAILED with a message after
 *       {@link ClientAuthentication#failureDelay()}, and the connection closes;</li>
 *   <li>a client that has not authenticated within {@link ClientAuthentication#timeout()} is closed.</li>
 * </ul>
 * Like a broker, it works on one request at a time until then: what arrives meanwhile waits, in order, and a SASL
 * request also waits until the broker has answered the ApiVersions requests before it. Frames over 512 KiB close the
 * connection until then, as with a broker's {@code sasl.server.max.receive.size}. Once authenticated, frames
 * pass straight through; a later SaslHandshake or SaslAuthenticate closes the connection, since the proxy offers no
 * re-authentication (it tells clients a session lifetime of 0).
 */
public final class SaslServerHandler extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(SaslServerHandler.class);
    /** Requests a client may send ahead while one is worked on; Kafka's clients send one at a time. */
    private static final int MAX_WAITING_FRAMES = 16;
    private static final int API_KEY_OFFSET = KafkaFrameDecoder.SIZE_PREFIX_BYTES;
    /**
     * The largest frame taken before authentication, as Kafka's {@code sasl.server.max.receive.size}: a client that
     * has not logged in cannot make the proxy hold more than a few of these.
     */
    static final int UNAUTHENTICATED_MAX_FRAME_BYTES = 512 * 1024;
    /** What precedes the client's token in a message of Kafka's SCRAM server. */
    private static final String TOKEN_QUOTED_AFTER = " format:";
    private static final int MAX_REASON_LENGTH = 200;

    private enum State { HANDSHAKE, AUTHENTICATE, RAW_TOKENS, AUTHENTICATED, FAILED }

    private final ClientAuthentication config;
    private final SaslMetrics metrics;
    private final Consumer<String> onAuthenticated;
    private final ArrayDeque<ByteBuf> waiting = new ArrayDeque<>();
    private State state = State.HANDSHAKE;
    private SaslMechanism mechanism;
    private SaslServer server;
    private CredentialCallbacks callbacks;
    private boolean evaluating;
    /** ApiVersions requests passed on whose responses have not been written yet. */
    private int forwarded;
    private ScheduledFuture<?> timeout;
    private KafkaFrameDecoder decoder;
    private int authenticatedMaxFrameBytes;

    /**
     * @param onAuthenticated receives the principal, such as {@code User:alice}, once the client has authenticated
     */
    public SaslServerHandler(ClientAuthentication config, ProxyMetrics metrics, Consumer<String> onAuthenticated) {
        this.config = config;
        this.metrics = new SaslMetrics(metrics);
        this.onAuthenticated = onAuthenticated;
    }

    /** Lowers the frame decoder's limit before it reads anything; authentication raises it again. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        decoder = ctx.pipeline().get(KafkaFrameDecoder.class);
        if (decoder != null) {
            authenticatedMaxFrameBytes = decoder.maxFrameBytes();
            decoder.maxFrameBytes(Math.min(authenticatedMaxFrameBytes, UNAUTHENTICATED_MAX_FRAME_BYTES));
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> timedOut(ctx), config.timeout().toNanos(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        if (state == State.FAILED) {
            frame.release();
        } else if (!waiting.isEmpty() || blocked()) {
            wait(ctx, frame);
        } else {
            handle(ctx, frame);
        }
    }

    /** Whether the next request must wait: one is being checked, or the broker still owes the client an answer. */
    private boolean blocked() {
        return evaluating || (state != State.AUTHENTICATED && forwarded > 0);
    }

    private void wait(ChannelHandlerContext ctx, ByteBuf frame) {
        if (waiting.size() >= MAX_WAITING_FRAMES) {
            frame.release();
            close(ctx, "sent more than " + MAX_WAITING_FRAMES + " requests while its authentication was in progress");
            return;
        }
        waiting.add(frame);
    }

    private void handle(ChannelHandlerContext ctx, ByteBuf frame) {
        if (state == State.AUTHENTICATED) {
            if (isSaslRequest(frame)) {
                frame.release();
                close(ctx, "sent a SASL request after authenticating; the proxy does not re-authenticate");
            } else {
                ctx.fireChannelRead(frame);
            }
            return;
        }
        if (state == State.RAW_TOKENS) {
            byte[] token = ByteBufUtil.getBytes(frame, frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX_BYTES,
                    frame.readableBytes() - KafkaFrameDecoder.SIZE_PREFIX_BYTES);
            frame.release();
            evaluate(ctx, token, null);
            return;
        }
        RequestFrame request;
        try {
            request = RequestFrame.parse(frame);
        } catch (MalformedFrameException e) {
            // The connection reads it the same way, and closes with its own log line and metric.
            ctx.fireChannelRead(frame);
            return;
        }
        switch (request.api()) {
            case API_VERSIONS -> {
                forwarded++;
                ctx.fireChannelRead(frame);
            }
            case SASL_HANDSHAKE -> handshake(ctx, request);
            case SASL_AUTHENTICATE -> authenticate(ctx, request);
            default -> {
                frame.release();
                metrics.client(mechanismLabel(), SaslMetrics.REFUSED);
                close(ctx, "sent " + request.api().name + " before authenticating; until then only ApiVersions, "
                        + "SaslHandshake and SaslAuthenticate are allowed");
            }
        }
    }

    private static boolean isSaslRequest(ByteBuf frame) {
        if (frame.readableBytes() < API_KEY_OFFSET + 2) {
            return false;
        }
        short apiKey = frame.getShort(frame.readerIndex() + API_KEY_OFFSET);
        return apiKey == ApiKeys.SASL_HANDSHAKE.id || apiKey == ApiKeys.SASL_AUTHENTICATE.id;
    }

    private void handshake(ChannelHandlerContext ctx, RequestFrame request) {
        DecodedRequest decoded = decode(ctx, request, State.HANDSHAKE);
        if (decoded == null) {
            return;
        }
        String requested = ((SaslHandshakeRequestData) decoded.body()).mechanism();
        SaslHandshakeResponseData response = new SaslHandshakeResponseData()
                .setMechanisms(config.mechanisms().stream().map(SaslMechanism::mechanismName).toList());
        SaslMechanism chosen = SaslMechanism.forName(requested).filter(config.mechanisms()::contains).orElse(null);
        if (chosen == null) {
            metrics.client(SaslMetrics.NO_MECHANISM, SaslMetrics.FAILURE);
            fail(ctx, decoded, response.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code()),
                    "asked for SASL mechanism '" + LogText.printable(requested) + "', which is not enabled (enabled: "
                            + response.mechanisms() + ")");
            return;
        }
        mechanism = chosen;
        callbacks = new CredentialCallbacks(config.credentials(), chosen.scram().orElse(null));
        try {
            server = chosen == SaslMechanism.PLAIN
                    ? new PlainSaslServer(callbacks)
                    : new ScramSaslServer(chosen.scram().orElseThrow(), Map.of(), callbacks);
        } catch (NoSuchAlgorithmException e) {
            metrics.client(chosen.mechanismName(), SaslMetrics.FAILURE);
            fail(ctx, decoded, response.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code()),
                    "cannot use " + chosen + ": " + e.getMessage());
            return;
        }
        state = decoded.apiVersion() == 0 ? State.RAW_TOKENS : State.AUTHENTICATE;
        respond(ctx, decoded, response);
    }

    private void authenticate(ChannelHandlerContext ctx, RequestFrame request) {
        DecodedRequest decoded = decode(ctx, request, State.AUTHENTICATE);
        if (decoded != null) {
            evaluate(ctx, ((SaslAuthenticateRequestData) decoded.body()).authBytes(), decoded);
        }
    }

    /** Decodes a SASL request, closing the connection when it is out of turn or unreadable. */
    private DecodedRequest decode(ChannelHandlerContext ctx, RequestFrame request, State expected) {
        try {
            if (state != expected) {
                close(ctx, "sent " + request.api().name + " out of turn during authentication");
                return null;
            }
            if (!request.versionKnown()) {
                close(ctx, "sent " + request + ", a version the proxy does not know");
                return null;
            }
            metrics.proxyMetrics().requestReceived(request.api(), request.frame().readableBytes());
            return RequestCodec.decode(request);
        } catch (MalformedFrameException e) {
            metrics.proxyMetrics().frameError("malformed_request");
            close(ctx, "sent a malformed " + request.api().name + " request: " + e.getMessage());
            return null;
        } finally {
            request.frame().release();
        }
    }

    /**
     * Checks a client token on a worker thread and answers it back on the event loop.
     *
     * @param request the SaslAuthenticate request, or {@code null} for a bare token after a v0 handshake
     */
    private void evaluate(ChannelHandlerContext ctx, byte[] token, DecodedRequest request) {
        evaluating = true;
        long started = System.nanoTime();
        SaslWorkers.evaluate(server, token).whenComplete((answer, failure) -> {
            try {
                ctx.executor().execute(() -> evaluated(ctx, request, answer, failure, started));
            } catch (RejectedExecutionException shuttingDown) {
                // The event loop is gone, and the connection with it.
            }
        });
    }

    private void evaluated(ChannelHandlerContext ctx, DecodedRequest request, byte[] answer, Throwable failure,
                           long started) {
        evaluating = false;
        if (state == State.FAILED || !ctx.channel().isActive()) {
            return;
        }
        if (failure != null) {
            authenticationFailed(ctx, request, failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure);
            return;
        }
        if (server.isComplete()) {
            String principal = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, server.getAuthorizationID()).toString();
            state = State.AUTHENTICATED;
            cancelTimeout();
            disposeServer();
            if (decoder != null) {
                decoder.maxFrameBytes(authenticatedMaxFrameBytes);
            }
            metrics.client(mechanism.mechanismName(), SaslMetrics.SUCCESS);
            onAuthenticated.accept(principal);
            log.debug("{}: {} authenticated as {} with {}", metrics.proxyMetrics().virtualCluster(),
                    ctx.channel().remoteAddress(), LogText.printable(principal), mechanism);
        }
        if (request == null) {
            if (answer != null) {
                ByteBuf raw = ctx.alloc().buffer(KafkaFrameDecoder.SIZE_PREFIX_BYTES + answer.length);
                ctx.writeAndFlush(raw.writeInt(answer.length).writeBytes(answer));
            }
        } else {
            respond(ctx, request, new SaslAuthenticateResponseData()
                    .setAuthBytes(answer == null ? new byte[0] : answer)
                    .setSessionLifetimeMs(0), started);
        }
        drainWaiting(ctx);
    }

    private void authenticationFailed(ChannelHandlerContext ctx, DecodedRequest request, Throwable failure) {
        // As a broker does: a message the server chose for the client, else one that gives nothing away.
        String clientMessage = failure instanceof SaslAuthenticationException
                ? failure.getMessage()
                : "Authentication failed during authentication due to invalid credentials with SASL mechanism "
                        + mechanism;
        metrics.client(mechanism.mechanismName(), SaslMetrics.FAILURE);
        String user = callbacks.user() == null ? "" : " as user '" + LogText.printable(callbacks.user()) + "'";
        ApiMessage response = request == null ? null : new SaslAuthenticateResponseData()
                .setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                .setErrorMessage(clientMessage);
        fail(ctx, request, response, "failed to authenticate" + user + " with " + mechanism + ": "
                + logReason(failure));
    }

    /**
     * Why the SASL server refused, for the log line. Kafka's SCRAM server quotes a message it cannot parse whole after
     * "format: ". That is the client's token: a password when a client sends a PLAIN token in a SCRAM exchange, or
     * lines of its own making. So it is left out.
     */
    private static String logReason(Throwable failure) {
        String message = failure.getMessage() != null ? failure.getMessage() : failure.toString();
        int quoted = message.indexOf(TOKEN_QUOTED_AFTER);
        if (quoted >= 0) {
            message = message.substring(0, quoted + TOKEN_QUOTED_AFTER.length() - 1) + " (the token is not shown)";
        }
        return LogText.printable(message, MAX_REASON_LENGTH);
    }

    /**
     * Ends a failed authentication: after the failure delay, the client gets {@code response} (none for a bare token
     * after a v0 handshake, where Kafka just closes) and the connection closes.
     */
    private void fail(ChannelHandlerContext ctx, DecodedRequest request, ApiMessage response, String reason) {
        state = State.FAILED;
        cancelTimeout();
        releaseWaiting();
        disposeServer();
        log.info("{}: closing connection from {} in {} ms: it {}", metrics.proxyMetrics().virtualCluster(),
                ctx.channel().remoteAddress(), config.failureDelay().toMillis(), reason);
        Runnable answerAndClose = () -> {
            if (response == null || request == null) {
                ctx.close();
            } else {
                ctx.writeAndFlush(encode(ctx, request, response)).addListener(ChannelFutureListener.CLOSE);
            }
        };
        if (config.failureDelay().isZero()) {
            answerAndClose.run();
        } else {
            ctx.executor().schedule(answerAndClose, config.failureDelay().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void respond(ChannelHandlerContext ctx, DecodedRequest request, ApiMessage body) {
        respond(ctx, request, body, System.nanoTime());
    }

    private void respond(ChannelHandlerContext ctx, DecodedRequest request, ApiMessage body, long started) {
        ByteBuf frame = encode(ctx, request, body);
        metrics.proxyMetrics().responseSent(request.api(), frame.readableBytes(), System.nanoTime() - started, -1);
        ctx.writeAndFlush(frame);
    }

    private static ByteBuf encode(ChannelHandlerContext ctx, DecodedRequest request, ApiMessage body) {
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(request.header().correlationId());
        return ResponseCodec.encode(ctx.alloc(), new DecodedResponse(request.api(), header,
                request.api().responseHeaderVersion(request.apiVersion()), body, request.apiVersion()));
    }

    /** Handles, in order, the requests that waited, as far as nothing blocks them any more. */
    private void drainWaiting(ChannelHandlerContext ctx) {
        boolean passed = false;
        while (!waiting.isEmpty() && !blocked() && state != State.FAILED) {
            handle(ctx, waiting.poll());
            passed = true;
        }
        if (passed) {
            // What went on was read outside a read of the channel: let the connection flush it.
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (forwarded > 0 && state != State.AUTHENTICATED && msg instanceof ByteBuf frame && frame.isReadable()) {
            // Responses to forwarded requests are the only frames written past this handler before authentication.
            forwarded--;
            if (forwarded == 0 && !waiting.isEmpty()) {
                ctx.executor().execute(() -> drainWaiting(ctx));
            }
        }
        ctx.write(msg, promise);
    }

    private void timedOut(ChannelHandlerContext ctx) {
        if (state == State.AUTHENTICATED || state == State.FAILED || !ctx.channel().isActive()) {
            return;
        }
        metrics.timedOut();
        close(ctx, "did not authenticate within " + config.timeout().toMillis()
                + " ms (virtualClusters[].sasl.authenticationTimeout)");
    }

    private void close(ChannelHandlerContext ctx, String reason) {
        log.info("{}: closing connection from {}: it {}", metrics.proxyMetrics().virtualCluster(),
                ctx.channel().remoteAddress(), reason);
        state = State.FAILED;
        cancelTimeout();
        releaseWaiting();
        disposeServer();
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        releaseWaiting();
        disposeServer();
        ctx.fireChannelInactive();
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    private void releaseWaiting() {
        waiting.forEach(ReferenceCountUtil::safeRelease);
        waiting.clear();
    }

    private void disposeServer() {
        if (server != null && !evaluating) {
            try {
                server.dispose();
            } catch (javax.security.sasl.SaslException ignored) {
                // Kafka's servers hold nothing that needs letting go.
            }
        }
    }

    private String mechanismLabel() {
        return mechanism == null ? SaslMetrics.NO_MECHANISM : mechanism.mechanismName();
    }
}
