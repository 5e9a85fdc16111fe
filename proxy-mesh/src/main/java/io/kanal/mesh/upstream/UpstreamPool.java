package io.kanal.mesh.upstream;

import io.kanal.mesh.api.VersionRange;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The upstream connections of one user: one per broker, opened when first needed and kept until {@link #close}.
 * Each client session of the mesh has a pool of its own, so a broker, which serves one request of a connection at a
 * time, never makes one client's requests wait behind another's (a long-polling fetch, a rebalancing JoinGroup), and
 * the requests a client sends to one broker reach it in the client's order.
 *
 * <p>A broker that could not be reached is not tried again for {@link #RECONNECT_BACKOFF}; requests to it fail at once
 * meanwhile. Safe for use from any thread.
 */
public final class UpstreamPool implements AutoCloseable {

    /** How long a broker that could not be reached is left alone. */
    public static final Duration RECONNECT_BACKOFF = Duration.ofSeconds(1);

    private final UpstreamConnector connector;
    private final String clientId;
    private final BiConsumer<BrokerAddress, Map<ApiKeys, VersionRange>> onConnected;
    private final Map<BrokerAddress, CompletableFuture<UpstreamConnection>> connections = new HashMap<>();
    private final Map<BrokerAddress, Long> unreachableUntil = new HashMap<>();
    private boolean closed;

    /**
     * @param clientId    the client id upstream requests carry
     * @param onConnected told of each new connection's broker and the API versions it supports
     */
    public UpstreamPool(UpstreamConnector connector, String clientId,
                        BiConsumer<BrokerAddress, Map<ApiKeys, VersionRange>> onConnected) {
        this.connector = connector;
        this.clientId = clientId;
        this.onConnected = onConnected;
    }

    /**
     * Sends {@code body} to {@code broker} in the newest version both {@code maxVersion} and the broker allow.
     *
     * @return the answer, which the caller releases when it is a Fetch answer (see {@link Answer}); fails with
     *         {@link UpstreamException} when the broker cannot be asked, and with {@link UnsupportedVersionException}
     *         when it supports no version of {@code api} at or below {@code maxVersion}
     */
    public <R extends ApiMessage> CompletionStage<Answer<R>> send(BrokerAddress broker, ApiKeys api, short maxVersion,
                                                                  ApiMessage body, Duration timeout) {
        return send(broker, api, maxVersion, version -> body, timeout);
    }

    /**
     * Sends the body {@code body} makes for the version chosen, for requests whose content depends on it (a field a
     * broker's older version cannot carry). The body is made and encoded once the connection is open.
     */
    public <R extends ApiMessage> CompletionStage<Answer<R>> send(BrokerAddress broker, ApiKeys api, short maxVersion,
                                                                  Function<Short, ApiMessage> body, Duration timeout) {
        CompletionStage<UpstreamConnection> connection = connection(broker);
        CompletableFuture<UpstreamConnection> ready = connection.toCompletableFuture();
        if (ready.isDone() && !ready.isCompletedExceptionally()) {
            return sendOn(ready.join(), api, maxVersion, body, timeout);
        }
        return connection.thenCompose(open -> sendOn(open, api, maxVersion, body, timeout));
    }

    private <R extends ApiMessage> CompletionStage<Answer<R>> sendOn(UpstreamConnection connection, ApiKeys api,
                                                                     short maxVersion,
                                                                     Function<Short, ApiMessage> body,
                                                                     Duration timeout) {
        Optional<VersionRange> supported = connection.versions(api);
        if (supported.isEmpty() || supported.get().min() > maxVersion) {
            return CompletableFuture.failedFuture(new UnsupportedVersionException(connection.broker() + " supports "
                    + api + " " + supported.map(VersionRange::toString).orElse("in no version")
                    + ", the mesh needs at most v" + maxVersion));
        }
        short version = (short) Math.min(maxVersion, supported.get().max());
        ApiMessage made;
        try {
            made = body.apply(version);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return connection.send(api, version, made, timeout);
    }

    /** The open connection to {@code broker}, connecting first when there is none. */
    public synchronized CompletionStage<UpstreamConnection> connection(BrokerAddress broker) {
        if (closed) {
            return CompletableFuture.failedFuture(new UpstreamException("the client's session has closed"));
        }
        CompletableFuture<UpstreamConnection> existing = connections.get(broker);
        if (existing != null && (!existing.isDone() || !existing.isCompletedExceptionally()
                && existing.join().isOpen())) {
            return existing;
        }
        Long until = unreachableUntil.get(broker);
        if (until != null && System.nanoTime() - until < 0 && existing != null) {
            return existing;
        }
        unreachableUntil.remove(broker);
        CompletableFuture<UpstreamConnection> connecting = new CompletableFuture<>();
        connections.put(broker, connecting);
        connector.connect(broker, clientId).whenComplete((connection, failure) -> {
            boolean keep;
            synchronized (this) {
                keep = !closed;
                if (failure != null && keep) {
                    unreachableUntil.put(broker, System.nanoTime() + RECONNECT_BACKOFF.toNanos());
                }
            }
            if (failure != null) {
                connecting.completeExceptionally(failure);
                return;
            }
            if (!keep) {
                connection.close();
                connecting.completeExceptionally(new UpstreamException("the client's session has closed"));
                return;
            }
            onConnected.accept(broker, connection.allVersions());
            connecting.complete(connection);
        });
        return connecting;
    }

    /** Closes every connection; requests waiting for answers fail. */
    @Override
    public void close() {
        List<CompletableFuture<UpstreamConnection>> open;
        synchronized (this) {
            closed = true;
            open = new ArrayList<>(connections.values());
            connections.clear();
        }
        for (CompletableFuture<UpstreamConnection> connection : open) {
            connection.thenAccept(UpstreamConnection::close);
        }
    }
}
