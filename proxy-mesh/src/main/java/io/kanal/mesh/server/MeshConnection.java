package io.kanal.mesh.server;

import io.kanal.mesh.api.MeshApiHandler;
import io.kanal.mesh.api.MeshApis;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.api.SessionKey;
import io.kanal.proxy.metrics.ProxyMetrics;
import io.kanal.proxy.net.ChannelFailures;
import io.kanal.proxy.protocol.DecodedRequest;
import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.MalformedFrameException;
import io.kanal.proxy.protocol.RequestCodec;
import io.kanal.proxy.protocol.RequestFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client connection to the mesh. Each request is decoded and handed to its API's handler; the answers, which
 * complete in any order on any thread, are written back in request order.
 *
 * <p>Everything here runs on the channel's event loop, so no state needs a lock. Reading stops while the client has
 * too many requests or too many request bytes outstanding, or does not read its answers, so memory per connection
 * stays bounded whatever the client or the upstream clusters do.
 */
final class MeshConnection implements MeshSession {

    private static final Logger log = LoggerFactory.getLogger(MeshConnection.class);

    /**
     * One request that expects an answer, in the order it arrived; {@link #response} is set once it is encoded, with
     * what to release once it has been written.
     */
    private static final class Exchange {
        final ApiKeys api;
        final long receivedNanos = System.nanoTime();
        ByteBuf response;
        AnswerReleases afterWrite;

        Exchange(ApiKeys api) {
            this.api = api;
        }
    }

    private final Channel channel;
    private final MeshConnectionSettings settings;
    private final Runnable onClosed;
    private final InetSocketAddress clientAddress;
    private final ArrayDeque<Exchange> order = new ArrayDeque<>();
    /**
     * Frames that arrived while the client was over its limits: one read can hold several frames, which the decoder
     * hands on even after reading stops. They are taken, in order, as outstanding requests finish.
     */
    private final ArrayDeque<ByteBuf> waiting = new ArrayDeque<>();
    private final List<Runnable> closeCallbacks = new ArrayList<>();
    private final Map<SessionKey<?>, Object> state = new IdentityHashMap<>();
    private String clientId;
    private boolean clientIdKnown;
    /** Requests whose handler has not finished, answered or not. */
    private int outstanding;
    /** Bytes of the frames of those requests, which stay in memory until their handlers finish. */
    private long outstandingBytes;
    /** True while a read is handled: what it writes is flushed once the read is over. */
    private boolean handlingRead;
    private boolean draining;
    private boolean closed;
    private boolean closeCallbacksRan;

    /** @param onClosed runs once the channel has closed */
    MeshConnection(Channel channel, MeshConnectionSettings settings, Runnable onClosed) {
        this.channel = channel;
        this.settings = settings;
        this.onClosed = onClosed;
        this.clientAddress = (InetSocketAddress) channel.remoteAddress();
        settings.metrics().connectionOpened(ProxyMetrics.Side.CLIENT);
    }

    // ---- Requests ----

    void onFrame(ByteBuf frame) {
        handlingRead = true;
        try {
            handleFrame(frame);
        } finally {
            handlingRead = false;
        }
    }

    private void handleFrame(ByteBuf frame) {
        if (closed) {
            frame.release();
            return;
        }
        if (!waiting.isEmpty() || overLimits()) {
            waiting.add(frame);
            updateReading();
            return;
        }
        take(frame);
    }

    /** Takes the frames that waited, as far as the limits allow. */
    private void takeWaiting() {
        while (!closed && !waiting.isEmpty() && !overLimits()) {
            take(waiting.poll());
        }
    }

