package io.kanal.app.config;

import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code filters}, {@code defaultFilters}, chain, {@code plugins} and {@code network.filterTimeout} keys. */
class FilterConfigTest {

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private ConfigLoader loader;

    @TempDir
    Path directory;

    @BeforeEach
    void forgetEarlierFilters() {
        TestFilters.MADE.clear();
        loader = new ConfigLoader(Map.<String, String>of()::get, registry, Optional.empty());
    }

    @AfterEach
    void close() {
        loader.close();
    }

    private ProxyConfig load(String yaml) throws ConfigException {
        return loader.parse(yaml);
    }

    private String error(String yaml) {
        return assertThrows(ConfigException.class, () -> load(yaml)).getMessage();
    }

    /** A cluster named {@code name} on its own port, with {@code extra} indented below it. */
    private static String cluster(String name, int port, String extra) {
        return """
                  - name: %s
                    bootstrap: 127.0.0.1:%d
                    nodeIds: { first: 0, last: 0 }
                    target: { bootstrapServers: kafka:9092 }
                """.formatted(name, port) + extra.indent(4);
    }

    private static final String TWO_FILTERS = """
            filters:
              - name: plain
                type: test-no-config
              - name: limited
                type: test-with-config
                config: { allow: ["orders\\\\..*"], limit: 3 }
            """;

    private static List<String> names(VirtualClusterConfig cluster) {
        return cluster.filters().stream().map(NamedFilter::name).toList();
    }

    @Test
    void buildsEachClustersChainFromTheDefinitions() throws ConfigException {
        ProxyConfig config = load(TWO_FILTERS + """
                defaultFilters: [limited]
                virtualClusters:
                """ + cluster("own", 9100, "filters: [limited, plain]")
                + cluster("defaults", 9110, "")
                + cluster("none", 9120, "filters: []"));

        List<VirtualClusterConfig> clusters = config.virtualClusters();
        assertEquals(List.of("limited", "plain"), names(clusters.get(0)));
        assertEquals(List.of("limited"), names(clusters.get(1)));
        assertEquals(List.of(), names(clusters.get(2)));
        // One instance per definition, shared by every chain that names it.
        assertSame(clusters.get(0).filters().get(0).filter(), clusters.get(1).filters().get(0).filter());
        assertEquals(2, TestFilters.MADE.size());

        TestFilters.Recording limited = (TestFilters.Recording) clusters.get(1).filters().get(0).filter();
        assertEquals("limited", limited.name);
        assertSame(registry, limited.meterRegistry);
        assertEquals(new TestFilters.WithConfig.Settings(List.of("orders\\..*"), 3), limited.config);
        assertNull(((TestFilters.Recording) clusters.get(0).filters().get(1).filter()).config);
    }

    @Test
    void withoutFiltersEveryChainIsEmpty() throws ConfigException {
        ProxyConfig config = load("virtualClusters:\n" + cluster("a", 9100, ""));

        assertEquals(List.of(), config.virtualClusters().get(0).filters());
        assertEquals(ProxyConfig.DEFAULT_FILTER_TIMEOUT, config.filterTimeout());
    }

    @Test
    void anAbsentConfigBindsLikeAnEmptyOne() throws ConfigException {
        load("""
                filters:
                  - { name: defaults, type: test-with-config }
                virtualClusters:
                """ + cluster("a", 9100, "filters: [defaults]"));

        assertEquals(new TestFilters.WithConfig.Settings(null, null), TestFilters.MADE.get(0).config);
    }

    @Test
    void readsTheFilterTimeout() throws ConfigException {
        String clusters = "virtualClusters:\n" + cluster("a", 9100, "");

        assertEquals(Duration.ofMillis(1500), load(clusters + "network: { filterTimeout: 1500ms }").filterTimeout());
        assertEquals("network.filterTimeout: must be longer than 0",
                error(clusters + "network: { filterTimeout: 0s }"));
        assertTrue(error(clusters + "network: { filterTimeout: soon }")
                .startsWith("network.filterTimeout: 'soon' is not a duration"));
    }

    @Test
    void namesTheKeyOfABadDefinition() {
        String clusters = "virtualClusters:\n" + cluster("a", 9100, "");

        String unknownType = error("""
                filters:
                  - { name: a, type: test-no-config }
                  - { name: b, type: x }
                """ + clusters);
        assertTrue(unknownType.startsWith("filters[1].type: unknown filter type 'x' (known: "), unknownType);
        assertTrue(unknownType.contains("test-no-config, test-with-config"), unknownType);

        assertEquals("filters[1].name: 'a' is already the name of filters[0]", error("""
                filters:
                  - { name: a, type: test-no-config }
                  - { name: a, type: test-with-config }
                """ + clusters));
        assertEquals("filters[0].type: missing required key", error("filters: [ { name: a } ]\n" + clusters));
        assertEquals("filters[0].name: missing required key",
                error("filters: [ { type: test-no-config } ]\n" + clusters));
        assertEquals("filters[0].kind: unknown key (known: name, type, config)",
                error("filters: [ { name: a, kind: test-no-config } ]\n" + clusters));
    }

