package io.kanal.proxy.server;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.connection.ConnectionSettings;
import io.kanal.proxy.connection.ResponseTransformer;
import io.kanal.proxy.connection.UpstreamSelector;
import io.netty.channel.Channel;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/** One virtual cluster at run time: its bootstrap port and its broker ports. */
final class VirtualClusterEndpoint {

    private final Channel bootstrapChannel;
    private final BrokerListeners brokers;

    private VirtualClusterEndpoint(Channel bootstrapChannel, BrokerListeners brokers) {
        this.bootstrapChannel = bootstrapChannel;
        this.brokers = brokers;
    }

    /**
     * Binds the bootstrap port and starts accepting; broker ports open later, as responses name brokers.
     *
     * @param settingsFor this virtual cluster's connection settings, given the response transformer to use
     * @throws ProxyStartException when the bootstrap address cannot be bound
     */
    static VirtualClusterEndpoint open(VirtualClusterConfig config, Listeners listeners,
                                       Function<ResponseTransformer, ConnectionSettings> settingsFor) {
        BrokerListeners brokers = new BrokerListeners(config, listeners);
        ConnectionSettings settings = settingsFor.apply(new AddressRewritingTransformer(brokers));
        HostPort bind = config.bootstrap();
        Channel channel;
        try {
            channel = listeners.listen(new InetSocketAddress(bind.host(), bind.port()), settings,
                    bootstrapSelector(config.targetBootstrapServers())).join();
        } catch (CompletionException e) {
            throw new ProxyStartException("virtual cluster '" + config.name() + "': cannot listen on " + bind + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
        brokers.open(settings, ((InetSocketAddress) channel.localAddress()).getPort());
        Listeners.accept(channel);
        return new VirtualClusterEndpoint(channel, brokers);
    }

    /** Spreads new connections over the target's bootstrap servers, moving on to the next when one fails. */
    private static Supplier<UpstreamSelector> bootstrapSelector(List<HostPort> targets) {
        AtomicInteger rotation = new AtomicInteger();
        return () -> {
            int first = rotation.getAndIncrement();
            return attempt -> attempt < targets.size() ? targets.get(Math.floorMod(first + attempt, targets.size())) : null;
        };
    }

    InetSocketAddress bootstrapAddress() {
        return (InetSocketAddress) bootstrapChannel.localAddress();
    }

    void close() {
        bootstrapChannel.close().syncUninterruptibly();
        brokers.close();
    }
}
