package io.kanal.mesh.consume;

import io.kanal.mesh.api.MeshApis;
import io.kanal.mesh.api.MeshContext;
import io.kanal.mesh.api.MeshNode;
import io.kanal.mesh.api.ShutdownStep;
import io.kanal.mesh.cluster.UpstreamClusters;
import io.kanal.mesh.config.MeshConfig;
import io.kanal.mesh.config.MeshListenerConfig;
import io.kanal.mesh.config.RouteRule;
import io.kanal.mesh.config.UpstreamClusterConfig;
import io.kanal.mesh.metadata.MetadataModule;
import io.kanal.mesh.server.MeshServer;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.metrics.ProxyMetrics;
import io.kanal.proxy.net.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The mesh's listener with only the modules the consume path needs (metadata and consume), in front of test
 * clusters: routes {@code <cluster name>*} topics to each cluster. Built from the mesh's public parts, so that the
 * consume path is tested whatever other modules do.
 */
public final class TestMesh implements AutoCloseable {

    private final UpstreamClusters clusters;
    private final MeshServer server;
    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup workerGroup;
    private final ScheduledExecutorService scheduler;
    private final List<ShutdownStep> steps;

    private TestMesh(UpstreamClusters clusters, MeshServer server, EventLoopGroup acceptGroup,
                     EventLoopGroup workerGroup, ScheduledExecutorService scheduler, List<ShutdownStep> steps) {
        this.clusters = clusters;
        this.server = server;
        this.acceptGroup = acceptGroup;
        this.workerGroup = workerGroup;
        this.scheduler = scheduler;
        this.steps = steps;
    }

    /** A mesh routing each cluster's name as a topic prefix to it, with no default cluster. */
    public static TestMesh start(TestKafka... kafkas) {
        return start(Optional.empty(), kafkas);
    }

    public static TestMesh start(Optional<String> defaultCluster, TestKafka... kafkas) {
        return start(0, defaultCluster, kafkas);
    }

    /** A mesh listening on {@code port}, 0 for any free one. */
    public static TestMesh start(int port, Optional<String> defaultCluster, TestKafka... kafkas) {
        List<UpstreamClusterConfig> upstream = new ArrayList<>();
        List<RouteRule> rules = new ArrayList<>();
        for (TestKafka kafka : kafkas) {
            upstream.add(new UpstreamClusterConfig(kafka.name(), List.of(HostPort.parse(
                    kafka.bootstrapServers().split(",")[0])), OptionalInt.empty(), Map.of()));
            rules.add(RouteRule.prefix(kafka.name(), kafka.name()));
        }
        MeshConfig config = new MeshConfig(new MeshListenerConfig(new HostPort("127.0.0.1", port), "127.0.0.1", 0, 0),
                upstream, rules, defaultCluster, Duration.ofSeconds(1), MeshConfig.DEFAULT_PRODUCE_TIMEOUT,
                MeshConfig.DEFAULT_MAX_PENDING_PRODUCE_BYTES);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
        Transport transport = Transport.nio();
        EventLoopGroup acceptGroup = transport.newEventLoopGroup(1);
        EventLoopGroup workerGroup = transport.newEventLoopGroup(2);
        UpstreamClusters clusters = UpstreamClusters.open(config, scheduler);
        MeterRegistry registry = new SimpleMeterRegistry();
        ProxyConfig network = new ProxyConfig(List.of(), ProxyConfig.DEFAULT_MAX_FRAME_BYTES,
                ProxyConfig.DEFAULT_CONNECT_TIMEOUT, Duration.ofSeconds(2));
        MeshServer server = MeshServer.bind(config.listener(), network, config.maxPendingProduceBytes(),
                new ProxyMetrics(registry, "mesh-test"), transport, acceptGroup, workerGroup);
        MeshNode self = new MeshNode(0, "127.0.0.1", server.boundAddress().getPort());
        List<ShutdownStep> steps = Collections.synchronizedList(new ArrayList<>());
        MeshContext context = new MeshContext() {
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
                return registry;
            }

            @Override
            public void closeOnShutdown(String what, ShutdownStep step) {
                steps.add(step);
            }
        };
        MeshApis.Builder apis = MeshApis.builder();
        new MetadataModule().register(apis, context);
        new ConsumeModule().register(apis, context);
        server.accept(apis.build());
        return new TestMesh(clusters, server, acceptGroup, workerGroup, scheduler, steps);
    }

    public int port() {
        return server.boundAddress().getPort();
    }

    /** {@code 127.0.0.1:port}: what clients bootstrap from. */
    public String bootstrapServers() {
        return "127.0.0.1:" + server.boundAddress().getPort();
    }

    @Override
    public void close() throws Exception {
        server.close(Duration.ofSeconds(2));
        List<ShutdownStep> reversed = new ArrayList<>(steps);
        Collections.reverse(reversed);
        for (ShutdownStep step : reversed) {
            step.close(Duration.ofSeconds(2));
        }
        clusters.close();
        scheduler.shutdownNow();
        acceptGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
