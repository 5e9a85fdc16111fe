package io.kanal.mesh.consume;

import io.kanal.mesh.Mesh;
import io.kanal.mesh.config.MeshConfig;
import io.kanal.mesh.config.MeshListenerConfig;
import io.kanal.mesh.config.RouteRule;
import io.kanal.mesh.config.UpstreamClusterConfig;
import io.kanal.mesh.metadata.MetadataModule;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.testkafka.KraftTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The mesh with only the modules the consume path needs (metadata and consume), in front of test clusters: routes
 * {@code <cluster name>*} topics to each cluster, so that the consume path is tested whatever other modules do.
 */
public final class TestMesh implements AutoCloseable {

    private final Mesh mesh;

    private TestMesh(Mesh mesh) {
        this.mesh = mesh;
    }

    /** A mesh routing each cluster's name as a topic prefix to it, with no default cluster. */
    public static TestMesh start(KraftTestCluster... kafkas) {
        return start(Optional.empty(), kafkas);
    }

    public static TestMesh start(Optional<String> defaultCluster, KraftTestCluster... kafkas) {
        return start(0, defaultCluster, kafkas);
    }

    /** A mesh listening on {@code port}, 0 for any free one. */
    public static TestMesh start(int port, Optional<String> defaultCluster, KraftTestCluster... kafkas) {
        List<UpstreamClusterConfig> upstream = new ArrayList<>();
        List<RouteRule> rules = new ArrayList<>();
        for (KraftTestCluster kafka : kafkas) {
            upstream.add(new UpstreamClusterConfig(kafka.name(), List.of(HostPort.parse(
                    kafka.bootstrapServers().split(",")[0])), OptionalInt.empty(), Map.of()));
            rules.add(RouteRule.prefix(kafka.name(), kafka.name()));
        }
        MeshConfig config = new MeshConfig(new MeshListenerConfig(new HostPort("127.0.0.1", port), "127.0.0.1", 0, 0),
                upstream, rules, defaultCluster, Duration.ofSeconds(1), MeshConfig.DEFAULT_PRODUCE_TIMEOUT,
                MeshConfig.DEFAULT_MAX_PENDING_PRODUCE_BYTES);
        ProxyConfig network = new ProxyConfig(List.of(), ProxyConfig.DEFAULT_MAX_FRAME_BYTES,
                ProxyConfig.DEFAULT_CONNECT_TIMEOUT, Duration.ofSeconds(2));
        return new TestMesh(Mesh.start(config, network, new SimpleMeterRegistry(),
                List.of(new MetadataModule(), new ConsumeModule())));
    }

    public int port() {
        return mesh.boundAddress().getPort();
    }

    /** {@code 127.0.0.1:port}: what clients bootstrap from. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port();
    }

    @Override
    public void close() {
        mesh.close();
    }
}
