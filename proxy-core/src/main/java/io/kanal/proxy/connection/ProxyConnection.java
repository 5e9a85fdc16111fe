package io.kanal.proxy.connection;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.filter.ConnectionInfo;
import io.kanal.proxy.filter.FilterChain;
import io.kanal.proxy.filter.FilteredConnection;
import io.kanal.proxy.filter.RequestOutcome;
import io.kanal.proxy.filter.ResponseOutcome;
import io.kanal.proxy.frame.KafkaFrameDecoder;
import io.kanal.proxy.metrics.ProxyMetrics;
import io.kanal.proxy.net.ChannelFailures;
import io.kanal.proxy.net.OffLoopResolverGroup;
import io.kanal.proxy.protocol.DecodedRequest;
import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.LocalResponses;
import io.kanal.proxy.protocol.MalformedFrameException;
import io.kanal.proxy.protocol.RequestCodec;
import io.kanal.proxy.protocol.RequestFrame;
import io.kanal.proxy.protocol.ResponseCodec;
import io.kanal.proxy.sasl.UpstreamSaslHandler;
import io.kanal.proxy.tls.TlsErrors;
import io.kanal.proxy.tls.TlsEstablished;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One client connection and the broker connection that serves it.
 *
 * <p>Both channels run on the client channel's event loop, so this class needs no locks. Requests reach the broker in
 * the order they arrived, also while filters work on one of them ({@link #requestQueue}); each request that expects an
 * answer takes a place in {@link #responseOrder}, and responses are written to the client strictly in that order.
 * Reading stops on one side while the other cannot take more, and while too many requests are outstanding, so memory
 * per connection stays bounded whichever side is slow.
 */
public final class ProxyConnection implements FilteredConnection {

    private static final Logger log = LoggerFactory.getLogger(ProxyConnection.class);
    /** The client id the proxy's own requests carry, so broker logs tell them apart. */
    private static final String OUT_OF_BAND_CLIENT_ID = "kanal";
    private static final AdaptiveRecvByteBufAllocator UPSTREAM_READS =
            new AdaptiveRecvByteBufAllocator(512, 16 * 1024, 1024 * 1024);

    private final ConnectionSettings settings;
    private final Channel downstream;
    private final UpstreamSelector upstreamSelector;
    private final Runnable onClosed;
    private final ClientConnectionInfo info;
    private final ArrayDeque<InboundRequest> requestQueue = new ArrayDeque<>();
    private final ArrayDeque<PendingResponse> responseOrder = new ArrayDeque<>();
    private final ArrayDeque<PendingResponse> awaitingBroker = new ArrayDeque<>();
    private final ArrayDeque<FilterWork> requestPasses = new ArrayDeque<>();
    private final ArrayDeque<FilterWork> responsePasses = new ArrayDeque<>();
    private FilterWork runningRequestPass;
    private FilterWork runningResponsePass;
    /** The response going to the client as its bytes arrive, see {@link #startStreaming}; null when none is. */
    private PendingResponse streaming;
    private int streamingBytes;
    /** The rest of {@link #streaming} is being spliced; the splice, not {@link #updateReading}, reads the broker. */
    private boolean splicing;
    /** Both sockets are epoll's and neither side speaks TLS, so streamed responses can be spliced. */
    private boolean spliceable;
    private Channel upstream;
    private HostPort upstreamAddress;
    /** The proxy's own correlation ids count down from -1, away from the ones clients use. */
    private int nextOutOfBandCorrelationId = -1;
    private boolean clientIdKnown;
    /**
     * True while a read from either side is handled: what it writes is flushed by that read's end. Work that
     * completes later, in a task of its own, flushes for itself.
     */
    private boolean handlingRead;
    private boolean draining;
    /**
     * The client hung up while filters still held some of its requests. A broker processes every request it has
     * received whole, so those are still forwarded; their answers have nowhere to go.
     */
    private boolean clientGone;
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
        this.info = new ClientConnectionInfo(settings.virtualCluster(), (InetSocketAddress) downstream.remoteAddress());
        // Counted from the accept, not from start(): a TLS client that fails its handshake is never started.
        metrics().connectionOpened(ProxyMetrics.Side.CLIENT);
    }

    /** Connects to the broker; the client is read from once that connection stands. */
    void start() {
        connect(0);
    }

    /** The client completed its TLS handshake; called before {@link #start()}. */
    void tlsEstablished(TlsEstablished established) {
        info.tlsSession(established.session());
        established.principal().ifPresent(info::principal);
    }

    private void connect(int attempt) {
        HostPort target = upstreamSelector.upstream(attempt);
        if (target == null) {
            close(attempt == 0 ? "no broker address known for this port" : "no broker could be reached");
            return;
        }
        // Known from here on, for what goes wrong before the connection is ready (TLS, the login).
        upstreamAddress = target;
        UpstreamSaslHandler login = settings.sasl().upstream().map(credentials ->
                new UpstreamSaslHandler(credentials, target, settings.connectTimeout(), metrics())).orElse(null);
        Bootstrap bootstrap = new Bootstrap()
                .group(downstream.eventLoop())
                .channel(settings.transport().socketChannelClass())
                .resolver(OffLoopResolverGroup.INSTANCE)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.AUTO_READ, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, settings.writeBufferWaterMark())
                // Reads of up to 1 MiB (Netty's default stops at 64 KiB): a large Fetch response then passes through
                // in a few reads and writes instead of dozens, each a wake-up and two system calls. Reading stops
                // while the client cannot take more, so this is also about what one connection holds at most.
                .option(ChannelOption.RCVBUF_ALLOCATOR, UPSTREAM_READS)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        settings.upstreamTls().ifPresent(tls ->
                                channel.pipeline().addLast(tls.newHandler(channel.alloc(), target)));
                        // No request of the client's is sent before the login ends, so nothing is streamed
                        // while the login handler still reads whole frames.
                        channel.pipeline().addLast(new ResponseFrameDecoder(settings.maxFrameBytes(),
                                ProxyConnection.this::startStreaming));
                        if (login != null) {
                            channel.pipeline().addLast(login);
                        }
                        channel.pipeline().addLast(new UpstreamHandler(ProxyConnection.this));
                    }
                });
        bootstrap.connect(target.toSocketAddress()).addListener((ChannelFuture future) -> {
            if (closed) {
                future.channel().close();
            } else if (future.isSuccess() && login == null) {
                upstreamReady(future.channel(), target);
            } else if (future.isSuccess()) {
                login.loggedIn().whenComplete((done, failure) -> {
                    if (failure == null && !closed) {
                        upstreamReady(future.channel(), target);
                    } else {
                        // A refused login was logged by the login handler, once for many connections; any other
                        // failure (TLS, a broken frame) by this connection as it closed.
                        future.channel().close();
                        close(null);
                    }
                });
            } else {
                log.warn("{}: cannot connect to broker {} for client {}: {}", settings.virtualCluster(), target,
                        downstream.remoteAddress(), future.cause().getMessage());
                connect(attempt + 1);
            }
        });
    }

    /** The broker connection stands, logged in where the virtual cluster says so: the client is read from now. */
    private void upstreamReady(Channel channel, HostPort target) {
        upstream = channel;
        spliceable = upstream instanceof AbstractEpollStreamChannel && downstream instanceof AbstractEpollStreamChannel
                && settings.upstreamTls().isEmpty() && settings.downstreamTls().isEmpty();
        metrics().connectionOpened(ProxyMetrics.Side.BROKER);
        upstream.closeFuture().addListener(done -> metrics().connectionClosed(ProxyMetrics.Side.BROKER));
        log.debug("{}: {} connected to broker {}", settings.virtualCluster(), downstream.remoteAddress(), target);
        updateReading();
    }

    /** The proxy authenticated the client as {@code principal}, such as {@code User:alice}; filters see it from now. */
    public void authenticated(String principal) {
        info.principal(principal);
    }

    // ---- Requests, client to broker ----

    void onRequest(ByteBuf frame) {
        handlingRead = true;
        try {
            handleRequest(frame);
        } finally {
            handlingRead = false;
        }
    }

    private void handleRequest(ByteBuf frame) {
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
            if (!clientIdKnown) {
                info.clientId(request.clientId());
                clientIdKnown = true;
            }
        } catch (MalformedFrameException e) {
            frame.release();
            metrics().frameError("malformed_request");
            close("malformed request: " + e.getMessage());
            return;
        }
        metrics().requestReceived(request.api(), frame.readableBytes());
        if (!request.versionKnown() && answeredUnknownVersion(request)) {
            return;
        }
        PendingResponse pending = null;
        if (expectsResponse) {
            pending = PendingResponse.fromClient(request.api(), request.apiVersion(), request.correlationId());
            responseOrder.add(pending);
        }
        FilterChain filters = settings.filters();
        if (request.versionKnown() && filters.wantsRequest(request.api())) {
            filter(request, pending, expectsResponse);
        } else if (requestQueue.isEmpty()) {
            forward(frame, pending);
        } else {
            requestQueue.add(new InboundRequest(frame, pending));
        }
        updateReading();
    }

    private void filter(RequestFrame request, PendingResponse pending, boolean expectsResponse) {
        DecodedRequest decoded;
        try {
            decoded = RequestCodec.decode(request);
        } catch (MalformedFrameException e) {
            request.frame().release();
            metrics().frameError("malformed_request");
            close("malformed request: " + e.getMessage());
            return;
        }
        InboundRequest inbound = new InboundRequest(request.frame(), pending, decoded);
        requestQueue.add(inbound);
        // The request queue owns the frame; the pass only reads it.
        requestPasses.add(new FilterWork(() -> settings.filters().onRequest(this, decoded, expectsResponse, outcome -> {
            runningRequestPass = null;
            inbound.resolve(outcome);
            startNextRequestPass();
            sendReadyRequests();
        }), null));
        startNextRequestPass();
    }

    private void startNextRequestPass() {
        if (runningRequestPass == null && !closed && !requestPasses.isEmpty()) {
            runningRequestPass = requestPasses.poll();
            runningRequestPass.start();
        }
    }

    /** Sends, in arrival order, every request at the head of the queue whose filters are done with it. */
    private void sendReadyRequests() {
        while (!closed && !requestQueue.isEmpty() && requestQueue.peek().isReady()) {
            InboundRequest inbound = requestQueue.poll();
            RequestOutcome outcome = inbound.outcome();
            if (outcome == null) {
                forward(inbound.frame, inbound.pending);
                continue;
            }
            switch (outcome.kind()) {
                case FORWARD_ORIGINAL -> {
                    if (inbound.pending != null) {
                        inbound.pending.interceptors = outcome.interceptors();
                    }
                    forward(inbound.frame, inbound.pending);
                }
                case FORWARD_CHANGED -> forwardChanged(inbound, outcome);
                case RESPOND -> {
                    inbound.release();
                    respondLocally(inbound.pending, outcome.response());
                }
                case DROP -> inbound.release();
                case CLOSE -> {
                    inbound.release();
                    close(outcome.reason());
                }
            }
        }
        if (closed) {
            return;
        }
        flushUnlessReading(upstream);
        if (clientGone && requestQueue.isEmpty()) {
            upstream.flush();
            close(null);
        } else if (draining && responseOrder.isEmpty() && requestQueue.isEmpty()) {
            close(null);
        } else {
            updateReading();
        }
    }

    private void forwardChanged(InboundRequest inbound, RequestOutcome outcome) {
        DecodedRequest decoded = inbound.decoded;
        ByteBuf encoded;
        try {
            encoded = RequestCodec.encode(downstream.alloc(), decoded.header(), decoded.headerVersion(),
                    outcome.request(), decoded.apiVersion());
        } catch (RuntimeException e) {
            // What decodes but cannot be written back (unknown tagged fields out of order) is unusable input.
            metrics().frameError("malformed_request");
            close(CloseReasons.unencodableRequest(decoded.api(), e));
            return;
        } finally {
            inbound.release();
        }
        if (inbound.pending != null) {
            inbound.pending.interceptors = outcome.interceptors();
        }
        forward(encoded, inbound.pending);
    }

    private void respondLocally(PendingResponse pending, DecodedResponse response) {
        ByteBuf encoded;
        try {
            encoded = ResponseCodec.encode(downstream.alloc(), response);
        } catch (RuntimeException e) {
            close(CloseReasons.unencodableAnswer(response.api(), e));
            return;
        }
        pending.complete(encoded);
        writeCompletedResponses();
        flushUnlessReading(downstream);
    }

    private void forward(ByteBuf frame, PendingResponse pending) {
        if (pending != null) {
            pending.forwarded();
            awaitingBroker.add(pending);
        }
        upstream.write(frame, upstream.voidPromise());
    }

    /**
     * Deals with a request in a version this proxy's kafka-clients does not know: one too new, or one it dropped
     * (Produce v0-2). Most such requests can still be forwarded for the broker to judge; this returns {@code true}
     * when it has answered or refused the request instead.
     */
    private boolean answeredUnknownVersion(RequestFrame request) {
        if (request.api() == ApiKeys.API_VERSIONS) {
            request.frame().release();
            PendingResponse pending = PendingResponse.fromClient(request.api(), (short) 0, request.correlationId());
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
            metrics().frameError("unsupported_version");
            close(request + " is newer than this proxy can rewrite");
            return true;
        }
        return false;
    }

    // ---- Requests of the proxy's own ----

    @Override
    public CompletionStage<ApiMessage> sendOutOfBand(ApiKeys api, short version, ApiMessage request) {
        CompletableFuture<ApiMessage> result = new CompletableFuture<>();
        Runnable send = () -> {
            if (closed || upstream == null) {
                result.completeExceptionally(new IllegalStateException("the connection is closed"));
                return;
            }
            int correlationId = nextOutOfBandCorrelationId--;
            RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
                    .setCorrelationId(correlationId).setClientId(OUT_OF_BAND_CLIENT_ID);
            ByteBuf frame;
            try {
                frame = RequestCodec.encode(downstream.alloc(), header, api.requestHeaderVersion(version), request,
                        version);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            PendingResponse pending = PendingResponse.outOfBand(api, version, correlationId, result);
            pending.forwarded();
            awaitingBroker.add(pending);
            upstream.writeAndFlush(frame, upstream.voidPromise());
        };
        if (inExecutor()) {
            send.run();
        } else {
            try {
                downstream.eventLoop().execute(send);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(new IllegalStateException("the proxy is shutting down"));
            }
        }
        return result;
    }

    private void completeOutOfBand(PendingResponse pending, ByteBuf frame) {
        // The filter may keep the body after this frame's buffer is reused: decode from a copy of its own.
        ByteBuf copy = Unpooled.wrappedBuffer(ByteBufUtil.getBytes(frame));
        frame.release();
        try {
            pending.outOfBand.complete(ResponseCodec.decode(copy, pending.api, pending.apiVersion).body());
        } catch (MalformedFrameException e) {
            pending.outOfBand.completeExceptionally(e);
        }
    }

    // ---- Responses, broker to client ----

    void onResponse(ByteBuf frame) {
        handlingRead = true;
        try {
            handleResponse(frame);
        } finally {
            handlingRead = false;
        }
    }

    private void handleResponse(ByteBuf frame) {
        if (closed) {
            frame.release();
            return;
        }
        if (frame.readableBytes() < KafkaFrameDecoder.SIZE_PREFIX_BYTES + 4) {
            frame.release();
            metrics().frameError("malformed_response");
            close("broker " + upstreamAddress + " sent a response too short for a header");
            return;
        }
        int correlationId = frame.getInt(frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX_BYTES);
        PendingResponse pending = awaitingBroker.poll();
        if (pending == null || pending.correlationId != correlationId) {
            frame.release();
            metrics().frameError("unexpected_correlation_id");
            close("broker " + upstreamAddress + " answered correlation id " + correlationId + " but "
                    + (pending == null ? "no request was outstanding" : "correlation id " + pending.correlationId
                    + " was next"));
            return;
        }
        pending.answered();
        if (pending.outOfBand != null) {
            completeOutOfBand(pending, frame);
            return;
        }
        ResponseTransformer transformer = settings.responseTransformer();
        boolean rewrite = transformer.wants(pending.api, pending.apiVersion);
        boolean filter = settings.filters().wantsResponse(pending.api) || pending.interceptors != null;
        if (!rewrite && !filter) {
            pending.complete(frame);
            writeCompletedResponses();
            return;
        }
        DecodedResponse decoded;
        try {
            decoded = ResponseCodec.decode(frame, pending.api, pending.apiVersion);
        } catch (MalformedFrameException e) {
            frame.release();
            metrics().frameError("malformed_response");
            close("broker " + upstreamAddress + " sent a malformed response: " + e.getMessage());
            return;
        }
        CompletableFuture<Boolean> rewritten;
        if (!rewrite) {
            rewritten = CompletableFuture.completedFuture(false);
        } else {
            try {
                rewritten = transformer.transform(decoded).toCompletableFuture();
            } catch (RuntimeException e) {
                rewritten = CompletableFuture.failedFuture(e);
            }
        }
        if (rewritten.isDone()) {
            // The common case: nothing to wait for, so the response goes out with this read's flush.
            afterRewrite(pending, frame, decoded, rewritten, filter);
        } else {
            CompletableFuture<Boolean> later = rewritten;
            later.whenComplete((changed, failure) -> runOnLoop(frame,
                    () -> afterRewrite(pending, frame, decoded, later, filter)));
        }
    }

    /**
     * How the response with {@code correlationId}, of which only the first bytes have arrived, goes to the client. It
     * goes on as it arrives when nobody reads it (no rewriting, no filter, not the proxy's own) and it is the next
     * answer the client is owed, so nothing has to overtake it; its rest is spliced from socket to socket where both
     * sockets allow it (epoll, no TLS), so those bytes never pass through the proxy's memory.
     */
    ResponseFrameDecoder.Passage startStreaming(int correlationId, int frameBytes) {
        PendingResponse pending = awaitingBroker.peek();
        if (closed || clientGone || pending == null || pending.correlationId != correlationId
                || pending.outOfBand != null || pending.interceptors != null || responseOrder.peek() != pending
                || settings.responseTransformer().wants(pending.api, pending.apiVersion)
                || settings.filters().wantsResponse(pending.api)) {
            return ResponseFrameDecoder.Passage.WHOLE;
        }
        awaitingBroker.poll();
        streaming = pending;
        streamingBytes = frameBytes;
        return spliceable ? ResponseFrameDecoder.Passage.SPLICED : ResponseFrameDecoder.Passage.STREAMED;
    }

    /**
     * Moves the rest of the streamed response, {@code bytes} still in the broker's socket, to the client's socket
     * through a pipe. Until it is done nothing else is read from the broker, and the splice itself, not {@link
     * #updateReading}, pauses the broker side while the client side is full.
     */
    void spliceRest(int bytes) {
        if (closed || streaming == null) {
            return;
        }
        splicing = true;
        ((AbstractEpollStreamChannel) upstream).spliceTo((AbstractEpollStreamChannel) downstream, bytes)
                .addListener(done -> {
                    splicing = false;
                    if (closed) {
                        return;
                    }
                    if (!done.isSuccess()) {
                        close("cannot pass a response on to the client: " + done.cause());
                        return;
                    }
                    finishStreamed();
                    flushUnlessReading(downstream);
                });
    }

    /** Ends the response being streamed: the next answers may follow it. */
    private void finishStreamed() {
        PendingResponse done = responseOrder.poll();
        streaming = null;
        // The broker's answer is complete only now; its time is measured to here, as for a response read whole.
        done.answered();
        if (!clientGone) {
            metrics().responseSent(done.api, streamingBytes, System.nanoTime() - done.receivedNanos,
                    done.upstreamNanos);
        }
        writeCompletedResponses();
    }

    void onResponsePart(ByteBuf part, boolean last) {
        if (closed || streaming == null) {
            part.release();
            return;
        }
        if (clientGone) {
            part.release();
        } else {
            // Flushed at once rather than at the end of the read: one read can bring a MiB or more, and the client
            // should be receiving the first bytes while the proxy reads the rest.
            downstream.writeAndFlush(part, downstream.voidPromise());
        }
        if (last) {
            finishStreamed();
        }
    }

    private void afterRewrite(PendingResponse pending, ByteBuf frame, DecodedResponse decoded,
                              CompletableFuture<Boolean> rewritten, boolean filter) {
        if (closed) {
            frame.release();
            return;
        }
        boolean changed;
        try {
            changed = rewritten.join();
        } catch (CompletionException | CancellationException e) {
            frame.release();
            close("cannot rewrite " + pending.api + " response: " + e.getCause());
            return;
        }
        if (!filter) {
            finishResponse(pending, frame, decoded, changed ? decoded.body() : null);
            flushUnlessReading(downstream);
            return;
        }
        responsePasses.add(new FilterWork(() -> settings.filters().onResponse(this, decoded, pending.interceptors,
                outcome -> {
                    runningResponsePass = null;
                    if (closed) {
                        // close() released the frame with the pass.
                        return;
                    }
                    if (outcome.kind() == ResponseOutcome.Kind.CLOSE) {
                        frame.release();
                        close(outcome.reason());
                        return;
                    }
                    ApiMessage body = outcome.kind() == ResponseOutcome.Kind.CHANGED ? outcome.response()
                            : changed ? decoded.body() : null;
                    finishResponse(pending, frame, decoded, body);
                    flushUnlessReading(downstream);
                    startNextResponsePass();
                }), frame));
        startNextResponsePass();
    }

    private void startNextResponsePass() {
        if (runningResponsePass == null && !closed && !responsePasses.isEmpty()) {
            runningResponsePass = responsePasses.poll();
            runningResponsePass.start();
        }
    }

    /** Completes a decoded response: with the bytes that arrived when {@code changedBody} is null. */
    private void finishResponse(PendingResponse pending, ByteBuf frame, DecodedResponse decoded,
                                ApiMessage changedBody) {
        if (closed) {
            frame.release();
            return;
        }
        if (changedBody == null) {
            pending.complete(frame);
        } else {
            ByteBuf encoded;
            try {
                encoded = ResponseCodec.encode(downstream.alloc(), decoded.withBody(changedBody));
            } catch (RuntimeException e) {
                metrics().frameError("malformed_response");
                close(CloseReasons.unencodableResponse(pending.api, e));
                return;
            } finally {
                frame.release();
            }
            pending.complete(encoded);
        }
        writeCompletedResponses();
    }

    private void writeCompletedResponses() {
        while (!responseOrder.isEmpty() && responseOrder.peek().isComplete()) {
            PendingResponse pending = responseOrder.poll();
            ByteBuf frame = pending.takeResponse();
            if (clientGone) {
                frame.release();
                continue;
            }
            metrics().responseSent(pending.api, frame.readableBytes(), System.nanoTime() - pending.receivedNanos,
                    pending.upstreamNanos);
            downstream.write(frame, downstream.voidPromise());
        }
        if (draining && responseOrder.isEmpty() && requestQueue.isEmpty()) {
            close(null);
        }
        updateReading();
    }

    private void runOnLoop(ByteBuf frame, Runnable task) {
        try {
            downstream.eventLoop().execute(task);
        } catch (RejectedExecutionException shuttingDown) {
            frame.release();
        }
    }

    // ---- Flow control and lifecycle ----

    private void flushUnlessReading(Channel channel) {
        if (!handlingRead && !closed) {
            channel.flush();
        }
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
        if (closed || clientGone || upstream == null) {
            return;
        }
        boolean readClient = !draining && upstream.isWritable()
                && responseOrder.size() + requestQueue.size() < settings.maxInFlightRequests();
        // Called for every frame: touch the channels' settings only when the answer changes.
        if (downstream.config().isAutoRead() != readClient) {
            downstream.config().setAutoRead(readClient);
        }
        boolean readBroker = downstream.isWritable();
        if (!splicing && upstream.config().isAutoRead() != readBroker) {
            upstream.config().setAutoRead(readBroker);
        }
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
        if (responseOrder.isEmpty() && requestQueue.isEmpty()) {
            close(null);
        }
    }

    /** Closes both sides at once, answered or not. */
    public void forceClose() {
        forceClose("proxy shutting down");
    }

    /** Closes both sides at once, answered or not, logging {@code reason}. */
    public void forceClose(String reason) {
        downstream.eventLoop().execute(() -> close(reason));
    }

    /** The settings this connection was accepted with: which listener generation of which virtual cluster. */
    public ConnectionSettings settings() {
        return settings;
    }

    void downstreamClosed() {
        if (!closed && !requestQueue.isEmpty() && upstream != null && upstream.isActive()) {
            clientGone = true;
            log.debug("{}: {} hung up with {} requests still in filters; forwarding them first",
                    settings.virtualCluster(), downstream.remoteAddress(), requestQueue.size());
            return;
        }
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
        failed("client", cause);
    }

    void upstreamFailed(Throwable cause) {
        failed("broker " + upstreamAddress, cause);
    }

    private void failed(String side, Throwable cause) {
        Throwable reason = ChannelFailures.unwrap(cause);
        ChannelFailures.frameErrorReason(reason).ifPresent(metrics()::frameError);
        if (ChannelFailures.isOrdinaryDisconnect(reason)) {
            log.debug("{}: connection from {} ended: {}: {}", settings.virtualCluster(), downstream.remoteAddress(),
                    side, reason.toString());
            close(null);
        } else {
            String message = reason instanceof SSLException tls ? TlsErrors.describe(tls)
                    : reason.getMessage() != null ? reason.getMessage() : reason.toString();
            close(side + ": " + message);
        }
    }

    /** Closes both sides once, writing out what is already queued first. {@code reason} null means a normal end. */
    private void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        if (reason != null) {
            log.warn("{}: closing connection from {}: {}", settings.virtualCluster(), downstream.remoteAddress(), reason);
        }
        if (runningResponsePass != null) {
            runningResponsePass.abandon();
        }
        responsePasses.forEach(FilterWork::abandon);
        responsePasses.clear();
        requestPasses.clear();
        requestQueue.forEach(InboundRequest::release);
        requestQueue.clear();
        responseOrder.forEach(PendingResponse::release);
        responseOrder.clear();
        awaitingBroker.stream().filter(pending -> pending.outOfBand != null).forEach(pending ->
                pending.outOfBand.completeExceptionally(new IllegalStateException("the connection closed")));
        awaitingBroker.clear();
        downstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        if (upstream != null) {
            upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        downstream.closeFuture().addListener(done -> {
            metrics().connectionClosed(ProxyMetrics.Side.CLIENT);
            if (upstream == null) {
                onClosed.run();
            } else {
                upstream.closeFuture().addListener(upstreamDone -> onClosed.run());
            }
        });
    }

    private ProxyMetrics metrics() {
        return settings.metrics();
    }

    // ---- What filters see of this connection ----

    @Override
    public ConnectionInfo info() {
        return info;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public ScheduledExecutorService executor() {
        return downstream.eventLoop();
    }

    @Override
    public boolean inExecutor() {
        return downstream.eventLoop().inEventLoop();
    }
}
