package io.kanal.app.config;

import io.kanal.mesh.config.MeshConfig;
import io.kanal.mesh.config.RouteRule;
import io.kanal.mesh.config.UpstreamClusterConfig;
import io.kanal.proxy.config.HostPort;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** config-examples/mesh.yaml, loaded as Kanal loads it, with its clusters' addresses from the environment. */
class MeshExampleTest {

    private static final Path EXAMPLE = Path.of("..", "config-examples", "mesh.yaml");

    @Test
    void listensOn9292AndRoutesTheThreeFruitsToTheThreeClustersFromTheEnvironment() throws ConfigException {
        KanalConfig config = new ConfigLoader(Map.of(
                "CLUSTER1_BOOTSTRAP", "k1:9092",
                "CLUSTER2_BOOTSTRAP", "k2a:9092,k2b:9092",
                "CLUSTER3_BOOTSTRAP", "k3:9092")::get).loadAll(EXAMPLE);

        assertEquals(List.of(), config.proxy().virtualClusters());
        MeshConfig mesh = config.mesh().orElseThrow();
        assertEquals(new HostPort("127.0.0.1", 9292), mesh.listener().bind());
        assertEquals("127.0.0.1", mesh.listener().advertisedHost());
        assertEquals(List.of("cluster1", "cluster2", "cluster3"),
                mesh.clusters().stream().map(UpstreamClusterConfig::name).toList());
        assertEquals(List.of(new HostPort("k1", 9092)), mesh.cluster("cluster1").bootstrapServers());
        assertEquals(List.of(new HostPort("k2a", 9092), new HostPort("k2b", 9092)),
                mesh.cluster("cluster2").bootstrapServers());
        assertEquals(List.of(new HostPort("k3", 9092)), mesh.cluster("cluster3").bootstrapServers());
        assertEquals(List.of(RouteRule.prefix("apples", "cluster1"), RouteRule.prefix("bananas", "cluster2"),
                RouteRule.prefix("cherries", "cluster3")), mesh.rules());
        assertEquals(Optional.empty(), mesh.defaultCluster());
        assertEquals(new HostPort("127.0.0.1", 9190), config.admin().listen());
    }
}
