package io.kanal.proxy.connection;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.frame.KafkaFrameDecoder;
import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.LocalResponses;
import io.kanal.proxy.protocol.MalformedFrameException;
import io.kanal.proxy.protocol.RequestFrame;
import io.kanal.proxy.protocol.ResponseCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.DecoderException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * One client connection and the broker connection that serves it.
 *
 * <p>Both channels run on the client channel's event loop, so this class needs no locks. Requests are forwarded in
 * the order they arrive; each one that expects an answer takes a place in {@link #responseOrder}, and responses are
 * written to the client strictly in that order, even when one of them waits for asynchronous work. Reading stops on
 * one side while the other cannot take more, and while too many requests are outstanding, so memory per connection
 * stays bounded whichever side is slow.
 */
public final class ProxyConnection {

    private static final Logger log = LoggerFactory.getLogger(ProxyConnection.class);

    private final ConnectionSettings settings;
    private final Channel downstream;
    private final UpstreamSelector upstreamSelector;
    private final Runnable onClosed;
    private final ArrayDeque<PendingResponse> responseOrder = new ArrayDeque<>();
    private final ArrayDeque<PendingResponse> awaitingBroker = new ArrayDeque<>();
    private Channel upstream;
    private HostPort upstreamAddress;
    private boolean draining;
    private boolean closed;

    /**
     * @param onClosed runs once when both channels are closed and every buffer released
     */
    public ProxyConnection(ConnectionSettings settings, Channel downstream, UpstreamSelector upstreamSelector,
                           Runnable onClosed) {
        this.settings = settings;
        this.downstream = downstream;
        this.upstreamSelector = upstreamSelector;
        this.onClosed = onClosed;
    }

    /** Connects to the broker; the client is read from once that connection stands. */
    void start() {
        connect(0);
    }

    private void connect(int attempt) {
        HostPort target = upstreamSelector.upstream(attempt);
        if (target == null) {
            close(attempt == 0 ? "no broker address known for this port" : "no broker could be reached");
            return;
        }
        Bootstrap bootstrap = new Bootstrap()
                .group(downstream.eventLoop())
                .channel(settings.transport().socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.AUTO_READ, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, settings.writeBufferWaterMark())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(
                                new KafkaFrameDecoder(settings.maxFrameBytes()),
                                new UpstreamHandler(ProxyConnection.this));
                    }
                });
        bootstrap.connect(target.toSocketAddress()).addListener((ChannelFuture future) -> {
            if (closed) {
                future.channel().close();
            } else if (future.isSuccess()) {
                upstream = future.channel();
                upstreamAddress = target;
                log.debug("{}: {} connected to broker {}", settings.virtualCluster(), downstream.remoteAddress(), target);
                updateReading();
            } else {
                log.warn("{}: cannot connect to broker {} for client {}: {}", settings.virtualCluster(), target,
                        downstream.remoteAddress(), future.cause().getMessage());
                connect(attempt + 1);
            }
        });
    }

    void onRequest(ByteBuf frame) {
        if (closed) {
            frame.release();
            return;
        }
        if (upstream == null) {
            // Reading is off until the broker connection stands; epoll still drains the socket when the client hangs
            // up, and a client that has hung up awaits no answer.
            frame.release();
            close("client sent a request before its broker connection stood");
            return;
        }
        RequestFrame request;
        boolean expectsResponse;
        try {
            request = RequestFrame.parse(frame);
            expectsResponse = request.expectsResponse();
        } catch (MalformedFrameException e) {
            frame.release();
            close("malformed request: " + e.getMessage());
            return;
        }
        if (!request.versionKnown() && answeredUnknownVersion(request)) {
            return;
        }
        if (expectsResponse) {
            PendingResponse pending = new PendingResponse(request.api(), request.apiVersion(), request.correlationId());
            responseOrder.add(pending);
            awaitingBroker.add(pending);
        }
        upstream.write(frame, upstream.voidPromise());
        updateReading();
    }

    /**
     * Deals with a request in a version this proxy's kafka-clients does not know: one too new, or one it dropped
     * (Produce v0-2). Most such requests can still be forwarded for the broker to judge; this returns {@code true}
     * when it has answered or refused the request instead.
     */
    private boolean answeredUnknownVersion(RequestFrame request) {
        if (request.api() == ApiKeys.API_VERSIONS) {
            request.frame().release();
            PendingResponse pending = new PendingResponse(request.api(), (short) 0, request.correlationId());
            pending.complete(ResponseCodec.encode(downstream.alloc(),
                    LocalResponses.unsupportedApiVersions(request.correlationId())));
            responseOrder.add(pending);
            writeCompletedResponses();
            downstream.flush();
            return true;
        }
        if (settings.responseTransformer().wants(request.api(), request.apiVersion())) {
            // We could not read the answer, and it may carry a broker address the client must not see.
            request.frame().release();
            close(request + " is newer than this proxy can rewrite");
            return true;
        }
        return false;
    }

    void onResponse(ByteBuf frame) {
        if (closed) {
            frame.release();
            return;
        }
        if (frame.readableBytes() < KafkaFrameDecoder.SIZE_PREFIX_BYTES + 4) {
            frame.release();
            close("broker " + upstreamAddress + " sent a response too short for a header");
            return;
        }
        int correlationId = frame.getInt(frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX_BYTES);
        PendingResponse pending = awaitingBroker.poll();
        if (pending == null || pending.correlationId != correlationId) {
            frame.release();
            close("broker " + upstreamAddress + " answered correlation id " + correlationId + " but "
                    + (pending == null ? "no request was outstanding" : "correlation id " + pending.correlationId
                    + " was next"));
            return;
        }
        ResponseTransformer transformer = settings.responseTransformer();
        if (!transformer.wants(pending.api, pending.apiVersion)) {
            pending.complete(frame);
            writeCompletedResponses();
            return;
        }
        DecodedResponse decoded;
        try {
            decoded = ResponseCodec.decode(frame, pending.api, pending.apiVersion);
        } catch (MalformedFrameException e) {
            frame.release();
            close("broker " + upstreamAddress + " sent a malformed response: " + e.getMessage());
            return;
        }
        CompletableFuture<Boolean> transformed;
        try {
            transformed = transformer.transform(decoded).toCompletableFuture();
        } catch (RuntimeException e) {
            transformed = CompletableFuture.failedFuture(e);
        }
        if (transformed.isDone()) {
            // The common case: nothing to wait for, so the response goes out with this read's flush.
            finishTransformed(pending, frame, decoded, transformed);
        } else {
            CompletableFuture<Boolean> later = transformed;
            later.whenComplete((changed, failure) -> {
                try {
                    downstream.eventLoop().execute(() -> {
                        finishTransformed(pending, frame, decoded, later);
                        downstream.flush();
                    });
                } catch (RejectedExecutionException shuttingDown) {
                    frame.release();
                }
            });
        }
    }

    private void finishTransformed(PendingResponse pending, ByteBuf frame, DecodedResponse decoded,
                                   CompletableFuture<Boolean> transformed) {
        if (closed) {
            frame.release();
            return;
        }
        boolean changed;
        try {
            changed = transformed.join();
        } catch (CompletionException | CancellationException e) {
            frame.release();
            close("cannot rewrite " + pending.api + " response: " + e.getCause());
            return;
        }
        if (changed) {
            ByteBuf encoded;
            try {
                encoded = ResponseCodec.encode(downstream.alloc(), decoded);
            } catch (RuntimeException e) {
                close("cannot encode the rewritten " + pending.api + " response: " + e);
                return;
            } finally {
                frame.release();
            }
            pending.complete(encoded);
        } else {
            pending.complete(frame);
        }
        writeCompletedResponses();
    }

    private void writeCompletedResponses() {
        while (!responseOrder.isEmpty() && responseOrder.peek().isComplete()) {
            downstream.write(responseOrder.poll().takeResponse(), downstream.voidPromise());
        }
        if (draining && responseOrder.isEmpty()) {
            close(null);
        }
        updateReading();
    }

    /** Sends what was written to the broker during this read from the client. */
    void flushUpstream() {
        if (upstream != null) {
            upstream.flush();
        }
    }

    /** Sends what was written to the client during this read from the broker. */
    void flushDownstream() {
        downstream.flush();
    }

    /**
     * Reads from each side only while the other can take more and the client has not run too far ahead of the
     * broker's answers.
     */
    void updateReading() {
        if (closed || upstream == null) {
            return;
        }
        boolean readClient = !draining && upstream.isWritable()
                && responseOrder.size() < settings.maxInFlightRequests();
        downstream.config().setAutoRead(readClient);
        upstream.config().setAutoRead(downstream.isWritable());
    }

    /** Stops taking new requests and closes once every outstanding request has been answered. */
    public void drain() {
        downstream.eventLoop().execute(this::drainNow);
    }

    private void drainNow() {
        if (closed) {
            return;
        }
        draining = true;
        downstream.config().setAutoRead(false);
        if (responseOrder.isEmpty()) {
            close(null);
        }
    }

    /** Closes both sides at once, answered or not. */
    public void forceClose() {
        downstream.eventLoop().execute(() -> close("proxy shutting down"));
    }

    void downstreamClosed() {
        close(null);
    }

    void upstreamClosed() {
        if (!closed) {
            log.debug("{}: broker {} closed the connection of {}", settings.virtualCluster(), upstreamAddress,
                    downstream.remoteAddress());
        }
        close(null);
    }

    void downstreamFailed(Throwable cause) {
        close(describe("client", cause));
    }

    void upstreamFailed(Throwable cause) {
        close(describe("broker " + upstreamAddress, cause));
    }

    private static String describe(String side, Throwable cause) {
        Throwable reason = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        return side + ": " + reason.getMessage();
    }

    private static boolean isOrdinaryDisconnect(String reason) {
        return reason.contains("Connection reset") || reason.contains("Broken pipe");
    }

    /** Closes both sides once, writing out what is already queued first. {@code reason} null means a normal end. */
    private void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        if (reason != null) {
            if (isOrdinaryDisconnect(reason)) {
                log.debug("{}: closing connection from {}: {}", settings.virtualCluster(), downstream.remoteAddress(),
                        reason);
            } else {
                log.warn("{}: closing connection from {}: {}", settings.virtualCluster(), downstream.remoteAddress(),
                        reason);
            }
        }
        responseOrder.forEach(PendingResponse::release);
        responseOrder.clear();
        awaitingBroker.clear();
        downstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        if (upstream != null) {
            upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        downstream.closeFuture().addListener(done -> {
            if (upstream == null) {
                onClosed.run();
            } else {
                upstream.closeFuture().addListener(upstreamDone -> onClosed.run());
            }
        });
    }

    boolean isClosed() {
        return closed;
    }
}
