package io.kanal.proxy.server;

import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.connection.ConnectionSettings;
import io.kanal.proxy.filter.FilterChain;
import io.kanal.proxy.metrics.ProxyMetrics;
import io.kanal.proxy.net.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running proxy: every virtual cluster's listeners, the connections they accepted, and the event loops that serve
 * them. Start one with {@link #start(ProxyConfig)}; {@link #close()} shuts it down gracefully.
 */
public final class ProxyServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    /**
     * Requests one client may have outstanding before the proxy stops reading from it. Brokers work through a
     * connection's requests one at a time, so this only bounds memory; it never limits a well-behaved client.
     */
    static final int MAX_IN_FLIGHT_REQUESTS = 512;
    /** Pending bytes at which a channel stops taking writes, and at which it takes them again. */
    static final WriteBufferWaterMark WRITE_BUFFER_WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private final ProxyConfig config;
    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup workerGroup;
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final Map<String, VirtualClusterEndpoint> endpoints = new LinkedHashMap<>();
    private boolean closed;

    private ProxyServer(ProxyConfig config, Transport transport) {
        this.config = config;
        this.acceptGroup = transport.newEventLoopGroup(1);
        this.workerGroup = transport.newEventLoopGroup(0);
    }

    /**
     * Binds every virtual cluster's bootstrap port and starts serving. Broker ports open as the brokers appear in
     * responses.
     *
     * @throws ProxyStartException naming the virtual cluster and address that could not be bound; nothing is left
     *                             running
     */
    public static ProxyServer start(ProxyConfig config) {
        return start(config, new SimpleMeterRegistry());
    }

    /**
     * Binds every virtual cluster's bootstrap port and starts serving, recording the proxy's metrics in
     * {@code meterRegistry}.
     *
     * @throws ProxyStartException naming the virtual cluster and address that could not be bound; nothing is left
     *                             running
     */
    public static ProxyServer start(ProxyConfig config, MeterRegistry meterRegistry) {
        Transport transport = Transport.best();
        ProxyServer server = new ProxyServer(config, transport);
        try {
            Listeners listeners = new Listeners(server.acceptGroup, server.workerGroup, server.registry);
            for (VirtualClusterConfig cluster : config.virtualClusters()) {
                FilterChain filters = new FilterChain(cluster.name(), cluster.filters(), meterRegistry,
                        config.filterTimeout());
                ProxyMetrics metrics = new ProxyMetrics(meterRegistry, cluster.name());
                VirtualClusterEndpoint endpoint = VirtualClusterEndpoint.open(cluster, listeners,
                        transformer -> new ConnectionSettings(cluster.name(), transport, config.maxFrameBytes(),
                                config.connectTimeout(), WRITE_BUFFER_WATER_MARK, MAX_IN_FLIGHT_REQUESTS,
                                transformer, filters, metrics));
                server.endpoints.put(cluster.name(), endpoint);
                log.info("virtual cluster '{}' listening on {} in front of {} ({} transport)", cluster.name(),
                        endpoint.bootstrapAddress(), cluster.targetBootstrapServers(), transport.name());
            }
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The bound bootstrap address of a virtual cluster; the real port when port 0 was configured. */
    public InetSocketAddress bootstrapAddress(String virtualCluster) {
        VirtualClusterEndpoint endpoint = endpoints.get(virtualCluster);
        if (endpoint == null) {
            throw new IllegalArgumentException("no virtual cluster named '" + virtualCluster + "'");
        }
        return endpoint.bootstrapAddress();
    }

    /**
     * Stops accepting connections, lets outstanding requests finish for up to the configured grace period, then
     * closes every connection and stops the event loops. Calling it again does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<RuntimeException> failures = new ArrayList<>();
        endpoints.values().forEach(endpoint -> {
            try {
                endpoint.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        });
        try {
            int open = registry.size();
            int forced = registry.drain(config.shutdownGrace());
            log.info("stopped accepting; {} connections finished, {} closed with requests outstanding",
                    open - forced, forced);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long graceMillis = config.shutdownGrace().toMillis();
        acceptGroup.shutdownGracefully(0, graceMillis, TimeUnit.MILLISECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, graceMillis, TimeUnit.MILLISECONDS).syncUninterruptibly();
        failures.forEach(e -> log.warn("while closing listeners: {}", e.getMessage()));
    }
}
