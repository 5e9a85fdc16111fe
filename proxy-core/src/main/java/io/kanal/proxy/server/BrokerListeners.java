package io.kanal.proxy.server;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.connection.ConnectionSettings;
import io.kanal.proxy.connection.UpstreamSelector;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Port-per-broker addressing for one virtual cluster: broker N is advertised at the advertised host and port
 * bootstrap + 1 + (N - first node id), and that port opens the first time a response names broker N. Connections to
 * it go to wherever the cluster last said broker N is.
 */
final class BrokerListeners implements AddressScheme {

    private static final Logger log = LoggerFactory.getLogger(BrokerListeners.class);

    private final VirtualClusterConfig config;
    private final Listeners listeners;
    private volatile ConnectionSettings settings;
    private volatile int bootstrapPort;
    private final KnownBrokers brokerAddresses;
    private final Map<Integer, CompletableFuture<Channel>> brokerPorts = new ConcurrentHashMap<>();
    private final Set<Integer> reportedOutOfRange = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** Counts {@link #reopen()}s, so that a bind begun before a close and finishing after a reopen closes itself. */
    private volatile int generation;

    BrokerListeners(VirtualClusterConfig config, Listeners listeners) {
        this.config = config;
        this.listeners = listeners;
        this.brokerAddresses = new KnownBrokers(config.name());
    }

    @Override
    public void open(ConnectionSettings settings, int bootstrapPort) {
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
        brokerAddresses.record(nodeId, upstream);
        int port = config.brokerPort(bootstrapPort, nodeId);
        listen(nodeId, port);
        return new HostPort(config.advertisedHost(), port);
    }

    /** Binds broker {@code nodeId}'s port unless it listens, or is being bound, already. */
    private CompletableFuture<Channel> listen(int nodeId, int port) {
        if (closed) {
            return null;
        }
        CompletableFuture<Channel> bound = brokerPorts.computeIfAbsent(nodeId, id -> bind(id, port));
        // Registered outside computeIfAbsent: a bind that already failed runs this at once, and removing from
        // inside the mapping function would be a recursive update.
        bound.whenComplete((channel, failure) -> {
            if (failure != null) {
                brokerPorts.remove(nodeId, bound);
            }
        });
        return bound;
    }

    /** Brokers outside this endpoint's node-id range are left out. */
    @Override
    public void learn(Map<Integer, HostPort> brokers) {
        brokerAddresses.learn(brokers, config.nodeIds()::contains);
    }

    @Override
    public Map<Integer, HostPort> knownBrokers() {
        return brokerAddresses.snapshot();
    }

    /**
     * Opens the port of every broker known so far: clients that learned these ports from an earlier endpoint (or
     * before {@link #close()}) reconnect to them without asking for metadata first.
     */
    @Override
    public CompletableFuture<Void> listenForKnownBrokers() {
        brokerAddresses.nodeIds().forEach(nodeId -> listen(nodeId, config.brokerPort(bootstrapPort, nodeId)));
        return listening(brokerAddresses.nodeIds());
    }

    /** The bootstrap port forwards to the bootstrap servers, whatever the client asks for. */
    @Override
    public UpstreamSelector bootstrapPortConnection(Channel channel, Supplier<UpstreamSelector> bootstrapServers) {
        return bootstrapServers.get();
    }

    /** Completes when the ports of these brokers listen, or failed to. */
    @Override
    public CompletableFuture<Void> listening(Collection<Integer> nodeIds) {
        CompletableFuture<?>[] binds = nodeIds.stream()
                .map(brokerPorts::get)
                .filter(future -> future != null && !future.isDone())
                .map(future -> future.handle((channel, failure) -> null))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(binds);
    }

    private CompletableFuture<Channel> bind(int nodeId, int port) {
        int bindGeneration = generation;
        InetSocketAddress address = new InetSocketAddress(config.bootstrap().host(), port);
        CompletableFuture<Channel> bound = listeners.listen(address, settings,
                channel -> attempt -> attempt == 0 ? brokerAddresses.get(nodeId) : null);
        bound.thenAccept(Listeners::accept);
        bound.whenComplete((channel, failure) -> {
            if (failure != null) {
                log.error("{}: cannot listen for broker {} on {}: {}; the next response naming it tries again",
                        config.name(), nodeId, address, failure.getMessage());
            } else if (closed || generation != bindGeneration) {
                channel.close();
            } else {
                log.info("{}: broker {} listening on {}", config.name(), nodeId, channel.localAddress());
            }
        });
        return bound;
    }

    /** Stops accepting on every broker port. */
    @Override
    public void close() {
        closed = true;
        // A bind still in progress closes its own channel when it sees the flag.
        brokerPorts.values().stream()
                .filter(future -> future.isDone() && !future.isCompletedExceptionally())
                .map(CompletableFuture::join)
                .forEach(channel -> channel.close().syncUninterruptibly());
        brokerPorts.clear();
    }

    /** Undoes {@link #close()}: ports open again as responses name brokers. */
    @Override
    public void reopen() {
        generation++;
        closed = false;
    }

    @Override
    public String describe() {
        if (bootstrapPort == 0) {
            return "a port per broker";
        }
        return "broker ports " + config.brokerPort(bootstrapPort, config.nodeIds().first()) + "-"
                + config.brokerPort(bootstrapPort, config.nodeIds().last()) + " for node ids "
                + config.nodeIds().first() + "-" + config.nodeIds().last();
    }
}