    private void take(ByteBuf frame) {
        RequestFrame request;
        boolean expectsResponse;
        try {
            request = RequestFrame.parse(frame);
            expectsResponse = request.expectsResponse();
            if (!clientIdKnown) {
                clientId = request.clientId();
                clientIdKnown = true;
            }
        } catch (MalformedFrameException e) {
            frame.release();
            settings.metrics().frameError("malformed_request");
            close("malformed request: " + e.getMessage());
            return;
        }
        settings.metrics().requestReceived(request.api(), frame.readableBytes());
        if (!request.versionKnown()) {
            frame.release();
            unknownVersion(request);
            return;
        }
        DecodedRequest decoded;
        try {
            decoded = RequestCodec.decode(request);
        } catch (MalformedFrameException e) {
            frame.release();
            settings.metrics().frameError("malformed_request");
            close("malformed request: " + e.getMessage());
            return;
        }
        Exchange exchange = null;
        if (expectsResponse) {
            exchange = new Exchange(request.api());
            order.add(exchange);
        }
        int frameBytes = frame.readableBytes();
        outstanding++;
        outstandingBytes += frameBytes;
        AnswerReleases releases = new AnswerReleases();
        CompletionStage<? extends ApiMessage> answer = dispatch(decoded, frame, expectsResponse, releases);
        Exchange answering = exchange;
        answer.whenComplete((response, failure) -> onLoop(
                () -> finish(decoded, frame, frameBytes, answering, response, failure, releases),
                () -> {
                    frame.release();
                    releases.run();
                }));
        updateReading();
    }

    /**
     * A version this proxy's kafka-clients cannot read: too new, or one it dropped (Produce v0-2, the old record
     * formats). ApiVersions is answered as a broker answers a version it does not know; anything else cannot be read,
     * so the connection closes.
     */
    private void unknownVersion(RequestFrame request) {
        if (request.api() == ApiKeys.API_VERSIONS) {
            Exchange exchange = new Exchange(ApiKeys.API_VERSIONS);
            order.add(exchange);
            complete(exchange, settings.apiVersions().unsupportedVersion(request.correlationId()), null);
            return;
        }
        settings.metrics().frameError("unsupported_version");
        close(request + " is a version the mesh cannot read (it accepts what it advertises in ApiVersions)");
    }

    private CompletionStage<? extends ApiMessage> dispatch(DecodedRequest decoded, ByteBuf frame,
                                                           boolean expectsResponse, AnswerReleases releases) {
        try {
            return switch (decoded.api()) {
                case API_VERSIONS -> CompletableFuture.completedFuture(
                        settings.apiVersions().answer(decoded.apiVersion()));
                case FIND_COORDINATOR -> settings.coordinators().answer(this, decoded.apiVersion(),
                        (FindCoordinatorRequestData) decoded.body());
                default -> handle(decoded, frame, expectsResponse, releases);
            };
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private CompletionStage<? extends ApiMessage> handle(DecodedRequest decoded, ByteBuf frame,
                                                         boolean expectsResponse, AnswerReleases releases) {
        MeshApis.Registration<?, ?> registration = settings.apis().handler(decoded.api()).orElse(null);
        if (registration == null || registration.versions().get()
                .filter(range -> range.contains(decoded.apiVersion())).isEmpty()) {
            return CompletableFuture.completedFuture(errorBody(decoded, Errors.UNSUPPORTED_VERSION,
                    "the Kanal mesh does not serve " + decoded.api() + " v" + decoded.apiVersion()));
        }
        MeshApiHandler handler = registration.handler();
        CompletionStage<? extends ApiMessage> answer = handler.handle(this,
                new Request<>(decoded, frame, expectsResponse, releases));
        if (answer == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the " + decoded.api()
                    + " handler returned no stage"));
        }
        return answer;
    }

