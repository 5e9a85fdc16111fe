package io.kanal.filter.testkit;

import io.kanal.proxy.filter.ConnectionInfo;
import io.kanal.proxy.filter.FilteredConnection;
import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The harness's client connection as the filter engine sees it: one event-loop thread, and a broker that answers the
 * filters' own requests with the test's answers. Like the proxy's connection it sends a filter's request at once when
 * asked on its event loop, and fails the ones still waiting for an answer when it closes.
 */
final class HarnessConnection implements FilteredConnection {

    /** The proxy's own requests count their correlation ids down from here, clear of the client's. */
    private static final int FIRST_OUT_OF_BAND_CORRELATION_ID = -1;

    private final ConnectionInfo info;
    private final Function<OutOfBandRequest, CompletionStage<ApiMessage>> broker;
    private final List<OutOfBandRequest> sent = new CopyOnWriteArrayList<>();
    private final HarnessEventLoop loop = new HarnessEventLoop();
    /** Filters' requests the broker has not answered yet; touched on the event loop only. */
    private final Set<CompletableFuture<ApiMessage>> awaitingBroker = new HashSet<>();
    private volatile String closeReason;
    private int nextOutOfBandCorrelationId = FIRST_OUT_OF_BAND_CORRELATION_ID;

    HarnessConnection(ConnectionInfo info, Function<OutOfBandRequest, CompletionStage<ApiMessage>> broker) {
        this.info = info;
        this.broker = broker;
    }

    @Override
    public ConnectionInfo info() {
        return info;
    }

    @Override
    public ScheduledExecutorService executor() {
        return loop;
    }

    @Override
    public boolean inExecutor() {
        return loop.inLoop();
    }

    @Override
    public boolean isClosed() {
        return closeReason != null;
    }

    /** Why the connection closed, or {@code null} while it is open. */
    String closeReason() {
        return closeReason;
    }

    @Override
    public CompletionStage<ApiMessage> sendOutOfBand(ApiKeys api, short version, ApiMessage request) {
        CompletableFuture<ApiMessage> result = new CompletableFuture<>();
        Runnable send = () -> send(api, version, request, result);
        if (inExecutor()) {
            send.run();
        } else {
            try {
                loop.execute(send);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(new IllegalStateException("the harness is closed"));
            }
        }
        return result;
    }

    private void send(ApiKeys api, short version, ApiMessage request, CompletableFuture<ApiMessage> result) {
        if (isClosed()) {
            result.completeExceptionally(new IllegalStateException("the connection is closed"));
            return;
        }
        OutOfBandRequest read;
        try {
            RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
                    .setCorrelationId(nextOutOfBandCorrelationId--).setClientId("kanal");
            ByteBuf frame = Wire.writeRequest(header, api.requestHeaderVersion(version), request, version);
            read = new OutOfBandRequest(api, version, Wire.readRequest(frame).body());
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        sent.add(read);
        awaitingBroker.add(result);
        CompletionStage<ApiMessage> answer;
        try {
            answer = broker.apply(read);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, failure) -> {
            try {
                loop.execute(() -> {
                    if (!awaitingBroker.remove(result)) {
                        return;
                    }
                    if (failure != null) {
                        result.completeExceptionally(failure);
                    } else {
                        result.complete(response);
                    }
                });
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(new IllegalStateException("the harness is closed"));
            }
        });
    }

    /** The filters' own requests so far, as the broker read them. */
    List<OutOfBandRequest> sent() {
        return List.copyOf(sent);
    }

    /** Closes the connection for {@code reason}, on the event loop: filters' requests still waiting fail. */
    void close(String reason) {
        if (closeReason != null) {
            return;
        }
        closeReason = reason;
        List<CompletableFuture<ApiMessage>> waiting = new ArrayList<>(awaitingBroker);
        awaitingBroker.clear();
        waiting.forEach(result -> result.completeExceptionally(new IllegalStateException("the connection closed: "
                + reason)));
    }

    /** Stops the event loop, waiting briefly for the task it runs. */
    void shutdown() throws InterruptedException {
        if (closeReason == null) {
            closeReason = "the harness closed";
        }
        loop.shutdownNow();
        loop.awaitTermination(5, TimeUnit.SECONDS);
    }
}
