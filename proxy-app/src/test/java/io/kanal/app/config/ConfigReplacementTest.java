package io.kanal.app.config;

import io.kanal.proxy.config.VirtualClusterConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ConfigLoader#loadReplacement}: which filters a reload keeps and which it makes, and when the ones it no longer
 * needs are closed.
 */
class ConfigReplacementTest {

    private ConfigLoader loader;

    @TempDir
    Path directory;

    @BeforeEach
    void forgetEarlierFilters() {
        TestFilters.MADE.clear();
        loader = new ConfigLoader(Map.<String, String>of()::get, new SimpleMeterRegistry(), Optional.empty());
    }

    @AfterEach
    void close() {
        loader.close();
    }

    @Test
    void unchangedDefinitionsKeepTheirFiltersSoTheClustersUsingThemAreEqual() throws Exception {
        KanalConfig running = loader.loadAll(write(config(1, 2, "a: [keep]", "b: [change]")));
        TestFilters.Recording keep = made("keep");
        TestFilters.Recording change = made("change");

        // Reordered keys and a comment do not change a definition; a changed limit does.
        ConfigLoader.Replacement next = loader.loadReplacement(write("""
                # rewritten
                filters:
                  - { type: test-with-config, name: change, config: { limit: 3 } }
                  - { config: { limit: 1 }, name: keep, type: test-with-config }
                """ + clusters("a: [keep]", "b: [change]")), running);

        assertEquals(List.of("change"), next.madeFilters());
        assertEquals(cluster(running, "a"), cluster(next.config(), "a"));
        assertNotEquals(cluster(running, "b"), cluster(next.config(), "b"));
        assertSame(keep, cluster(next.config(), "a").filters().get(0).filter());
        assertNotSame(change, cluster(next.config(), "b").filters().get(0).filter());

        Runnable closeRetired = next.commit();
        assertEquals(0, change.closed.get(), "still used until the old connections have closed");
        closeRetired.run();
        assertEquals(1, change.closed.get());
        assertEquals(0, keep.closed.get());

        loader.close();
        assertEquals(1, keep.closed.get());
        assertEquals(1, made("change", 1).closed.get());
        assertEquals(1, change.closed.get(), "closed once");
    }

    @Test
    void aDiscardedReplacementClosesOnlyTheFiltersMadeForIt() throws Exception {
        KanalConfig running = loader.loadAll(write(config(1, 2, "a: [keep]", "b: [change]")));

        ConfigLoader.Replacement next = loader.loadReplacement(write(config(1, 5, "a: [keep]",
                "b: [change]")), running);
        next.discard();

        assertEquals(0, made("keep").closed.get());
        assertEquals(0, made("change").closed.get());
        assertEquals(1, made("change", 1).closed.get());
        // The running configuration can still be replaced.
        loader.loadReplacement(write(config(1, 2, "a: [keep]", "b: [change]")), running).commit().run();
        assertEquals(0, made("keep").closed.get());
        assertEquals(0, made("change").closed.get());
    }

    @Test
    void aFilterKeptByOneReloadAndDroppedByTheNextClosesOnlyOnceNoConfigurationUsingItRuns() throws Exception {
        KanalConfig first = loader.loadAll(write(config(1, 2, "a: [keep]", "b: [change]")));
        TestFilters.Recording keep = made("keep");

        ConfigLoader.Replacement second = loader.loadReplacement(write(config(1, 3, "a: [keep]",
                "b: [change]")), first);
        Runnable retireFirst = second.commit();
        ConfigLoader.Replacement third = loader.loadReplacement(write("""
                filters:
                  - { name: change, type: test-with-config, config: { limit: 3 } }
                """ + clusters("a: [change]", "b: [change]")), second.config());
        Runnable retireSecond = third.commit();

        // The first configuration's connections closed before the second's: the second still uses 'keep'.
        retireFirst.run();
        assertEquals(0, keep.closed.get());
        retireSecond.run();
        assertEquals(1, keep.closed.get());
    }

    @Test
    void aFilterFactoryRefusingTheNewConfigurationIsAConfigErrorAndLeavesNothingOpen() throws Exception {
        KanalConfig running = loader.loadAll(write(config(1, 2, "a: [keep]", "b: [change]")));

        ConfigException error = assertThrows(ConfigException.class, () -> loader.loadReplacement(
                write(config(1, -1, "a: [keep]", "b: [change]")), running));

        assertEquals("filters[1].config: limit must not be negative", error.getMessage());
        TestFilters.MADE.forEach(filter -> assertEquals(0, filter.closed.get(), filter.name));
        assertEquals(2, TestFilters.MADE.size());
    }

    @Test
    void onlyTheRunningConfigurationCanBeReplaced() throws Exception {
        KanalConfig running = loader.loadAll(write(config(1, 2, "a: [keep]", "b: [change]")));
        loader.loadReplacement(write(config(1, 2, "a: [keep]", "b: [change]")), running).commit();

        assertThrows(IllegalArgumentException.class,
                () -> loader.loadReplacement(write(config(1, 2, "a: [keep]", "b: [change]")), running));
        KanalConfig elsewhere = new ConfigLoader(Map.<String, String>of()::get)
                .loadAll(write(config(1, 2, "a: [keep]", "b: [change]")));
        assertThrows(IllegalArgumentException.class, () -> loader.loadReplacement(
                write(config(1, 2, "a: [keep]", "b: [change]")), elsewhere));
    }