    /**
     * Runs once a request's handler has finished: answers it if it expects an answer, lets its frame go, and has what
     * the answer holds released once the answer is written or dropped.
     */
    private void finish(DecodedRequest decoded, ByteBuf frame, int frameBytes, Exchange exchange,
                        ApiMessage response, Throwable failure, AnswerReleases releases) {
        outstanding--;
        outstandingBytes -= frameBytes;
        try {
            if (closed) {
                releases.run();
                return;
            }
            if (exchange == null) {
                releases.run();
                if (failure != null) {
                    log.warn("mesh: {} from {} failed: {}", decoded.api(), clientAddress, describe(failure));
                }
                return;
            }
            ApiMessage body = response;
            if (failure != null || body == null) {
                releases.run();
                String problem = failure != null ? describe(failure) : "its handler gave no response";
                log.warn("mesh: answering {} from {} with UNKNOWN_SERVER_ERROR: {}", decoded.api(), clientAddress,
                        problem);
                // Built before the frame goes: the error response is made from the request body, which views it.
                body = errorBody(decoded, Errors.UNKNOWN_SERVER_ERROR, problem);
            }
            complete(exchange, new DecodedResponse(decoded.api(),
                    new ResponseHeaderData().setCorrelationId(decoded.header().correlationId()),
                    decoded.api().responseHeaderVersion(decoded.apiVersion()), body, decoded.apiVersion()),
                    releases);
        } finally {
            frame.release();
            if (!closed) {
                takeWaiting();
                closeIfDrained();
                updateReading();
            }
        }
    }

    private static ApiMessage errorBody(DecodedRequest decoded, Errors error, String message) {
        return RequestCodec.errorResponse(decoded, decoded.body(), error, message).body();
    }

    /** @param afterWrite what to release once the response has been written; null for nothing */
    private void complete(Exchange exchange, DecodedResponse response, AnswerReleases afterWrite) {
        ByteBuf encoded;
        try {
            encoded = ResponseEncoder.encode(channel.alloc(), response);
        } catch (RuntimeException e) {
            if (afterWrite != null) {
                afterWrite.run();
            }
            close("cannot encode the mesh's " + response.api() + " v" + response.bodyVersion() + " response: " + e);
            return;
        }
        exchange.response = encoded;
        if (afterWrite != null && afterWrite.isEmpty()) {
            afterWrite.run();
        } else {
            exchange.afterWrite = afterWrite;
        }
        writeCompletedResponses();
    }

