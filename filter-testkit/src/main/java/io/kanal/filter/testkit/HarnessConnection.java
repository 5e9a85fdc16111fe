package io.kanal.filter.testkit;

import io.kanal.proxy.filter.ConnectionInfo;
import io.kanal.proxy.filter.FilteredConnection;
import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * The harness's client connection as the filter engine sees it: one event-loop thread, and a broker that answers
 * the filters' own requests with the test's answers.
 */
final class HarnessConnection implements FilteredConnection, AutoCloseable {

    /** The proxy's own requests count their correlation ids down from here, clear of the client's. */
    private static final int FIRST_OUT_OF_BAND_CORRELATION_ID = -1;

    private final ConnectionInfo info;
    private final Function<OutOfBandRequest, CompletableFuture<ApiMessage>> broker;
    private final List<OutOfBandRequest> sent = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService loop;
    private volatile Thread loopThread;
    private volatile boolean closed;
    private int nextOutOfBandCorrelationId = FIRST_OUT_OF_BAND_CORRELATION_ID;

    HarnessConnection(ConnectionInfo info, Function<OutOfBandRequest, CompletableFuture<ApiMessage>> broker) {
        this.info = info;
        this.broker = broker;
        this.loop = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "kanal-filter-harness");
            thread.setDaemon(true);
            loopThread = thread;
            return thread;
        });
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
        return Thread.currentThread() == loopThread;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public CompletionStage<ApiMessage> sendOutOfBand(ApiKeys api, short version, ApiMessage request) {
        CompletableFuture<ApiMessage> result = new CompletableFuture<>();
        loop.execute(() -> {
            OutOfBandRequest read;
            try {
                RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id)
                        .setRequestApiVersion(version).setCorrelationId(nextOutOfBandCorrelationId--)
                        .setClientId("kanal");
                ByteBuf frame = Wire.request(header, api.requestHeaderVersion(version), request, version);
                read = new OutOfBandRequest(api, version, Wire.decode(frame).body());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            sent.add(read);
            broker.apply(read).whenComplete((response, failure) -> loop.execute(() -> {
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(response);
                }
            }));
        });
        return result;
    }

    List<OutOfBandRequest> sent() {
        return List.copyOf(sent);
    }

    @Override
    public void close() {
        closed = true;
        loop.shutdownNow();
    }
}
