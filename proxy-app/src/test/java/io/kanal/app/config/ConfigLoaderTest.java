package io.kanal.app.config;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.NodeIdRange;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConfigLoaderTest {

    private static final String MINIMAL = """
            virtualClusters:
              - name: a
                bootstrap: 127.0.0.1:9192
                target:
                  bootstrapServers: kafka:9092
            """;

    private static ProxyConfig load(String yaml) throws ConfigException {
        return load(yaml, Map.of());
    }

    private static ProxyConfig load(String yaml, Map<String, String> environment) throws ConfigException {
        return new ConfigLoader(environment::get).parse(yaml);
    }

    private static String error(String yaml) {
        return error(yaml, Map.of());
    }

    private static String error(String yaml, Map<String, String> environment) {
        return assertThrows(ConfigException.class, () -> load(yaml, environment)).getMessage();
    }

    @Test
    void appliesDefaults() throws ConfigException {
        ProxyConfig config = load(MINIMAL);

        VirtualClusterConfig cluster = config.virtualClusters().get(0);
        assertEquals("a", cluster.name());
        assertEquals(new HostPort("127.0.0.1", 9192), cluster.bootstrap());
        assertEquals("127.0.0.1", cluster.advertisedHost());
        assertEquals(NodeIdRange.DEFAULT, cluster.nodeIds());
        assertEquals(List.of(new HostPort("kafka", 9092)), cluster.targetBootstrapServers());
        assertEquals(ProxyConfig.DEFAULT_MAX_FRAME_BYTES, config.maxFrameBytes());
        assertEquals(ProxyConfig.DEFAULT_CONNECT_TIMEOUT, config.connectTimeout());
        assertEquals(ProxyConfig.DEFAULT_SHUTDOWN_GRACE, config.shutdownGrace());
    }

    @Test
    void readsEveryKey() throws ConfigException {
        ProxyConfig config = load("""
                virtualClusters:
                  - name: full
                    bootstrap: 0.0.0.0:19092
                    advertisedHost: proxy.example.com
                    nodeIds: { first: 1, last: 3 }
                    target:
                      bootstrapServers: [ "k1:9092", "k2:9093" ]
                network:
                  maxFrameBytes: 1048576
                  connectTimeout: 500ms
                  shutdownGrace: 1m
                """);

        VirtualClusterConfig cluster = config.virtualClusters().get(0);
        assertEquals(new HostPort("0.0.0.0", 19092), cluster.bootstrap());
        assertEquals("proxy.example.com", cluster.advertisedHost());
        assertEquals(new NodeIdRange(1, 3), cluster.nodeIds());
        assertEquals(List.of(new HostPort("k1", 9092), new HostPort("k2", 9093)), cluster.targetBootstrapServers());
        assertEquals(1048576, config.maxFrameBytes());
        assertEquals(Duration.ofMillis(500), config.connectTimeout());
        assertEquals(Duration.ofMinutes(1), config.shutdownGrace());
    }

    @Test
    void takesBootstrapServersAsCommaSeparatedStringOrList() throws ConfigException {
        List<HostPort> expected = List.of(new HostPort("k1", 9092), new HostPort("k2", 9093));
        String asString = MINIMAL.replace("kafka:9092", "k1:9092, k2:9093");
        String asList = MINIMAL.replace("kafka:9092", "\n        - k1:9092\n        - k2:9093");

        assertEquals(expected, load(asString).virtualClusters().get(0).targetBootstrapServers());
        assertEquals(expected, load(asList).virtualClusters().get(0).targetBootstrapServers());
    }

    @Test
    void substitutesEnvironmentVariablesInsideStrings() throws ConfigException {
        String yaml = """
                virtualClusters:
                  - name: ${NAME}
                    bootstrap: 127.0.0.1:${PORT:-9192}
                    target:
                      bootstrapServers: ${KAFKA:-localhost:9092}
                network:
                  maxFrameBytes: ${FRAME:-1024}
                """;

        ProxyConfig defaults = load(yaml, Map.of("NAME", "env"));
        ProxyConfig set = load(yaml, Map.of("NAME", "env", "PORT", "7000", "KAFKA", "a:1,b:2", "FRAME", "2048"));

        assertEquals("env", defaults.virtualClusters().get(0).name());
        assertEquals(new HostPort("127.0.0.1", 9192), defaults.virtualClusters().get(0).bootstrap());
        assertEquals(List.of(new HostPort("localhost", 9092)),
                defaults.virtualClusters().get(0).targetBootstrapServers());
        assertEquals(1024, defaults.maxFrameBytes());
        assertEquals(new HostPort("127.0.0.1", 7000), set.virtualClusters().get(0).bootstrap());
        assertEquals(List.of(new HostPort("a", 1), new HostPort("b", 2)),
                set.virtualClusters().get(0).targetBootstrapServers());
        assertEquals(2048, set.maxFrameBytes());
    }

    @Test
    void takesTheDefaultForAnEmptyVariableAsTheShellDoes() throws ConfigException {
        String yaml = MINIMAL.replace("127.0.0.1:9192", "127.0.0.1:${PORT:-9192}");

        assertEquals(9192, load(yaml, Map.of("PORT", "")).virtualClusters().get(0).bootstrap().port());
    }

    @Test
    void keepsAnEscapedPlaceholderLiteral() throws ConfigException {
        String yaml = MINIMAL.replace("name: a", "name: cost$${x}");

        assertEquals("cost${x}", load(yaml).virtualClusters().get(0).name());
    }

    @Test
    void namesTheKeyAndVariableOfAnUnsetVariableWithoutDefault() {
        String message = error(MINIMAL.replace("kafka:9092", "${KAFKA_BOOTSTRAP}"));

        assertEquals("virtualClusters[0].target.bootstrapServers: environment variable KAFKA_BOOTSTRAP is not set "
                + "and ${KAFKA_BOOTSTRAP} has no default (write ${KAFKA_BOOTSTRAP:-default} to give one)", message);
    }

    @Test
    void namesTheListIndexOfAnUnsetVariable() {
        String message = error(MINIMAL.replace("kafka:9092", "[ 'k1:1', '${MISSING}' ]"));

        assertStartsWith("virtualClusters[0].target.bootstrapServers[1]: environment variable MISSING", message);
    }

    @Test
    void rejectsAnUnclosedPlaceholder() {
        assertStartsWith("virtualClusters[0].name: '${' without a closing '}'",
                error(MINIMAL.replace("name: a", "name: ${A")));
    }

    @Test
    void namesAnUnknownKeyAndTheKnownOnes() {
        String message = error(MINIMAL.replace("bootstrap:", "bootstrp:"));

        assertEquals("virtualClusters[0].bootstrp: unknown key "
                + "(known: name, bootstrap, advertisedHost, nodeIds, target, filters, tls, sni, sasl)", message);
    }

    @Test
    void namesTheTopLevelKeys() {
        assertStartsWith("filter: unknown key (known: virtualClusters, network, filters, defaultFilters, plugins",
                error(MINIMAL + "filter: []\n"));
    }

    @Test
    void namesAMissingName() {
        assertEquals("virtualClusters[0].name: missing required key",
                error(MINIMAL.replace("  - name: a\n    ", "  - ")));
    }

    @Test
    void rejectsAnEmptyName() {
        assertEquals("virtualClusters[0].name: must not be empty", error(MINIMAL.replace("name: a", "name: ' '")));
    }

    @Test
    void namesAMissingTargetBootstrapServers() {
        String message = error(MINIMAL.replace("bootstrapServers: kafka:9092", "{}").replace("target:\n", "target: "));

        assertEquals("virtualClusters[0].target.bootstrapServers: missing required key", message);
    }

    @Test
    void namesAMissingTarget() {
        assertEquals("virtualClusters[0].target: missing required key",
                error(MINIMAL.replace("    target:\n      bootstrapServers: kafka:9092\n", "")));
    }

    @Test
    void namesAMissingVirtualClusters() {
        assertEquals("virtualClusters: at least one virtual cluster is required (or a mesh)", error("network: {}\n"));
        assertEquals("virtualClusters: at least one virtual cluster is required (or a mesh)", error("virtualClusters: []\n"));
    }

    @Test
    void rejectsAnOutOfRangePort() {
        assertEquals("virtualClusters[0].bootstrap: '127.0.0.1:99999': port 99999 is outside 0-65535",
                error(MINIMAL.replace("127.0.0.1:9192", "127.0.0.1:99999")));
    }

    @Test
    void rejectsAnAddressWithoutPort() {
        assertEquals("virtualClusters[0].bootstrap: 'nohostport' is not host:port",
                error(MINIMAL.replace("127.0.0.1:9192", "nohostport")));
        assertEquals("virtualClusters[0].target.bootstrapServers: 'nohostport' is not host:port",
                error(MINIMAL.replace("kafka:9092", "kafka:9092,nohostport")));
        assertEquals("virtualClusters[0].target.bootstrapServers[1]: 'nohostport' is not host:port",
                error(MINIMAL.replace("kafka:9092", "[ kafka:9092, nohostport ]")));
    }

    @Test
    void letsPortZeroPickAFreePortWithoutClashing() throws ConfigException {
        String yaml = MINIMAL.replace("127.0.0.1:9192", "127.0.0.1:0") + """
                  - name: b
                    bootstrap: 127.0.0.1:0
                    target: { bootstrapServers: kafka:9092 }
                """;

        assertEquals(0, load(yaml).virtualClusters().get(1).bootstrap().port());
    }

    @Test
    void rejectsBrokerPortsPastTheLastPort() {
        assertEquals("virtualClusters[0].bootstrap: broker ports 65531-65562 for node ids 0-31 run past 65535",
                error(MINIMAL.replace("127.0.0.1:9192", "127.0.0.1:65530")));
    }

    @Test
    void rejectsDuplicateNames() {
        String yaml = MINIMAL + """
                  - name: a
                    bootstrap: 127.0.0.1:9300
                    target: { bootstrapServers: kafka:9092 }
                """;

        assertEquals("virtualClusters[1].name: 'a' is already the name of virtualClusters[0]", error(yaml));
    }

    @Test
    void namesBothClustersOfAPortClash() {
        String yaml = MINIMAL + """
                  - name: b
                    bootstrap: 127.0.0.1:9200
                    target: { bootstrapServers: kafka:9092 }
                """;

        assertEquals("virtualClusters[1].bootstrap: port range 9200-9232 of virtual cluster 'b' on 127.0.0.1 "
                + "clashes with port range 9192-9224 of virtual cluster 'a' on 127.0.0.1 "
                + "(virtualClusters[0].bootstrap)", error(yaml));
    }

    @Test
    void seesAClashWithAWildcardHost() {
        String yaml = MINIMAL + """
                  - name: b
                    bootstrap: 0.0.0.0:9224
                    advertisedHost: proxy
                    target: { bootstrapServers: kafka:9092 }
                """;

        assertStartsWith("virtualClusters[1].bootstrap: port range 9224-9256 of virtual cluster 'b' on 0.0.0.0 "
                + "clashes with", error(yaml));
    }

    @Test
    void allowsAdjacentRangesAndOtherHosts() throws ConfigException {
        String yaml = MINIMAL + """
                  - name: b
                    bootstrap: 127.0.0.1:9225
                    target: { bootstrapServers: kafka:9092 }
                  - name: c
                    bootstrap: 127.0.0.2:9192
                    target: { bootstrapServers: kafka:9092 }
                """;

        assertEquals(3, load(yaml).virtualClusters().size());
    }

    @Test
    void requiresAdvertisedHostBehindAWildcardBootstrap() {
        assertStartsWith("virtualClusters[0].advertisedHost: required because bootstrap listens on the wildcard",
                error(MINIMAL.replace("127.0.0.1:9192", "0.0.0.0:9192")));
        assertStartsWith("virtualClusters[0].advertisedHost: required",
                error(MINIMAL.replace("127.0.0.1:9192", "'[::]:9192'")));
    }

    @Test
    void rejectsAnAdvertisedHostWithAPort() {
        assertStartsWith("virtualClusters[0].advertisedHost: 'proxy:9192' must be a host without a port",
                error(MINIMAL.replace("    target:", "    advertisedHost: proxy:9192\n    target:")));
    }

    @Test
    void namesAMalformedNodeIdRange() {
        assertEquals("virtualClusters[0].nodeIds: last node id 1 is below first node id 5",
                error(MINIMAL.replace("    target:", "    nodeIds: { first: 5, last: 1 }\n    target:")));
        assertEquals("virtualClusters[0].nodeIds.last: missing required key",
                error(MINIMAL.replace("    target:", "    nodeIds: { first: 5 }\n    target:")));
        assertEquals("virtualClusters[0].nodeIds.first: 'x' is not a whole number",
                error(MINIMAL.replace("    target:", "    nodeIds: { first: x, last: 3 }\n    target:")));
    }

    @Test
    void readsDurations() {
        assertEquals(Duration.ofMillis(250), DurationText.parse("250ms"));
        assertEquals(Duration.ofSeconds(10), DurationText.parse("10s"));
        assertEquals(Duration.ofMinutes(2), DurationText.parse(" 2m "));
        assertEquals(Duration.ofHours(1), DurationText.parse("1h"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("10"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("1.5s"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("99999999999999999999h"));
    }

    @Test
    void namesAMalformedDuration() {
        assertEquals("network.connectTimeout: '10' is not a duration (write e.g. 500ms, 10s, 1m or 2h)",
                error(MINIMAL + "network: { connectTimeout: 10 }\n"));
        assertEquals("network.connectTimeout: must be longer than 0",
                error(MINIMAL + "network: { connectTimeout: 0s }\n"));
    }

    @Test
    void namesATooSmallFrameLimit() {
        assertEquals("network.maxFrameBytes: 10 is below the minimum of 64 bytes",
                error(MINIMAL + "network: { maxFrameBytes: 10 }\n"));
        assertEquals("network.maxFrameBytes: '1.5' is not a whole number",
                error(MINIMAL + "network: { maxFrameBytes: 1.5 }\n"));
    }

    @Test
    void namesAValueOfTheWrongShape() {
        assertEquals("virtualClusters: expected a list", error("virtualClusters: foo\n"));
        assertEquals("virtualClusters[0].target: expected a mapping of keys",
                error(MINIMAL.replace("target:\n      bootstrapServers: kafka:9092", "target: kafka:9092")));
    }

    @Test
    void namesADuplicateKey() {
        assertEquals("virtualClusters[0].name: line 3, column 9: duplicate key 'name'",
                error(MINIMAL.replace("    bootstrap:", "    name: b\n    bootstrap:")));
    }

    @Test
    void reportsBrokenYamlOnOneLine() {
        String message = error("virtualClusters:\n  - name: [unclosed\n");

        assertEquals(1, message.lines().count(), message);
        assertStartsWith("virtualClusters[0]", message);
        assertStartsWith("virtualClusters[0]: line 3, column 4: expected <block end>",
                error("virtualClusters:\n  - name: a\n   bad: indent\n"));
    }

    @Test
    void rejectsASecondDocument() {
        assertEquals("line 7, column 1: a second YAML document; the configuration must be a single document",
                error(MINIMAL + "---\nfoo: 1\n"));
    }

    @Test
    void rejectsAnEmptyDocument() {
        assertStartsWith("the configuration is empty", error(""));
        assertStartsWith("the configuration must be a mapping", error("- a\n"));
    }

    private static void assertStartsWith(String prefix, String actual) {
        if (!actual.startsWith(prefix)) {
            assertEquals(prefix, actual, "expected a message starting with the first");
        }
    }
}
