package io.kanal.proxy.server;

import io.kanal.proxy.address.BrokerAddressMap;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.connection.ConnectionSettings;
import io.kanal.proxy.connection.UpstreamSelector;
import io.netty.channel.Channel;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * How clients of one virtual cluster reach each broker through the proxy: the address advertised for a broker in
 * responses, and how a client connection finds the broker it is meant for. Two schemes exist: a port per broker
 * ({@link BrokerListeners}) and one TLS port with a host name per broker, told apart by SNI ({@link SniRouting}).
 *
 * <p>{@link #advertise} also records where each broker really is, so that connections for it can be forwarded there.
 */
interface AddressScheme extends BrokerAddressMap {

    /**
     * Completes the wiring once the bootstrap port is bound; the connection settings refer to this scheme through
     * their response transformer, so they cannot be passed to the constructor. Called before any client is accepted.
     */
    void open(ConnectionSettings settings, int bootstrapPort);

    /**
     * The upstream selector of a connection accepted on the bootstrap port.
     *
     * @param bootstrapServers spreads connections over the target's bootstrap servers
     */
    UpstreamSelector bootstrapPortConnection(Channel channel, Supplier<UpstreamSelector> bootstrapServers);

    /** Completes when clients can connect to these brokers' advertised addresses; never exceptionally. */
    CompletableFuture<Void> listening(Collection<Integer> nodeIds);

    /** The brokers responses have named so far, by node id, with their real addresses. */
    Map<Integer, HostPort> knownBrokers();

    /**
     * Takes over what an earlier endpoint of this virtual cluster, in front of the same target cluster, learned of its
     * brokers. Called before {@link #open}.
     */
    void learn(Map<Integer, HostPort> brokers);

    /**
     * Makes every broker known so far reachable, for clients that learned its address before this endpoint listened.
     *
     * @return completes when they are, or failed to be (logged); never exceptionally
     */
    CompletableFuture<Void> listenForKnownBrokers();

    /** Stops accepting connections for brokers on addresses other than the bootstrap port. */
    void close();

    /** Undoes {@link #close()}: a reconfiguration that has to be rolled back calls this, then {@link #listenForKnownBrokers()}. */
    void reopen();

    /** For the log line that says where the virtual cluster listens: how brokers are addressed. */
    String describe();
}
