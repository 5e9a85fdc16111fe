package io.kanal.app.plugins;

import io.kanal.app.config.ConfigException;
import io.kanal.app.config.ConfigLoader;
import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.filter.FilterFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilterFactoriesTest {

    private static final ClassLoader APPLICATION = FilterFactories.class.getClassLoader();

    @TempDir
    Path temp;

    private Path plugins;

    @BeforeEach
    void createPluginsDirectory() throws IOException {
        plugins = Files.createDirectory(temp.resolve("plugins"));
    }

    @Test
    void findsTheClassPathsFactories() throws ConfigException {
        try (FilterFactories factories = FilterFactories.fromClassPath()) {
            assertTrue(factories.types().contains("test-no-config"), factories.types().toString());
            assertSame(APPLICATION, factories.find("test-no-config").orElseThrow().getClass().getClassLoader());
            assertEquals(Optional.empty(), factories.find("tiny"));
        }
    }

    @Test
    void loadsAFactoryFromAJarInTheDirectoryWithItsOwnClassLoader() throws Exception {
        PluginJars.factoryJar(plugins, "tiny.jar", "TinyFactory", "tiny");

        try (FilterFactories factories = FilterFactories.fromClassPathAndDirectory(plugins, "--plugins")) {
            FilterFactory<?> tiny = factories.find("tiny").orElseThrow();
            assertEquals("plugin.TinyFactory", tiny.getClass().getName());
            assertNotSame(APPLICATION, tiny.getClass().getClassLoader());
            assertSame(APPLICATION, tiny.getClass().getClassLoader().getParent());
            assertThrows(ClassNotFoundException.class, () -> Class.forName("plugin.TinyFactory", false, APPLICATION));
            // The class path's factories are still there, and the filter API is the application's own.
            assertTrue(factories.types().containsAll(List.of("test-no-config", "tiny")));
            assertSame(FilterFactory.class,
                    Class.forName(FilterFactory.class.getName(), false, tiny.getClass().getClassLoader()));
        }
    }

    @Test
    void refusesTwoFactoriesOfTheSameTypeNamingBoth() throws Exception {
        Path first = PluginJars.factoryJar(plugins, "a.jar", "FirstFactory", "tiny");
        Path second = PluginJars.factoryJar(plugins, "b.jar", "SecondFactory", "tiny");

        String message = assertThrows(ConfigException.class,
                () -> FilterFactories.fromClassPathAndDirectory(plugins, "--plugins")).getMessage();

        assertEquals("filter type 'tiny' is provided twice: by plugin.FirstFactory (" + first
                + ") and by plugin.SecondFactory (" + second + ")", message);
    }

    @Test
    void refusesAPluginTypeThatTheClassPathAlreadyHas() throws Exception {
        Path jar = PluginJars.factoryJar(plugins, "clash.jar", "ClashFactory", "test-no-config");

        String message = assertThrows(ConfigException.class,
                () -> FilterFactories.fromClassPathAndDirectory(plugins, "--plugins")).getMessage();

        assertTrue(message.startsWith("filter type 'test-no-config' is provided twice: by "
                + "io.kanal.app.config.TestFilters$NoConfig ("), message);
        assertTrue(message.endsWith(" and by plugin.ClashFactory (" + jar + ")"), message);
    }

    @Test
    void reportsAFactoryThatCannotBeLoaded() throws Exception {
        PluginJars.brokenJar(plugins, "broken.jar", "plugin.Missing");

        assertEquals("cannot load a filter factory: io.kanal.proxy.filter.FilterFactory: Provider plugin.Missing not "
                + "found", assertThrows(ConfigException.class,
                () -> FilterFactories.fromClassPathAndDirectory(plugins, "--plugins")).getMessage());
    }

    @Test
    void namesTheOptionWhenTheDirectoryIsMissingOrNotADirectory() throws IOException {
        Path missing = temp.resolve("missing");
        assertEquals("--plugins: no directory " + missing, assertThrows(ConfigException.class,
                () -> FilterFactories.fromClassPathAndDirectory(missing, "--plugins")).getMessage());

        Path file = Files.writeString(temp.resolve("file.jar"), "");
        assertEquals("plugins.directory: " + file + " is not a directory", assertThrows(ConfigException.class,
                () -> FilterFactories.fromClassPathAndDirectory(file, "plugins.directory")).getMessage());
    }

    @Test
    void theConfigurationMakesFiltersOfAPluginType() throws Exception {
        PluginJars.factoryJar(plugins, "tiny.jar", "TinyFactory", "tiny");
        String yaml = """
                filters:
                  - { name: small, type: tiny }
                virtualClusters:
                  - name: a
                    bootstrap: 127.0.0.1:9100
                    target: { bootstrapServers: kafka:9092 }
                    filters: [small]
                """;

        try (ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get, new SimpleMeterRegistry(),
                Optional.of(plugins))) {
            ProxyConfig config = loader.parse(yaml);
            NamedFilter small = config.virtualClusters().get(0).filters().get(0);
            assertEquals("small", small.name());
            assertNotSame(APPLICATION, small.filter().getClass().getClassLoader());

            // With a directory, an unknown type is a typing mistake or a jar missing from it: no hint about the option.
            String message = assertThrows(ConfigException.class, () -> loader.parse(yaml.replace("type: tiny",
                    "type: tin"))).getMessage();
            assertTrue(message.startsWith("filters[0].type: unknown filter type 'tin' (known: "), message);
            assertTrue(message.endsWith(", tiny, topic-policy)"), message);
        }

        // Without the directory the type is unknown.
        try (ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get)) {
            String message = assertThrows(ConfigException.class, () -> loader.parse(yaml)).getMessage();
            assertTrue(message.startsWith("filters[0].type: unknown filter type 'tiny' (known: "), message);
            assertTrue(message.endsWith("(--plugins DIR or plugins.directory), and none is set"), message);
        }
    }
}