    @Test
    void namesTheKeyInsideAFiltersConfig() {
        String clusters = "virtualClusters:\n" + cluster("a", 9100, "");

        assertEquals("filters[0].config.allow[1]: expected a single value", error("""
                filters:
                  - name: a
                    type: test-with-config
                    config: { allow: [ "ok", { nested: map } ] }
                """ + clusters));
        assertEquals("filters[0].config.alow: unknown key (known: allow, limit)", error("""
                filters:
                  - { name: a, type: test-with-config, config: { alow: [ x ] } }
                """ + clusters));
        assertEquals("filters[0].config.limit: 'many' is not a whole number", error("""
                filters:
                  - { name: a, type: test-with-config, config: { limit: many } }
                """ + clusters));
        assertEquals("filters[0].config: expected a mapping of keys", error("""
                filters:
                  - { name: a, type: test-with-config, config: [ 1 ] }
                """ + clusters));
        assertEquals("filters[0].config: filter type 'test-no-config' takes no configuration", error("""
                filters:
                  - { name: a, type: test-no-config, config: { any: thing } }
                """ + clusters));
    }

    @Test
    void reportsWhatTheFactoryRefusesAtTheConfigKeyAndClosesWhatWasMade() {
        assertEquals("filters[1].config: limit must not be negative", error("""
                filters:
                  - { name: first, type: test-no-config }
                  - { name: second, type: test-with-config, config: { limit: -1 } }
                virtualClusters:
                """ + cluster("a", 9100, "")));

        assertEquals(1, TestFilters.MADE.size());
        assertEquals(1, TestFilters.MADE.get(0).closed.get());
    }

    @Test
    void namesTheChainEntryThatNamesNoFilter() {
        assertEquals("virtualClusters[0].filters[2]: no filter named 'x'", error(TWO_FILTERS + "virtualClusters:\n"
                + cluster("a", 9100, "filters: [plain, limited, x]")));
        assertEquals("defaultFilters[0]: no filter named 'x'", error(TWO_FILTERS + "defaultFilters: [x]\n"
                + "virtualClusters:\n" + cluster("a", 9100, "")));
        assertEquals("virtualClusters[0].filters[1]: 'plain' is already in this chain at "
                + "virtualClusters[0].filters[0]", error(TWO_FILTERS + "virtualClusters:\n"
                + cluster("a", 9100, "filters: [plain, plain]")));
        assertEquals("virtualClusters[0].filters[0]: must name a filter", error(TWO_FILTERS + "virtualClusters:\n"
                + cluster("a", 9100, "filters: [ \"\" ]")));
    }

    @Test
    void aLaterConfigErrorClosesTheFiltersAlreadyMade() {
        String clash = error(TWO_FILTERS + "virtualClusters:\n"
                + cluster("a", 9100, "filters: [plain]") + cluster("b", 9100, ""));

        assertTrue(clash.startsWith("virtualClusters[1].bootstrap: port range 9100-9101"), clash);
        assertEquals(2, TestFilters.MADE.size());
        TestFilters.MADE.forEach(filter -> assertEquals(1, filter.closed.get(), filter.name));
    }

    @Test
    void closingTheLoaderClosesEveryFilterOnceSharedOrUnused() throws ConfigException {
        load(TWO_FILTERS + "virtualClusters:\n" + cluster("a", 9100, "filters: [limited]")
                + cluster("b", 9110, "filters: [limited]"));
        TestFilters.MADE.forEach(filter -> assertEquals(0, filter.closed.get(), filter.name));

        loader.close();
        loader.close();

        assertEquals(2, TestFilters.MADE.size());
        TestFilters.MADE.forEach(filter -> assertEquals(1, filter.closed.get(), filter.name));
    }

    @Test
    void aPluginsDirectoryMustExist() throws Exception {
        Path missing = directory.resolve("missing");
        String yaml = "plugins: { directory: " + missing + " }\nvirtualClusters:\n" + cluster("a", 9100, "");

        assertEquals("plugins.directory: no directory " + missing, error(yaml));
        Path file = Files.writeString(directory.resolve("file.txt"), "");
        assertEquals("plugins.directory: " + file + " is not a directory",
                error("plugins: { directory: " + file + " }\nvirtualClusters:\n" + cluster("a", 9100, "")));
        assertEquals("plugins.directory: must not be empty",
                error("plugins: { directory: \"\" }\nvirtualClusters:\n" + cluster("a", 9100, "")));

        // --plugins takes the place of plugins.directory, and is named in its own errors.
        try (ConfigLoader withOption = new ConfigLoader(Map.<String, String>of()::get, registry,
                Optional.of(directory))) {
            assertEquals(List.of(), withOption.parse(yaml).virtualClusters().get(0).filters());
        }
        try (ConfigLoader withOption = new ConfigLoader(Map.<String, String>of()::get, registry,
                Optional.of(missing))) {
            assertEquals("--plugins: no directory " + missing,
                    assertThrows(ConfigException.class, () -> withOption.parse(yaml)).getMessage());
        }
    }
}
