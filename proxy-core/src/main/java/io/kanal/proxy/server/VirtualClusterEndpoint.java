package io.kanal.proxy.server;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.connection.ConnectionSettings;
import io.kanal.proxy.connection.ResponseTransformer;
import io.kanal.proxy.connection.UpstreamSelector;
import io.netty.channel.Channel;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One virtual cluster at run time: its bootstrap port, how brokers are reached beyond it (a port each, or host names
 * on the bootstrap port: its {@link AddressScheme}), and the settings every connection they accept shares. A
 * reconfiguration that changes the virtual cluster makes a new endpoint and retires this one: the connections it
 * accepted keep its settings until they close.
 */
final class VirtualClusterEndpoint {

    /** How long {@link #listen()} waits for the ports of brokers known in advance; binding a local port is quick. */
    private static final long KNOWN_BROKERS_WAIT_SECONDS = 5;

    private final VirtualClusterConfig config;
    private final Listeners listeners;
    private final AddressScheme addressing;
    private final ConnectionSettings settings;
    private final Function<Channel, UpstreamSelector> bootstrapSelectors;
    /** The address the bootstrap port was first bound to, so that listening again takes the same port. */
    private InetSocketAddress boundAddress;
    /** The bootstrap port's channel while it listens; {@code null} before and after. */
    private Channel bootstrapChannel;

    private VirtualClusterEndpoint(VirtualClusterConfig config, Listeners listeners,
                                   Function<ResponseTransformer, ConnectionSettings> settingsFor) {
        this.config = config;
        this.listeners = listeners;
        this.addressing = config.sni().isPresent() ? new SniRouting(config) : new BrokerListeners(config, listeners);
        this.settings = settingsFor.apply(new AddressRewritingTransformer(addressing));
        Supplier<UpstreamSelector> bootstrapServers = bootstrapSelector(config.targetBootstrapServers());
        this.bootstrapSelectors = channel -> addressing.bootstrapPortConnection(channel, bootstrapServers);
    }

    /**
     * Binds the bootstrap port and starts accepting; broker ports open later, as responses name brokers.
     *
     * @param settingsFor this virtual cluster's connection settings, given the response transformer to use
     * @throws ProxyStartException when the bootstrap address cannot be bound
     */
    static VirtualClusterEndpoint open(VirtualClusterConfig config, Listeners listeners,
                                       Function<ResponseTransformer, ConnectionSettings> settingsFor) {
        VirtualClusterEndpoint endpoint = prepare(config, listeners, settingsFor);
        endpoint.listen();
        return endpoint;
    }

    /** An endpoint that does not listen yet: see {@link #listen()}. */
    static VirtualClusterEndpoint prepare(VirtualClusterConfig config, Listeners listeners,
                                          Function<ResponseTransformer, ConnectionSettings> settingsFor) {
        return new VirtualClusterEndpoint(config, listeners, settingsFor);
    }

    /**
     * Binds the bootstrap port (the one bound before, when this endpoint listened already) and starts accepting, then
     * opens the ports of the brokers known so far. Does nothing while it listens.
     *
     * @throws ProxyStartException when the bootstrap address cannot be bound; the endpoint then does not listen
     */
    void listen() {
        if (bootstrapChannel != null) {
            return;
        }
        HostPort bind = config.bootstrap();
        InetSocketAddress address = boundAddress != null ? boundAddress : new InetSocketAddress(bind.host(), bind.port());
        Channel channel;
        try {
            channel = listeners.listen(address, settings, bootstrapSelectors).join();
        } catch (CompletionException e) {
            throw new ProxyStartException("virtual cluster '" + config.name() + "': cannot listen on " + bind + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
        boolean first = boundAddress == null;
        boundAddress = (InetSocketAddress) channel.localAddress();
        bootstrapChannel = channel;
        if (first) {
            addressing.open(settings, boundAddress.getPort());
        } else {
            addressing.reopen();
        }
        Listeners.accept(channel);
        try {
            addressing.listenForKnownBrokers().get(KNOWN_BROKERS_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Each failed or slow bind is logged, and tried again when a response names its broker.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Spreads new connections over the target's bootstrap servers, moving on to the next when one fails. */
    private static Supplier<UpstreamSelector> bootstrapSelector(List<HostPort> targets) {
        AtomicInteger rotation = new AtomicInteger();
        return () -> {
            int first = rotation.getAndIncrement();
            return attempt -> attempt < targets.size() ? targets.get(Math.floorMod(first + attempt, targets.size())) : null;
        };
    }

    VirtualClusterConfig config() {
        return config;
    }

    /** What every connection this endpoint accepts shares; identifies them among all connections. */
    ConnectionSettings settings() {
        return settings;
    }

    /** The brokers responses have named so far, with their real addresses. */
    Map<Integer, HostPort> knownBrokers() {
        return addressing.knownBrokers();
    }

    /** Takes over brokers an earlier endpoint of the same virtual cluster knew; before {@link #listen()}. */
    void learnBrokers(Map<Integer, HostPort> known) {
        addressing.learn(known);
    }

    /** How brokers are addressed, for logs. */
    String describeAddressing() {
        return addressing.describe();
    }

    /** The bound bootstrap address: the real port when port 0 was configured; {@code null} before it listened. */
    InetSocketAddress bootstrapAddress() {
        return boundAddress;
    }

    /**
     * Stops accepting on the bootstrap port and every broker port; connections already accepted are not touched.
     * {@link #listen()} opens them again.
     */
    void close() {
        Channel channel = bootstrapChannel;
        bootstrapChannel = null;
        try {
            if (channel != null) {
                channel.close().syncUninterruptibly();
            }
        } finally {
            addressing.close();
        }
    }
}