    @Test
    void theReloadSectionDefaultsToWatchingTheFile() throws Exception {
        assertTrue(loader.parseAll(clusters("a: []", "b: []")).reload().watch());
        assertFalse(loader.parseAll(clusters("a: []", "b: []") + "reload: { watch: false }\n").reload().watch());
        ConfigException error = assertThrows(ConfigException.class,
                () -> loader.parseAll(clusters("a: []", "b: []") + "reload: { watch: false, every: 5s }\n"));
        assertTrue(error.getMessage().startsWith("reload.every: unknown key"), error.getMessage());
    }

    @Test
    void aChangedAdminSectionIsLeftForTheNextStart() throws Exception {
        KanalConfig running = loader.loadAll(write(clusters("a: []", "b: []") + "admin: { listen: 127.0.0.1:9400 }\n"));

        KanalConfig next = loader.loadReplacement(write(clusters("a: []", "b: []")
                + "admin: { listen: 127.0.0.1:9401 }\n"), running).config();

        assertEquals(running.admin(), next.admin());
    }

    @Test
    void aChangedMeshSectionIsLeftForTheNextStartAndConfigShowsTheRunningOne() throws Exception {
        String mesh = """
                mesh:
                  listener: { bind: 127.0.0.1:9500 }
                  clusters: [ { name: c1, bootstrapServers: k1:9092 } ]
                  defaultCluster: c1
                """;
        KanalConfig running = loader.loadAll(write(clusters("a: []", "b: []") + mesh));

        KanalConfig next = loader.loadReplacement(write(clusters("a: []", "b: []")
                + mesh.replace("9500", "9501")), running).config();

        assertEquals(running.mesh(), next.mesh());
        assertEquals(running.document().get("mesh"), next.document().get("mesh"));
    }

    @Test
    void aReloadedVirtualClusterMustStayClearOfTheRunningMeshPort() throws Exception {
        KanalConfig running = loader.loadAll(write(clusters("a: []", "b: []") + """
                mesh:
                  listener: { bind: 127.0.0.1:9500 }
                  clusters: [ { name: c1, bootstrapServers: k1:9092 } ]
                  defaultCluster: c1
                """));

        ConfigException error = assertThrows(ConfigException.class, () -> loader.loadReplacement(write(
                clusters("a: []", "b: []").replace("9310", "9499") + """
                mesh:
                  listener: { bind: 127.0.0.1:9600 }
                  clusters: [ { name: c1, bootstrapServers: k1:9092 } ]
                  defaultCluster: c1
                """), running));

        assertEquals("mesh.listener.bind: port 9500 of the mesh on 127.0.0.1 clashes with port range 9499-9500 of virtual "
                + "cluster 'b' on 127.0.0.1 (virtualClusters[1].bootstrap)", error.getMessage());
    }

    // ---- Helpers ----

    /** Filters {@code keep} and {@code change}, with these limits, and the two clusters' chains. */
    private static String config(int keepLimit, int changeLimit, String chainA, String chainB) {
        return """
                filters:
                  - { name: keep, type: test-with-config, config: { limit: %s } }
                  - { name: change, type: test-with-config, config: { limit: %s } }
                """.formatted(keepLimit, changeLimit)
                + clusters(chainA, chainB);
    }

    /** Virtual clusters a and b; {@code chainA} is {@code a: [filters]}. */
    private static String clusters(String chainA, String chainB) {
        return """
                virtualClusters:
                  - name: a
                    bootstrap: 127.0.0.1:9300
                    nodeIds: { first: 0, last: 0 }
                    target: { bootstrapServers: kafka:9092 }
                    filters: %s
                  - name: b
                    bootstrap: 127.0.0.1:9310
                    nodeIds: { first: 0, last: 0 }
                    target: { bootstrapServers: kafka:9092 }
                    filters: %s
                """.formatted(chainA.substring(chainA.indexOf(':') + 1).trim(),
                chainB.substring(chainB.indexOf(':') + 1).trim());
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(directory.resolve("kanal.yaml"), yaml);
    }

    private static VirtualClusterConfig cluster(KanalConfig config, String name) {
        return config.proxy().virtualClusters().stream().filter(cluster -> cluster.name().equals(name)).findFirst()
                .orElseThrow();
    }

    /** The first filter named {@code name} that was made. */
    private static TestFilters.Recording made(String name) {
        return made(name, 0);
    }

    /** The {@code index}th filter named {@code name} that was made. */
    private static TestFilters.Recording made(String name, int index) {
        return TestFilters.MADE.stream().filter(filter -> filter.name.equals(name)).skip(index).findFirst()
                .orElseThrow(() -> new AssertionError("no filter '" + name + "' number " + index + " was made"));
    }
}
