package io.kanal.mesh;

import io.kanal.mesh.api.MeshApis;
import io.kanal.mesh.api.MeshContext;
import io.kanal.mesh.api.MeshModule;
import io.kanal.mesh.api.MeshNode;
import io.kanal.mesh.api.ShutdownStep;
import io.kanal.mesh.cluster.UpstreamClusters;
import io.kanal.mesh.config.MeshConfig;
import io.kanal.mesh.consume.ConsumeModule;
import io.kanal.mesh.metadata.MetadataModule;
import io.kanal.mesh.produce.ProduceModule;
import io.kanal.mesh.server.MeshServer;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.metrics.ProxyMetrics;
import io.kanal.proxy.net.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A running mesh: its listener, the clusters behind it and the modules that answer its requests. Start one with
 * {@link #start}; {@link #close()} shuts it down gracefully.
 */
public final class Mesh implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Mesh.class);
    /** The name the mesh's metrics carry in their {@code virtual_cluster} tag. */
    public static final String METRICS_NAME = "mesh";

    private final MeshConfig config;
    private final Duration shutdownGrace;
    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup workerGroup;
    private final ScheduledExecutorService scheduler;
    private final List<NamedStep> shutdownSteps = Collections.synchronizedList(new ArrayList<>());
    private UpstreamClusters clusters;
    private MeshServer server;
    private boolean closed;

    private record NamedStep(String what, ShutdownStep step) {
    }

    /**
     * The modules that answer the mesh's requests, each registering its handlers when the mesh starts. A new part of
     * the mesh (the consume path, say) is added here.
     */
    static List<MeshModule> modules() {
        return List.of(new MetadataModule(), new ProduceModule(), new ConsumeModule());
    }

    private Mesh(MeshConfig config, Duration shutdownGrace, Transport transport) {
        this.config = config;
        this.shutdownGrace = shutdownGrace;
        this.acceptGroup = transport.newEventLoopGroup(1);
        this.workerGroup = transport.newEventLoopGroup(0);
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(2, runnable -> {
            Thread thread = new Thread(runnable, "kanal-mesh-timer");
            thread.setDaemon(true);
            return thread;
        });
        timers.setRemoveOnCancelPolicy(true);
        this.scheduler = timers;
    }

    /**
     * Starts the mesh: makes each cluster's clients, binds the listener, lets every module register, then accepts
     * connections. Nothing waits for the clusters to answer.
     *
     * @param network       the frame limit, connection limits and shutdown grace, shared with the virtual clusters
     * @param meterRegistry where the mesh's metrics go
     * @throws io.kanal.proxy.server.ProxyStartException when the listener cannot be bound or a cluster's clients
     *                                                   cannot be made; nothing is left running
     */
    public static Mesh start(MeshConfig config, ProxyConfig network, MeterRegistry meterRegistry) {
        return start(config, network, meterRegistry, modules());
    }

    /**
     * Starts the mesh with only {@code modules} answering, for tests of one path through the mesh as it really runs.
     *
     * @see #start(MeshConfig, ProxyConfig, MeterRegistry)
     */
    public static Mesh start(MeshConfig config, ProxyConfig network, MeterRegistry meterRegistry,
                             List<MeshModule> modules) {
        Transport transport = Transport.best();
        Mesh mesh = new Mesh(config, network.shutdownGrace(), transport);
        try {
            mesh.clusters = UpstreamClusters.open(config, mesh.scheduler);
            mesh.server = MeshServer.bind(config.listener(), network, config.maxPendingProduceBytes(),
                    new ProxyMetrics(meterRegistry, METRICS_NAME), transport, mesh.acceptGroup, mesh.workerGroup);
            InetSocketAddress bound = mesh.server.boundAddress();
            MeshNode self = new MeshNode(config.listener().nodeId(), config.listener().advertisedHost(),
                    config.listener().advertisedPort(bound.getPort()));
            MeshContext context = mesh.new Context(self, meterRegistry);
            MeshApis.Builder apis = MeshApis.builder();
            modules.forEach(module -> module.register(apis, context));
            mesh.server.accept(apis.build());
            log.info("mesh listening on {} as node {} at {}:{}, in front of {} ({} transport)", bound.getHostString()
                            + ":" + bound.getPort(), self.nodeId(), self.host(), self.port(),
                    mesh.clusters.all().stream().map(Object::toString).collect(Collectors.joining(", ")),
                    transport.name());
        } catch (RuntimeException e) {
            mesh.close();
            throw e;
        }
        return mesh;
    }

    /** The bound listen address: the real port when port 0 was configured. */
    public InetSocketAddress boundAddress() {
        return server.boundAddress();
    }

    /** One line per upstream cluster that has not answered yet; readiness waits for them. */
    public List<String> waitingFor() {
        return clusters.waitingFor();
    }

    /** The configuration the mesh runs with. */
    public MeshConfig config() {
        return config;
    }

    /**
     * Stops accepting, lets connections finish their outstanding requests for up to the shutdown grace period,
     * closes what is left, then closes what the modules opened (flushing producers) with the rest of the grace
     * period. Calling it again does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        if (server != null) {
            try {
                int open = server.connections();
                int forced = server.close(shutdownGrace);
                log.info("mesh stopped accepting; {} connections finished, {} closed with requests outstanding",
                        open - forced, forced);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<NamedStep> steps = new ArrayList<>(shutdownSteps);
        Collections.reverse(steps);
        for (NamedStep step : steps) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            try {
                step.step().close(left);
            } catch (Exception e) {
                log.warn("mesh: closing {} failed: {}", step.what(), e.toString());
            }
        }
        if (clusters != null) {
            clusters.close();
        }
        scheduler.shutdownNow();
        acceptGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** What modules are given. */
    private final class Context implements MeshContext {
        private final MeshNode self;
        private final MeterRegistry meterRegistry;

        Context(MeshNode self, MeterRegistry meterRegistry) {
            this.self = self;
            this.meterRegistry = meterRegistry;
        }

        @Override
        public MeshConfig config() {
            return config;
        }

        @Override
        public MeshNode self() {
            return self;
        }

        @Override
        public UpstreamClusters clusters() {
            return clusters;
        }

        @Override
        public ScheduledExecutorService scheduler() {
            return scheduler;
        }

        @Override
        public MeterRegistry meterRegistry() {
            return meterRegistry;
        }

        @Override
        public void closeOnShutdown(String what, ShutdownStep step) {
            shutdownSteps.add(new NamedStep(what, step));
        }
    }
}
