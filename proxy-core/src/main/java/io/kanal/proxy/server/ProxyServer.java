package io.kanal.proxy.server;

import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.connection.ConnectionSettings;
import io.kanal.proxy.filter.FilterChain;
import io.kanal.proxy.metrics.ProxyMetrics;
import io.kanal.proxy.net.Transport;
import io.kanal.proxy.tls.DownstreamTls;
import io.kanal.proxy.tls.TlsProvider;
import io.kanal.proxy.tls.UpstreamTls;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.RecordComponent;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A running proxy: every virtual cluster's listeners, the connections they accepted, and the event loops that serve
 * them. Start one with {@link #start(ProxyConfig)}; {@link #reconfigure} changes what it serves while it runs;
 * {@link #close()} shuts it down gracefully.
 */
public final class ProxyServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);
    /** Pending bytes at which a channel stops taking writes, and at which it takes them again. */
    static final WriteBufferWaterMark WRITE_BUFFER_WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    /**
     * The settings of {@link ProxyConfig} that are not part of every connection's settings: changing them changes no
     * virtual cluster. Every other component (frame limit, timeouts, connection limits, ...) is, so a change to it
     * replaces every virtual cluster.
     */
    private static final Set<String> SETTINGS_OUTSIDE_CONNECTIONS = Set.of("virtualClusters", "shutdownGrace");

    private final Transport transport;
    private final MeterRegistry meterRegistry;
    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup workerGroup;
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final Map<String, VirtualClusterEndpoint> endpoints = new LinkedHashMap<>();
    /** One per virtual cluster name, kept across reconfigurations so that its meters keep counting. */
    private final Map<String, ProxyMetrics> metrics = new HashMap<>();
    private ProxyConfig config;
    private Listeners listeners;
    private TlsProvider tlsProvider;
    private boolean closed;

    private ProxyServer(ProxyConfig config, Transport transport, MeterRegistry meterRegistry) {
        this.config = config;
        this.transport = transport;
        this.meterRegistry = meterRegistry;
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
        return start(config, meterRegistry, null);
    }

    /** As {@link #start(ProxyConfig, MeterRegistry)} with TLS from {@code tlsProvider}; null chooses the best. */
    static ProxyServer start(ProxyConfig config, MeterRegistry meterRegistry, TlsProvider tlsProvider) {
        Transport transport = Transport.best();
        ProxyServer server = new ProxyServer(config, transport, meterRegistry);
        server.tlsProvider = tlsProvider;
        try {
            server.listeners = server.newListeners(config);
            for (VirtualClusterConfig cluster : config.virtualClusters()) {
                VirtualClusterEndpoint endpoint = server.prepare(cluster, config, server.listeners);
                endpoint.listen();
                server.endpoints.put(cluster.name(), endpoint);
                server.logListening(endpoint);
            }
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * Changes what the proxy serves to {@code next}, without touching what stays the same.
     *
     * <p>A virtual cluster is <em>unchanged</em> when its {@link VirtualClusterConfig} equals the running one (the
     * same settings and the same filter instances, in the same order; filters compare by identity, so a caller that
     * keeps the instances of filters whose definitions did not change gets exactly the clusters that really changed)
     * and no setting of {@code next} that every connection carries differs (anything but {@code virtualClusters} and
     * {@code shutdownGrace}; when one does, every virtual cluster changes). Unchanged virtual clusters keep their
     * listeners and connections.
     *
     * <p>An <em>added</em> virtual cluster starts listening. A <em>removed</em> one stops listening, and a
     * <em>changed</em> one is replaced: new listeners, with the new settings and filter chain, serve new connections.
     * The connections of removed virtual clusters and of the replaced listeners drain: each stops reading, finishes
     * the requests it has outstanding and closes, and after {@code next.shutdownGrace()} what is still open is closed
     * regardless. Until they close, they keep the settings and filters they were accepted with.
     *
     * <p>New listeners are bound before old ones close, except where they cannot be: a changed virtual cluster on the
     * same bootstrap address, or a new listener on a port a retiring one still holds. Those old listeners are closed
     * first, so for a moment (the time a bind takes) connections to that address are refused; Kafka clients retry.
     * A replaced virtual cluster in front of the same target cluster opens the ports of the brokers the old one knew
     * straight away, so clients that reconnect to a broker port find it listening.
     *
     * <p>All or nothing: when an address cannot be bound, every listener bound for {@code next} is closed, the old
     * listeners that were closed listen again, and the proxy goes on exactly as before.
     *
     * @return what changed, and when the last connection of the retired listeners closed
     * @throws ProxyStartException  naming the virtual cluster and address that could not be bound; nothing changed
     * @throws IllegalStateException when the proxy is closed
     */
    public synchronized ReloadResult reconfigure(ProxyConfig next) {
        Objects.requireNonNull(next, "next");
        if (closed) {
            throw new IllegalStateException("the proxy is closed");
        }
        boolean everyConnectionChanges = !sameConnectionSettings(config, next);
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        Set<String> nextNames = next.virtualClusters().stream().map(VirtualClusterConfig::name)
                .collect(Collectors.toSet());
        List<String> removed = endpoints.keySet().stream().filter(name -> !nextNames.contains(name)).toList();
        for (VirtualClusterConfig cluster : next.virtualClusters()) {
            VirtualClusterEndpoint running = endpoints.get(cluster.name());
            if (running == null) {
                added.add(cluster.name());
            } else if (everyConnectionChanges || !running.config().equals(cluster)) {
                changed.add(cluster.name());
            } else {
                unchanged.add(cluster.name());
            }
        }
        List<VirtualClusterEndpoint> retiring = new ArrayList<>();
        removed.forEach(name -> retiring.add(endpoints.get(name)));
        changed.forEach(name -> retiring.add(endpoints.get(name)));

        Listeners nextListeners = next.limits().equals(config.limits()) ? listeners : newListeners(next);
        Map<String, VirtualClusterEndpoint> fresh = new LinkedHashMap<>();
        List<VirtualClusterEndpoint> afterRetiring = new ArrayList<>();
        boolean retiringClosed = false;
        try {
            for (VirtualClusterConfig cluster : next.virtualClusters()) {
                if (unchanged.contains(cluster.name())) {
                    continue;
                }
                VirtualClusterEndpoint endpoint = prepare(cluster, next, nextListeners);
                VirtualClusterEndpoint running = endpoints.get(cluster.name());
                if (running != null
                        && running.config().targetBootstrapServers().equals(cluster.targetBootstrapServers())) {
                    endpoint.learnBrokers(running.knownBrokers());
                }
                fresh.put(cluster.name(), endpoint);
                if (running != null && running.config().bootstrap().equals(cluster.bootstrap())) {
                    afterRetiring.add(endpoint);
                    continue;
                }
                try {
                    endpoint.listen();
                } catch (ProxyStartException e) {
                    if (retiring.isEmpty()) {
                        throw e;
                    }
                    // Perhaps a port a retiring listener holds: tried again once those are closed.
                    afterRetiring.add(endpoint);
                }
            }
            if (!afterRetiring.isEmpty()) {
                retiringClosed = true;
                retiring.forEach(VirtualClusterEndpoint::close);
                for (VirtualClusterEndpoint endpoint : afterRetiring) {
                    endpoint.listen();
                }
            }
        } catch (RuntimeException e) {
            rollBack(fresh.values(), retiringClosed ? retiring : List.of());
            throw e;
        }
        if (!retiringClosed) {
            retiring.forEach(VirtualClusterEndpoint::close);
        }

        Map<String, VirtualClusterEndpoint> running = new LinkedHashMap<>();
        for (VirtualClusterConfig cluster : next.virtualClusters()) {
            VirtualClusterEndpoint endpoint = fresh.get(cluster.name());
            running.put(cluster.name(), endpoint != null ? endpoint : endpoints.get(cluster.name()));
        }
        endpoints.clear();
        endpoints.putAll(running);
        config = next;
        listeners = nextListeners;
        fresh.values().forEach(this::logListening);
        return new ReloadResult(added, removed, changed, unchanged, retire(retiring, removed, changed));
    }

    /** Closes the listeners bound for a reconfiguration that failed, and opens the old ones it had closed again. */
    private void rollBack(Iterable<VirtualClusterEndpoint> fresh, List<VirtualClusterEndpoint> closedOld) {
        fresh.forEach(endpoint -> {
            try {
                endpoint.close();
            } catch (RuntimeException e) {
                log.warn("while undoing a reconfiguration: {}", e.getMessage());
            }
        });
        for (VirtualClusterEndpoint endpoint : closedOld) {
            try {
                endpoint.listen();
            } catch (ProxyStartException e) {
                log.error("virtual cluster '{}' cannot listen again after a failed reconfiguration: {}",
                        endpoint.config().name(), e.getMessage());
            }
        }
    }

    /** Drains the connections of retired endpoints in the background, bounded by the shutdown grace period. */
    private CompletionStage<Void> retire(List<VirtualClusterEndpoint> retiring, List<String> removed,
                                         List<String> changed) {
        if (retiring.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Set<ConnectionSettings> settings = retiring.stream().map(VirtualClusterEndpoint::settings)
                .collect(Collectors.toSet());
        return registry.retire(settings, config.shutdownGrace(), workerGroup).thenAccept(forced ->
                log.info("{}: every connection from before the reconfiguration has closed ({} of them with "
                        + "requests outstanding)", describe(removed, changed), forced));
    }

    private static String describe(List<String> removed, List<String> changed) {
        List<String> names = new ArrayList<>(removed);
        names.addAll(changed);
        return (names.size() == 1 ? "virtual cluster " : "virtual clusters ")
                + names.stream().map(name -> "'" + name + "'").collect(Collectors.joining(", "));
    }

    /** Whether every setting of the two configurations that each connection carries is the same. */
    private static boolean sameConnectionSettings(ProxyConfig a, ProxyConfig b) {
        for (RecordComponent component : ProxyConfig.class.getRecordComponents()) {
            if (SETTINGS_OUTSIDE_CONNECTIONS.contains(component.getName())) {
                continue;
            }
            try {
                if (!Objects.equals(component.getAccessor().invoke(a), component.getAccessor().invoke(b))) {
                    return false;
                }
            } catch (ReflectiveOperationException e) {
                return false;
            }
        }
        return true;
    }

    private Listeners newListeners(ProxyConfig config) {
        return new Listeners(acceptGroup, workerGroup, registry, config.limits());
    }

    /** A virtual cluster's endpoint with its own filter chain, not listening yet. */
    private VirtualClusterEndpoint prepare(VirtualClusterConfig cluster, ProxyConfig config, Listeners listeners) {
        FilterChain filters = new FilterChain(cluster.name(), cluster.filters(), meterRegistry,
                config.filterTimeout());
        ProxyMetrics clusterMetrics = metrics.computeIfAbsent(cluster.name(),
                name -> new ProxyMetrics(meterRegistry, name));
        Optional<DownstreamTls> downstreamTls;
        Optional<UpstreamTls> upstreamTls;
        try {
            downstreamTls = cluster.tls().map(tls -> DownstreamTls.create(tls, cluster.sni(), tlsProvider()));
            upstreamTls = cluster.targetTls().map(tls -> UpstreamTls.create(tls, tlsProvider()));
        } catch (IllegalArgumentException e) {
            throw new ProxyStartException("virtual cluster '" + cluster.name() + "': TLS: " + e.getMessage(), e);
        }
        return VirtualClusterEndpoint.prepare(cluster, listeners,
                transformer -> new ConnectionSettings(cluster.name(), transport, config.maxFrameBytes(),
                        config.connectTimeout(), WRITE_BUFFER_WATER_MARK, config.limits().maxInFlightRequests(),
                        transformer, filters, clusterMetrics, downstreamTls, upstreamTls, cluster.sasl()));
    }

    /** The TLS implementation, chosen (and logged) when the first virtual cluster needs one. */
    private synchronized TlsProvider tlsProvider() {
        if (tlsProvider == null) {
            tlsProvider = TlsProvider.best();
            log.info("TLS provider: {}", tlsProvider.describe());
        }
        return tlsProvider;
    }

    private void logListening(VirtualClusterEndpoint endpoint) {
        VirtualClusterConfig cluster = endpoint.config();
        String clientTls = cluster.tls().map(tls -> " with TLS (client certificates: "
                + tls.clientAuth().name().toLowerCase(Locale.ROOT) + ")").orElse("");
        log.info("virtual cluster '{}' listening on {}{}, {}, in front of {}{} ({} transport)", cluster.name(),
                endpoint.bootstrapAddress(), clientTls, endpoint.describeAddressing(),
                cluster.targetBootstrapServers(), cluster.targetTls().isPresent() ? " with TLS" : "",
                transport.name());
    }

    /** The bound bootstrap address of a virtual cluster; the real port when port 0 was configured. */
    public synchronized InetSocketAddress bootstrapAddress(String virtualCluster) {
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
        registry.abandonRetirements();
        failures.forEach(e -> log.warn("while closing listeners: {}", e.getMessage()));
    }
}