    private void writeCompletedResponses() {
        boolean wrote = false;
        while (!order.isEmpty() && order.peek().response != null) {
            Exchange exchange = order.poll();
            ByteBuf response = exchange.response;
            settings.metrics().responseSent(exchange.api, response.readableBytes(),
                    System.nanoTime() - exchange.receivedNanos, -1);
            AnswerReleases afterWrite = exchange.afterWrite;
            // A failed write reaches exceptionCaught either way, as it does through the void promise.
            channel.write(response, afterWrite == null ? channel.voidPromise()
                    : channel.newPromise().addListener(written -> afterWrite.run())
                            .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE));
            wrote = true;
        }
        if (wrote && !handlingRead) {
            channel.flush();
        }
    }

    /** Sends what was written while a read was handled. */
    void readComplete() {
        channel.flush();
    }

    // ---- Flow control and lifecycle ----

    /**
     * Reads from the client only while it has fewer requests and request bytes outstanding than allowed and reads its
     * answers. At least one request is always let in, however large, so a client with one big request is not stuck.
     */
    void updateReading() {
        if (closed) {
            return;
        }
        boolean read = !draining && channel.isWritable() && waiting.isEmpty() && !overLimits();
        // Called for every frame: touch the channel's settings only when the answer changes.
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }

    private boolean overLimits() {
        return outstanding >= settings.maxInFlightRequests()
                || outstanding > 0 && outstandingBytes >= settings.maxPendingBytes();
    }

    /** Stops taking requests and closes once every outstanding one is answered. */
    void drain() {
        onLoop(() -> {
            if (!closed) {
                draining = true;
                channel.config().setAutoRead(false);
                closeIfDrained();
            }
        }, () -> { });
    }

    private void closeIfDrained() {
        if (draining && outstanding == 0 && order.isEmpty() && waiting.isEmpty()) {
            close(null);
        }
    }

    /** Closes at once, answered or not, logging {@code reason}. */
    void forceClose(String reason) {
        onLoop(() -> close(reason), () -> { });
    }

    void channelClosed() {
        close(null);
    }

    void failed(Throwable cause) {
        Throwable reason = ChannelFailures.unwrap(cause);
        ChannelFailures.frameErrorReason(reason).ifPresent(settings.metrics()::frameError);
        if (ChannelFailures.isOrdinaryDisconnect(reason)) {
            log.debug("mesh: connection from {} ended: {}", clientAddress, reason.toString());
            close(null);
        } else {
            close(reason.getMessage() != null ? reason.getMessage() : reason.toString());
        }
    }

    /** Closes once, writing out what is queued first. {@code reason} null means an ordinary end. */
    private void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        if (reason != null) {
            log.warn("mesh: closing connection from {}: {}", clientAddress, reason);
        }
        order.forEach(exchange -> {
            if (exchange.response != null) {
                exchange.response.release();
                if (exchange.afterWrite != null) {
                    exchange.afterWrite.run();
                }
            }
        });
        order.clear();
        waiting.forEach(ByteBuf::release);
        waiting.clear();
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        channel.closeFuture().addListener(done -> {
            settings.metrics().connectionClosed(ProxyMetrics.Side.CLIENT);
            runCloseCallbacks();
            onClosed.run();
        });
    }

    private void runCloseCallbacks() {
        closeCallbacksRan = true;
        List<Runnable> callbacks = new ArrayList<>(closeCallbacks);
        closeCallbacks.clear();
        for (Runnable callback : callbacks) {
            try {
                callback.run();
            } catch (RuntimeException e) {
                log.warn("mesh: a close callback of the connection from {} failed", clientAddress, e);
            }
        }
    }

    /** Runs {@code task} on the event loop, at once when already there; {@code ifRejected} when the loop is gone. */
    private void onLoop(Runnable task, Runnable ifRejected) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
            return;
        }
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException shuttingDown) {
            ifRejected.run();
        }
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
        return cause.getMessage() != null ? cause.getClass().getSimpleName() + ": " + cause.getMessage()
                : cause.toString();
    }

    // ---- What handlers see ----

    @Override
    public InetSocketAddress clientAddress() {
        return clientAddress;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public ScheduledExecutorService executor() {
        return channel.eventLoop();
    }

    @Override
    public boolean inExecutor() {
        return channel.eventLoop().inEventLoop();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void onClose(Runnable callback) {
        onLoop(() -> {
            if (closeCallbacksRan) {
                callback.run();
            } else {
                closeCallbacks.add(callback);
            }
        }, callback);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T state(SessionKey<T> key) {
        Object value = state.get(key);
        if (value == null) {
            value = key.create(this);
            state.put(key, value);
        }
        return (T) value;
    }

    /** A request as a handler sees it; its body views {@code frame}. */
    private static final class Request<Q extends ApiMessage> implements MeshRequest<Q> {
        private final DecodedRequest decoded;
        private final ByteBuf frame;
        private final boolean expectsResponse;
        private final AnswerReleases releases;

        Request(DecodedRequest decoded, ByteBuf frame, boolean expectsResponse, AnswerReleases releases) {
            this.decoded = decoded;
            this.frame = frame;
            this.expectsResponse = expectsResponse;
            this.releases = releases;
        }

        @Override
        public ApiKeys api() {
            return decoded.api();
        }

        @Override
        public short apiVersion() {
            return decoded.apiVersion();
        }

        @Override
        public RequestHeaderData header() {
            return decoded.header();
        }

        @Override
        @SuppressWarnings("unchecked")
        public Q body() {
            return (Q) decoded.body();
        }

        @Override
        public boolean expectsResponse() {
            return expectsResponse;
        }

        @Override
        public void releaseAfterAnswer(Runnable release) {
            releases.add(release);
        }

        @Override
        public BodyLease retainBody() {
            frame.retain();
            AtomicBoolean released = new AtomicBoolean();
            return () -> {
                if (released.compareAndSet(false, true)) {
                    frame.release();
                }
            };
        }
    }
}
