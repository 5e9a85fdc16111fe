package io.kanal.proxy.limits;

import io.kanal.proxy.metrics.ProxyMetrics;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the client connections of one proxy process, in total and per client IP address, and turns away those that
 * would exceed a limit. One instance serves every listener of the process, so the limits hold over all virtual
 * clusters and all their ports together. A connection counts from the moment it is admitted until its channel has
 * closed.
 */
public final class ConnectionLimiter {

    /** Metric reason when the total limit is reached. */
    public static final String MAX_CONNECTIONS = "max_connections";
    /** Metric reason when the limit for the client's address is reached. */
    public static final String MAX_CONNECTIONS_PER_IP = "max_connections_per_ip";

    private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);
    /** A flood of refused connections writes one line per this interval, with a count of what it left out. */
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

    private final int maxConnections;
    private final int maxConnectionsPerIp;
    private final AtomicInteger open = new AtomicInteger();
    /** Open connections per client address; an address is removed when its last connection closes. */
    private final ConcurrentHashMap<InetAddress, Integer> openPerAddress = new ConcurrentHashMap<>();
    private final RateLimitedLog refusals;

    public ConnectionLimiter(int maxConnections, int maxConnectionsPerIp) {
        this(maxConnections, maxConnectionsPerIp, new RateLimitedLog(log, LOG_INTERVAL));
    }

    ConnectionLimiter(int maxConnections, int maxConnectionsPerIp, RateLimitedLog refusals) {
        if (maxConnections < 1 || maxConnectionsPerIp < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1");
        }
        this.maxConnections = maxConnections;
        this.maxConnectionsPerIp = maxConnectionsPerIp;
        this.refusals = refusals;
    }

    /**
     * Admits a newly accepted client connection, or closes it when a limit is reached. An admitted connection is
     * counted until its channel closes.
     *
     * @param virtualCluster the listener's virtual cluster, for the log line
     * @param metrics        where a refusal is counted
     * @return whether the connection may be served; when {@code false} it is already being closed
     */
    public boolean admit(Channel channel, String virtualCluster, ProxyMetrics metrics) {
        InetAddress address = addressOf(channel.remoteAddress());
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            refuse(channel, virtualCluster, metrics, MAX_CONNECTIONS,
                    "the proxy has " + maxConnections + " client connections open (network.maxConnections)");
            return false;
        }
        if (address != null && !claimAddress(address)) {
            open.decrementAndGet();
            refuse(channel, virtualCluster, metrics, MAX_CONNECTIONS_PER_IP, address.getHostAddress() + " has "
                    + maxConnectionsPerIp + " connections open (network.maxConnectionsPerIp)");
            return false;
        }
        channel.closeFuture().addListener(closed -> {
            open.decrementAndGet();
            if (address != null) {
                openPerAddress.computeIfPresent(address, (key, count) -> count == 1 ? null : count - 1);
            }
        });
        return true;
    }

    private boolean claimAddress(InetAddress address) {
        boolean[] claimed = new boolean[1];
        openPerAddress.compute(address, (key, count) -> {
            int current = count == null ? 0 : count;
            if (current >= maxConnectionsPerIp) {
                return count;
            }
            claimed[0] = true;
            return current + 1;
        });
        return claimed[0];
    }

    private void refuse(Channel channel, String virtualCluster, ProxyMetrics metrics, String reason, String why) {
        metrics.connectionRejected(reason);
        refusals.warn("{}: refused connection from {}: {}", virtualCluster, channel.remoteAddress(), why);
        channel.close();
    }

    private static InetAddress addressOf(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
