package io.kanal.mesh.upstream;

import io.kanal.mesh.api.VersionRange;
import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.MalformedFrameException;
import io.kanal.proxy.protocol.RequestCodec;
import io.kanal.proxy.protocol.ResponseCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connection to one upstream broker that speaks Kafka's framing: requests go out with correlation ids of its own,
 * pipelined, and their answers come back in the order they were sent, as brokers answer. Made by {@link
 * UpstreamConnector#connect}, which has already asked the broker for its API versions.
 *
 * <p>Bounded: at most {@code maxInFlight} requests wait for answers; one more fails at once. A request not answered
 * within its timeout closes the connection, since every later answer on it would come after it, and fails everything
 * outstanding with an {@link UpstreamException}. Safe for use from any thread.
 */
public final class UpstreamConnection {

    private static final Logger log = LoggerFactory.getLogger(UpstreamConnection.class);

    private record Pending(int correlationId, ApiKeys api, short version, CompletableFuture<Answer<?>> answer,
                           ScheduledFuture<?> timeout) {
    }

    /** The answers kafka-clients reads with views of their frame: record batches, zero-copy bytes. */
    private static final Set<ApiKeys> READ_IN_PLACE = EnumSet.of(ApiKeys.FETCH, ApiKeys.SHARE_FETCH,
            ApiKeys.FETCH_SNAPSHOT, ApiKeys.ENVELOPE);

    private final Channel channel;
    private final BrokerAddress broker;
    private final String clientId;
    private final int maxInFlight;
    private final AtomicInteger nextCorrelationId = new AtomicInteger();
    /** Touched on the channel's event loop only. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private volatile Map<ApiKeys, VersionRange> versions = Map.of();
    private volatile String closedBecause;

    UpstreamConnection(Channel channel, BrokerAddress broker, String clientId, int maxInFlight) {
        this.channel = channel;
        this.broker = broker;
        this.clientId = clientId;
        this.maxInFlight = maxInFlight;
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object frame) {
                onFrame((ByteBuf) frame);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                failAll(closedBecause != null ? closedBecause : "the broker closed the connection");
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                fail(cause.getMessage() != null ? cause.getMessage() : cause.toString());
            }
        });
    }

    /** The broker this connects to. */
    public BrokerAddress broker() {
        return broker;
    }

    /** Whether requests can still be sent. */
    public boolean isOpen() {
        return closedBecause == null && channel.isActive();
    }

    /** The versions of {@code api} the broker said it supports, or empty when it does not support it. */
    public Optional<VersionRange> versions(ApiKeys api) {
        return Optional.ofNullable(versions.get(api));
    }

    /** Every API the broker said it supports, with its versions. */
    public Map<ApiKeys, VersionRange> allVersions() {
        return versions;
    }

    /**
     * Sends {@code body} as {@code api} at {@code version}. The body is encoded before this returns, so a body that
     * views a client's request bytes need only live until then.
     *
     * @param timeout how long the answer may take; past it the connection closes
     * @return the decoded answer, which the caller releases when it is a Fetch answer (see {@link Answer}); fails
     *         with {@link UpstreamException} when the broker cannot answer it
     */
    @SuppressWarnings("unchecked")
    public <R extends ApiMessage> CompletionStage<Answer<R>> send(ApiKeys api, short version, ApiMessage body,
                                                                Duration timeout) {
        CompletableFuture<Answer<?>> answer = new CompletableFuture<>();
        int correlationId = nextCorrelationId.getAndIncrement() & Integer.MAX_VALUE;
        RequestHeaderData header = new RequestHeaderData()
                .setRequestApiKey(api.id)
                .setRequestApiVersion(version)
                .setClientId(clientId)
                .setCorrelationId(correlationId);
        ByteBuf frame;
        try {
            frame = RequestCodec.encode(channel.alloc(), header, api.requestHeaderVersion(version), body, version);
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
            return (CompletionStage<Answer<R>>) (CompletionStage<?>) answer;
        }
        Runnable write = () -> write(frame, new Pending(correlationId, api, version, answer,
                channel.eventLoop().schedule(() -> timedOut(correlationId, api, timeout), timeout.toMillis(),
                        TimeUnit.MILLISECONDS)));
        if (channel.eventLoop().inEventLoop()) {
            write.run();
        } else {
            try {
                channel.eventLoop().execute(write);
            } catch (RejectedExecutionException shuttingDown) {
                frame.release();
                answer.completeExceptionally(new UpstreamException("the connection to " + broker + " is closed"));
            }
        }
        return (CompletionStage<Answer<R>>) (CompletionStage<?>) answer;
    }

    private void write(ByteBuf frame, Pending request) {
        String refusal = closedBecause != null ? "the connection to " + broker + " is closed: " + closedBecause
                : pending.size() >= maxInFlight ? maxInFlight + " requests to " + broker + " await answers already"
                : null;
        if (refusal != null) {
            frame.release();
            request.timeout().cancel(false);
            request.answer().completeExceptionally(new UpstreamException(refusal));
            return;
        }
        pending.add(request);
        channel.writeAndFlush(frame).addListener(written -> {
            if (!written.isSuccess()) {
                fail("cannot write to it: " + written.cause());
            }
        });
    }

    private void onFrame(ByteBuf frame) {
        boolean handedOn = false;
        try {
            handedOn = answer(frame);
        } finally {
            if (!handedOn) {
                frame.release();
            }
        }
    }

    /** Completes the request {@code frame} answers; true when the answer took the frame over. */
    private boolean answer(ByteBuf frame) {
        Pending request = pending.poll();
        if (request == null) {
            fail("it sent a response nothing asked for");
            return false;
        }
        request.timeout().cancel(false);
        DecodedResponse response;
        try {
            response = ResponseCodec.decode(frame, request.api(), request.version());
        } catch (MalformedFrameException e) {
            request.answer().completeExceptionally(new UpstreamException(broker + " sent a " + request.api()
                    + " response the mesh cannot read", e));
            fail("it sent an unreadable response");
            return false;
        }
        if (response.header().correlationId() != request.correlationId()) {
            request.answer().completeExceptionally(new UpstreamException(broker + " answered out of order"));
            fail("it answered correlation id " + response.header().correlationId() + " where "
                    + request.correlationId() + " was next");
            return false;
        }
        if (!READ_IN_PLACE.contains(request.api())) {
            request.answer().complete(new Answer<>(request.version(), response.body()));
            return false;
        }
        return request.answer().complete(new Answer<>(request.version(), response.body(), frame));
    }

    private void timedOut(int correlationId, ApiKeys api, Duration timeout) {
        if (pending.stream().anyMatch(request -> request.correlationId() == correlationId)) {
            fail(api + " went unanswered for " + timeout.toMillis() + " ms");
        }
    }

    /** Closes the connection, failing whatever waits for an answer; calling it again does nothing. */
    public void close() {
        shut("closed by the mesh");
    }

    /** Closes the connection because of something wrong with it, which is worth a warning. */
    private void fail(String reason) {
        if (closedBecause == null) {
            log.warn("mesh: closing the connection to {}: {}", broker, reason);
        }
        shut(reason);
    }

    private void shut(String reason) {
        if (closedBecause == null) {
            closedBecause = reason;
        }
        channel.close();
        if (channel.eventLoop().inEventLoop()) {
            failAll(reason);
        }
    }

    private void failAll(String reason) {
        if (closedBecause == null) {
            closedBecause = reason;
        }
        Pending request;
        while ((request = pending.poll()) != null) {
            request.timeout().cancel(false);
            request.answer().completeExceptionally(new UpstreamException("no answer from " + broker + ": " + reason));
        }
    }

    /** Reads the broker's ApiVersions answer into this connection's versions. */
    void learnVersions(ApiVersionsResponseData answer) {
        if (answer.errorCode() != Errors.NONE.code() && answer.errorCode() != Errors.UNSUPPORTED_VERSION.code()) {
            throw new UpstreamException(broker + " refused ApiVersions: " + Errors.forCode(answer.errorCode()));
        }
        Map<ApiKeys, VersionRange> learned = new EnumMap<>(ApiKeys.class);
        for (ApiVersionsResponseData.ApiVersion version : answer.apiKeys()) {
            if (ApiKeys.hasId(version.apiKey()) && version.minVersion() >= 0
                    && version.maxVersion() >= version.minVersion()) {
                learned.put(ApiKeys.forId(version.apiKey()), new VersionRange(version.minVersion(),
                        version.maxVersion()));
            }
        }
        versions = Collections.unmodifiableMap(learned);
    }

    @Override
    public String toString() {
        return "connection to " + broker;
    }
}
