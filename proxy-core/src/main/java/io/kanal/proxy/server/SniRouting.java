package io.kanal.proxy.server;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.SniConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.connection.ConnectionSettings;
import io.kanal.proxy.connection.UpstreamSelector;
import io.kanal.proxy.tls.DownstreamTls;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * SNI addressing for one virtual cluster: every broker is advertised under a host name of its own
 * ({@link SniConfig#brokerHostOf}) on one port, and a client connection on the bootstrap port goes to the broker its
 * TLS handshake asked for by name, or to the bootstrap servers for the bootstrap name. Names that are neither never
 * get this far: {@link DownstreamTls} refuses them during the handshake.
 */
final class SniRouting implements AddressScheme {

    private static final Logger log = LoggerFactory.getLogger(SniRouting.class);

    private final VirtualClusterConfig config;
    private final SniConfig names;
    private final KnownBrokers brokers;
    private volatile int advertisedPort;

    SniRouting(VirtualClusterConfig config) {
        this.config = config;
        this.names = config.sni().orElseThrow();
        this.brokers = new KnownBrokers(config.name());
    }

    @Override
    public void open(ConnectionSettings settings, int bootstrapPort) {
        advertisedPort = names.advertisedPort().orElse(bootstrapPort);
    }

    @Override
    public HostPort advertise(int nodeId, HostPort upstream) {
        brokers.record(nodeId, upstream);
        return new HostPort(names.brokerHostOf(nodeId), advertisedPort);
    }

    @Override
    public UpstreamSelector bootstrapPortConnection(Channel channel, Supplier<UpstreamSelector> bootstrapServers) {
        // Asked once the handshake is done, when the name is known.
        return new UpstreamSelector() {
            private UpstreamSelector route;

            @Override
            public HostPort upstream(int attempt) {
                if (route == null) {
                    route = route(channel, bootstrapServers);
                }
                return route.upstream(attempt);
            }
        };
    }

    private UpstreamSelector route(Channel channel, Supplier<UpstreamSelector> bootstrapServers) {
        String hostname = DownstreamTls.sniHostname(channel).orElse("");
        if (names.isBootstrap(hostname)) {
            return bootstrapServers.get();
        }
        OptionalInt nodeId = names.brokerNodeId(hostname);
        HostPort broker = nodeId.isPresent() ? brokers.get(nodeId.getAsInt()) : null;
        if (broker == null) {
            log.info("{}: client {} asked for '{}', a broker no response has named yet; closing it, so that it asks "
                    + "for metadata again", config.name(), channel.remoteAddress(), hostname);
        }
        return attempt -> attempt == 0 ? broker : null;
    }

    /** Every broker name is served on the one port, which listens already. */
    @Override
    public CompletableFuture<Void> listening(Collection<Integer> nodeIds) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Map<Integer, HostPort> knownBrokers() {
        return brokers.snapshot();
    }

    @Override
    public void learn(Map<Integer, HostPort> known) {
        brokers.learn(known, nodeId -> true);
    }

    @Override
    public CompletableFuture<Void> listenForKnownBrokers() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
        // No listener of its own: the bootstrap port is the endpoint's.
    }

    @Override
    public void reopen() {
        // As close().
    }

    @Override
    public String describe() {
        return "SNI routing: '" + names.bootstrapHost() + "' and '" + names.brokerHost() + "' on port "
                + advertisedPort;
    }
}
