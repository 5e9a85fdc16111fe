package io.kanal.proxy.server;

import io.kanal.proxy.address.BrokerAddressMap;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.connection.ConnectionSettings;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Port-per-broker addressing for one virtual cluster: broker N is advertised at the advertised host and port
 * bootstrap + 1 + (N - first node id), and that port opens the first time a response names broker N. Connections to
 * it go to wherever the cluster last said broker N is.
 */
final class BrokerListeners implements BrokerAddressMap {

    private static final Logger log = LoggerFactory.getLogger(BrokerListeners.class);

    private final VirtualClusterConfig config;
    private final Listeners listeners;
    private volatile ConnectionSettings settings;
    private volatile int bootstrapPort;
    private final Map<Integer, HostPort> brokerAddresses = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<Channel>> brokerPorts = new ConcurrentHashMap<>();
    private final Set<Integer> reportedOutOfRange = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    BrokerListeners(VirtualClusterConfig config, Listeners listeners) {
        this.config = config;
        this.listeners = listeners;
    }

    /**
     * Completes the wiring once the bootstrap port is bound: the connection settings refer to this object through
     * their response transformer, so they cannot be passed to the constructor. Called before any client is accepted.
     */
    void open(ConnectionSettings settings, int bootstrapPort) {
        this.settings = settings;
        this.bootstrapPort = bootstrapPort;
    }

    @Override
    public HostPort advertise(int nodeId, HostPort upstream) {
        if (!config.nodeIds().contains(nodeId)) {
            if (reportedOutOfRange.add(nodeId)) {
                log.error("{}: broker {} is outside the node-id range {}-{}; clients cannot reach it through the proxy",
                        config.name(), nodeId, config.nodeIds().first(), config.nodeIds().last());
            }
            return null;
        }
        HostPort previous = brokerAddresses.put(nodeId, upstream);
        if (previous != null && !previous.equals(upstream)) {
            log.info("{}: broker {} moved from {} to {}", config.name(), nodeId, previous, upstream);
        }
        int port = config.brokerPort(bootstrapPort, nodeId);
        if (!closed) {
            CompletableFuture<Channel> bound = brokerPorts.computeIfAbsent(nodeId, id -> bind(id, port));
            // Registered outside computeIfAbsent: a bind that already failed runs this at once, and removing from
            // inside the mapping function would be a recursive update.
            bound.whenComplete((channel, failure) -> {
                if (failure != null) {
                    brokerPorts.remove(nodeId, bound);
                }
            });
        }
        return new HostPort(config.advertisedHost(), port);
    }

    /** Completes when the ports of these brokers listen, or failed to; never exceptionally. */
    CompletableFuture<Void> listening(Collection<Integer> nodeIds) {
        CompletableFuture<?>[] binds = nodeIds.stream()
                .map(brokerPorts::get)
                .filter(future -> future != null && !future.isDone())
                .map(future -> future.handle((channel, failure) -> null))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(binds);
    }

    /** The real address of a broker, as the cluster last described it. */
    HostPort brokerAddress(int nodeId) {
        return brokerAddresses.get(nodeId);
    }

    private CompletableFuture<Channel> bind(int nodeId, int port) {
        InetSocketAddress address = new InetSocketAddress(config.bootstrap().host(), port);
        CompletableFuture<Channel> bound = listeners.listen(address, settings,
                () -> attempt -> attempt == 0 ? brokerAddresses.get(nodeId) : null);
        bound.thenAccept(Listeners::accept);
        bound.whenComplete((channel, failure) -> {
            if (failure != null) {
                log.error("{}: cannot listen for broker {} on {}: {}; the next response naming it tries again",
                        config.name(), nodeId, address, failure.getMessage());
            } else if (closed) {
                channel.close();
            } else {
                log.info("{}: broker {} listening on {}", config.name(), nodeId, channel.localAddress());
            }
        });
        return bound;
    }

    /** Stops accepting on every broker port. */
    void close() {
        closed = true;
        // A bind still in progress closes its own channel when it sees the flag.
        brokerPorts.values().stream()
                .filter(future -> future.isDone() && !future.isCompletedExceptionally())
                .map(CompletableFuture::join)
                .forEach(channel -> channel.close().syncUninterruptibly());
    }
}
