package io.kanal.app.config;

import io.kanal.mesh.config.MeshConfig;
import io.kanal.mesh.config.MeshListenerConfig;
import io.kanal.mesh.config.RouteRule;
import io.kanal.mesh.config.UpstreamClusterConfig;
import io.kanal.proxy.config.HostPort;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code mesh} section: what it reads, its defaults, and the key each mistake is reported at. */
class MeshConfigTest {

    private static final String MESH = """
            mesh:
              listener:
                bind: 127.0.0.1:9292
              clusters:
                - name: c1
                  bootstrapServers: k1:9092
                - name: c2
                  bootstrapServers: [ "k2:9092", "k3:9092" ]
              rules:
                - { topicPrefix: apples, cluster: c1 }
                - { topicPrefix: bananas, cluster: c2 }
            """;

    private static KanalConfig load(String yaml) throws ConfigException {
        return new ConfigLoader(Map.<String, String>of()::get).parseAll(yaml);
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> load(yaml)).getMessage();
    }

    @Test
    void aMeshAloneIsAValidConfiguration() throws ConfigException {
        KanalConfig config = load(MESH);

        assertEquals(List.of(), config.proxy().virtualClusters());
        MeshConfig mesh = config.mesh().orElseThrow();
        assertEquals(new MeshListenerConfig(new HostPort("127.0.0.1", 9292), "127.0.0.1", 0, 0), mesh.listener());
        assertEquals(List.of(
                new UpstreamClusterConfig("c1", List.of(new HostPort("k1", 9092)), OptionalInt.empty(), Map.of()),
                new UpstreamClusterConfig("c2", List.of(new HostPort("k2", 9092), new HostPort("k3", 9092)),
                        OptionalInt.empty(), Map.of())), mesh.clusters());
        assertEquals(List.of(RouteRule.prefix("apples", "c1"), RouteRule.prefix("bananas", "c2")), mesh.rules());
        assertEquals(Optional.empty(), mesh.defaultCluster());
        assertEquals(MeshConfig.DEFAULT_METADATA_REFRESH_INTERVAL, mesh.metadataRefreshInterval());
        assertEquals(MeshConfig.DEFAULT_PRODUCE_TIMEOUT, mesh.produceTimeout());
        assertEquals(MeshConfig.DEFAULT_MAX_PENDING_PRODUCE_BYTES, mesh.maxPendingProduceBytes());
    }

    @Test
    void readsEveryKey() throws ConfigException {
        MeshConfig mesh = load("""
                mesh:
                  listener:
                    bind: 0.0.0.0:9292
                    advertisedHost: mesh.example.com
                    advertisedPort: 19292
                    nodeId: 7
                  clusters:
                    - name: c1
                      bootstrapServers: k1:9092,k2:9092
                      partitionCount: 3
                      producer:
                        linger.ms: 20
                        compression.type: zstd
                  rules:
                    - { topic: orders, cluster: c1 }
                    - { topicRegex: "logs-.*", cluster: c1 }
                  defaultCluster: c1
                  metadataRefreshInterval: 1m
                  produceTimeout: 10s
                  maxPendingProduceBytes: 1048576
                """).mesh().orElseThrow();

        assertEquals(new MeshListenerConfig(new HostPort("0.0.0.0", 9292), "mesh.example.com", 19292, 7),
                mesh.listener());
        UpstreamClusterConfig cluster = mesh.clusters().get(0);
        assertEquals(List.of(new HostPort("k1", 9092), new HostPort("k2", 9092)), cluster.bootstrapServers());
        assertEquals(OptionalInt.of(3), cluster.partitionCount());
        assertEquals(Map.of("linger.ms", "20", "compression.type", "zstd"), cluster.producer());
        assertEquals(List.of(RouteRule.exact("orders", "c1"), RouteRule.regex("logs-.*", "c1")), mesh.rules());
        assertEquals(Optional.of("c1"), mesh.defaultCluster());
        assertEquals(Duration.ofMinutes(1), mesh.metadataRefreshInterval());
        assertEquals(Duration.ofSeconds(10), mesh.produceTimeout());
        assertEquals(1048576, mesh.maxPendingProduceBytes());
    }

    @Test
    void virtualClustersAndAMeshRunSideBySide() throws ConfigException {
        KanalConfig config = load("""
                virtualClusters:
                  - name: a
                    bootstrap: 127.0.0.1:9192
                    target: { bootstrapServers: kafka:9092 }
                """ + MESH);

        assertEquals(1, config.proxy().virtualClusters().size());
        assertTrue(config.mesh().isPresent());
    }

    @Test
    void neitherVirtualClustersNorAMeshIsAnError() {
        assertEquals("virtualClusters: at least one virtual cluster is required (or a mesh)",
                error("admin: { enabled: false }\n"));
    }

    @Test
    void aBadProducerSettingNamesTheClusterAndKey() {
        String message = error(MESH.replace("bootstrapServers: [ \"k2:9092\", \"k3:9092\" ]\n",
                "bootstrapServers: [ \"k2:9092\", \"k3:9092\" ]\n      producer: { acks: all, linger.ms: soon }\n"));

        assertEquals("mesh.clusters[1].producer.linger.ms: 'soon': not a number of type LONG (producer setting of "
                + "cluster 'c2')", message);
    }

    @Test
    void anUnknownProducerSettingIsAnError() {
        assertEquals("mesh.clusters[0].producer.lingerms: '5': not a producer setting of kafka-clients (producer "
                        + "setting of cluster 'c1')",
                error(MESH.replace("bootstrapServers: k1:9092\n", "bootstrapServers: k1:9092\n      producer: { lingerms: 5 }\n")));
    }

    @Test
    void aSecretProducerValueIsNeverRepeated() {
        String message = error(MESH.replace("bootstrapServers: k1:9092\n",
                "bootstrapServers: k1:9092\n      producer: { ssl.key.password: hunter2, sasl.mechanism: x, bootstrap.servers: y }\n"));

        assertEquals("mesh.clusters[0].producer.bootstrap.servers: 'y': set by the mesh from the cluster's "
                + "bootstrapServers (producer setting of cluster 'c1')", message);
        assertFalse(message.contains("hunter2"));
    }

    @Test
    void producerSettingsThatContradictEachOtherAreNamedAtTheSection() {
        String message = error(MESH.replace("bootstrapServers: k1:9092\n",
                "bootstrapServers: k1:9092\n      producer: { enable.idempotence: true, acks: 1 }\n"));

        assertTrue(message.startsWith("mesh.clusters[0].producer: the producer settings of cluster 'c1' do not go "
                + "together: "), message);
    }

    @Test
    void aRuleMustNameAConfiguredCluster() {
        assertEquals("mesh.rules[1].cluster: 'c9' is not the name of a cluster in mesh.clusters (known: c1, c2)",
                error(MESH.replace("{ topicPrefix: bananas, cluster: c2 }", "{ topicPrefix: bananas, cluster: c9 }")));
    }

    @Test
    void aRuleHasExactlyOneMatcher() {
        assertEquals("mesh.rules[0]: has topicPrefix and topic; a rule has exactly one of topicPrefix, topic or "
                        + "topicRegex",
                error(MESH.replace("{ topicPrefix: apples, cluster: c1 }", "{ topicPrefix: a, topic: b, cluster: c1 }")));
        assertEquals("mesh.rules[0]: needs one of topicPrefix, topic or topicRegex",
                error(MESH.replace("{ topicPrefix: apples, cluster: c1 }", "{ cluster: c1 }")));
    }

    @Test
    void aRegexThatDoesNotCompileIsNamed() {
        assertEquals("mesh.rules[0].topicRegex: 'apples[' is not a regular expression: Unclosed character class",
                error(MESH.replace("{ topicPrefix: apples, cluster: c1 }", "{ topicRegex: \"apples[\", cluster: c1 }")));
    }

    @Test
    void withoutRulesADefaultClusterIsRequired() throws ConfigException {
        String noRules = MESH.substring(0, MESH.indexOf("  rules:"));
        assertEquals("mesh.rules: at least one rule is required, or a defaultCluster", error(noRules));
        assertEquals(Optional.of("c2"), load(noRules + "  defaultCluster: c2\n").mesh().orElseThrow()
                .defaultCluster());
        assertEquals("mesh.defaultCluster: 'c3' is not the name of a cluster in mesh.clusters (known: c1, c2)",
                error(noRules + "  defaultCluster: c3\n"));
    }

    @Test
    void clusterNamesAreUnique() {
        assertEquals("mesh.clusters[1].name: 'c1' is already the name of mesh.clusters[0]",
                error(MESH.replace("- name: c2", "- name: c1")));
    }

    @Test
    void theListenerBindIsRequiredAndAWildcardNeedsAnAdvertisedHost() {
        assertEquals("mesh.listener.bind: missing required key",
                error(MESH.replace("bind: 127.0.0.1:9292", "nodeId: 1")));
        assertEquals("mesh.listener.advertisedHost: required because bootstrap listens on the wildcard address "
                + "0.0.0.0, which clients cannot connect to", error(MESH.replace("127.0.0.1:9292", "0.0.0.0:9292")));
        assertEquals("mesh.listener.advertisedHost: 'mesh:9292' must be a host without a port; the port clients are "
                        + "told is mesh.listener.advertisedPort",
                error(MESH.replace("bind: 127.0.0.1:9292", "bind: 127.0.0.1:9292\n    advertisedHost: mesh:9292")));
    }

    @Test
    void theMeshPortMustNotClashWithAVirtualClusterOrTheAdminServer() {
        assertEquals("mesh.listener.bind: port 9292 of the mesh on 127.0.0.1 clashes with port range 9260-9292 of virtual "
                + "cluster 'a' on 127.0.0.1 (virtualClusters[0].bootstrap)", error("""
                virtualClusters:
                  - name: a
                    bootstrap: 127.0.0.1:9260
                    target: { bootstrapServers: kafka:9092 }
                """ + MESH));
        assertEquals("admin.listen: port 9292 of the admin server on 127.0.0.1 clashes with port 9292 of the mesh on 127.0.0.1 "
                + "(mesh.listener.bind)", error(MESH + "admin: { listen: 127.0.0.1:9292 }\n"));
    }

    @Test
    void aPartitionCountOverrideIsAtLeastOne() {
        assertEquals("mesh.clusters[0].partitionCount: 0 is below the minimum of 1",
                error(MESH.replace("bootstrapServers: k1:9092\n", "bootstrapServers: k1:9092\n      partitionCount: 0\n")));
    }

    @Test
    void anUnknownMeshKeyListsTheKnownOnes() {
        assertEquals("mesh.listen: unknown key (known: listener, clusters, rules, defaultCluster, "
                + "metadataRefreshInterval, produceTimeout, maxPendingProduceBytes)", error(MESH + "  listen: x\n"));
    }
}
