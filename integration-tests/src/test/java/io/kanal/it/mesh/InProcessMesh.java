package io.kanal.it.mesh;

import io.kanal.mesh.Mesh;
import io.kanal.mesh.config.MeshConfig;
import io.kanal.mesh.config.MeshListenerConfig;
import io.kanal.mesh.config.RouteRule;
import io.kanal.mesh.config.UpstreamClusterConfig;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.ProxyConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A mesh started in the test JVM in front of the three {@link MeshClusters}, routed as config-examples/mesh.yaml
 * routes: for tests that look closely at one behaviour, with settings the example does not have. The tests of the
 * example itself run the real kanal.jar.
 */
final class InProcessMesh implements AutoCloseable {

    /** Refreshes quickly, so tests see upstream changes in a second or two. */
    private static final Duration METADATA_REFRESH = Duration.ofSeconds(1);
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

    private final Mesh mesh;

    private InProcessMesh(Mesh mesh) {
        this.mesh = mesh;
    }

    static InProcessMesh start(MeshClusters clusters) {
        return start(clusters, Map.of(), MeshConfig.DEFAULT_PRODUCE_TIMEOUT);
    }

    /** The mesh with a fourth cluster, {@code nowhere}, that nothing listens for: {@code durians*} live there. */
    static InProcessMesh withUnreachableCluster(MeshClusters clusters) {
        return start(clusters, Map.of(), MeshConfig.DEFAULT_PRODUCE_TIMEOUT, true);
    }

    /**
     * @param partitionCounts the {@code partitionCount} of some clusters, by cluster name
     * @param produceTimeout  the mesh's {@code produceTimeout}
     */
    static InProcessMesh start(MeshClusters clusters, Map<String, Integer> partitionCounts, Duration produceTimeout) {
        return start(clusters, partitionCounts, produceTimeout, false);
    }

    private static InProcessMesh start(MeshClusters clusters, Map<String, Integer> partitionCounts,
                                       Duration produceTimeout, boolean unreachable) {
        List<UpstreamClusterConfig> upstream = new ArrayList<>(List.of(clusters.apples(), clusters.bananas(),
                        clusters.cherries())
                .stream()
                .map(cluster -> new UpstreamClusterConfig(cluster.name(),
                        List.of(HostPort.parse(cluster.bootstrapServers())),
                        partitionCounts.containsKey(cluster.name())
                                ? OptionalInt.of(partitionCounts.get(cluster.name()))
                                : OptionalInt.empty(),
                        Map.of()))
                .toList());
        List<RouteRule> rules = new ArrayList<>(List.of(RouteRule.prefix("apples", "cluster1"),
                RouteRule.prefix("bananas", "cluster2"), RouteRule.prefix("cherries", "cluster3")));
        if (unreachable) {
            // Port 1 on the loopback address: refused at once, as a cluster that is down.
            upstream.add(new UpstreamClusterConfig("nowhere", List.of(new HostPort("127.0.0.1", 1)),
                    OptionalInt.empty(), Map.of()));
            rules.add(RouteRule.prefix("durians", "nowhere"));
        }
        MeshConfig config = new MeshConfig(
                new MeshListenerConfig(new HostPort("127.0.0.1", 0), "127.0.0.1", 0, 0),
                upstream,
                rules,
                Optional.empty(), METADATA_REFRESH, produceTimeout, MeshConfig.DEFAULT_MAX_PENDING_PRODUCE_BYTES);
        ProxyConfig network = new ProxyConfig(List.of(), ProxyConfig.DEFAULT_MAX_FRAME_BYTES,
                ProxyConfig.DEFAULT_CONNECT_TIMEOUT, SHUTDOWN_GRACE);
        return new InProcessMesh(Mesh.start(config, network, new SimpleMeterRegistry()));
    }

    /** {@code 127.0.0.1:port}: what clients bootstrap from. */
    String bootstrapServers() {
        return "127.0.0.1:" + mesh.boundAddress().getPort();
    }

    int port() {
        return mesh.boundAddress().getPort();
    }

    @Override
    public void close() {
        mesh.close();
    }
}
