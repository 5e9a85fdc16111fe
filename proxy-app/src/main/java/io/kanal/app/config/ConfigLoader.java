package io.kanal.app.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kanal.app.admin.AdminSettings;
import io.kanal.app.plugins.FilterFactories;
import io.kanal.mesh.config.MeshConfig;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.filter.Filter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a Kanal YAML configuration into the engine's {@link ProxyConfig}: parses it, substitutes environment
 * variables in its string values, binds it strictly and validates it. Every failure is one
 * {@link ConfigException} naming the key at fault.
 *
 * <p>Loading also makes the configured filters, with the filter factories found on the class path and in the plugins
 * directory. The loader owns them: {@link #close()} closes every filter it made, then the plugins' class loader, and
 * is meant to run once the proxy using them has stopped.
 *
 * <p>{@link #loadReplacement} loads a file to replace a running configuration this loader loaded: filters whose
 * definitions did not change are kept rather than made again, and the plugins directory is read again only when it
 * changed.
 */
public final class ConfigLoader implements AutoCloseable {

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
    private static final String PLUGINS_OPTION = "--plugins";
    private static final String PLUGINS_KEY = "plugins.directory";

    private final EnvironmentSubstitution substitution;
    private final MeterRegistry meterRegistry;
    private final Optional<Path> pluginsDirectory;
    /** The filters each load made, and the factories that made them; both closed by {@link #close()}. */
    private final List<FilterDefinitions> madeFilters = new ArrayList<>();
    private final List<FilterFactories> usedFactories = new ArrayList<>();
    /** What each configuration this loader returned was made with, for {@link #loadReplacement}. */
    private final Map<KanalConfig, Generation> generations = new IdentityHashMap<>();

    /**
     * The filters of one loaded configuration and where its filter types came from. It counts as live, so its filters
     * stay open, until it is discarded or, once replaced, its replacement's commit action has run.
     */
    private static final class Generation {
        final FilterDefinitions filters;
        /** The plugins directory as configured, so that a reload knows whether it changed. */
        final String pluginsKey;
        boolean replaced;

        Generation(FilterDefinitions filters, String pluginsKey) {
            this.filters = filters;
            this.pluginsKey = pluginsKey;
        }
    }

    /**
     * A loader whose filters get a registry of their own and whose plugins come only from the configuration.
     *
     * @param environment looks up an environment variable, {@code null} when it is unset; {@code System::getenv}
     *                    in production
     */
    public ConfigLoader(Function<String, String> environment) {
        this(environment, new SimpleMeterRegistry(), Optional.empty());
    }

    /**
     * @param environment      looks up an environment variable, {@code null} when it is unset
     * @param meterRegistry    the registry filters register their metrics with
     * @param pluginsDirectory {@code --plugins DIR}: replaces the configuration's {@code plugins.directory}
     */
    public ConfigLoader(Function<String, String> environment, MeterRegistry meterRegistry,
                        Optional<Path> pluginsDirectory) {
        this.substitution = new EnvironmentSubstitution(Objects.requireNonNull(environment, "environment"));
        this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
        this.pluginsDirectory = Objects.requireNonNull(pluginsDirectory, "pluginsDirectory");
    }

    /** Loads the configuration file at {@code file}. */
    public ProxyConfig load(Path file) throws ConfigException {
        return loadAll(file).proxy();
    }

    /** Loads the configuration file at {@code file}: the engine's configuration and the app's around it. */
    public KanalConfig loadAll(Path file) throws ConfigException {
        return parseAll(read(file));
    }

    private static String read(Path file) throws ConfigException {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("cannot read " + file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new ConfigException("cannot read " + file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Loads a configuration from its YAML text. */
    public ProxyConfig parse(String yaml) throws ConfigException {
        return parseAll(yaml).proxy();
    }

    /** Loads a configuration from its YAML text: the engine's configuration and the app's around it. */
    public KanalConfig parseAll(String yaml) throws ConfigException {
        return parse(yaml, null, null).config();
    }

    /**
     * Loads {@code file} to replace {@code running}, a configuration this loader loaded. Filters whose definitions
     * (type and {@code config}) are the same as in {@code running} are the running instances, so the engine sees the
     * virtual clusters using them unchanged; the others are made. The admin server cannot move and the mesh does
     * not change while Kanal runs: a changed {@code admin} or {@code mesh} section is checked, then logged and left
     * for the next start.
     *
     * @throws ConfigException naming the problem, as {@link #loadAll} does; nothing made for it is left open
     */
    public Replacement loadReplacement(Path file, KanalConfig running) throws ConfigException {
        Generation previous;
        synchronized (this) {
            previous = generations.get(running);
        }
        if (previous == null || previous.replaced) {
            throw new IllegalArgumentException("the running configuration was not loaded by this loader, or has "
                    + "been replaced already");
        }
        Loaded loaded = parse(read(file), previous, running);
        return new Replacement(running, loaded.config(), loaded.generation().filters.madeNames());
    }

    /**
     * A configuration loaded to replace a running one, with its filters made. Either {@link #commit()} it once it
     * runs, or {@link #discard()} it.
     */
    public final class Replacement {
        private final KanalConfig running;
        private final KanalConfig config;
        private final List<String> madeFilters;
        private boolean settled;

        private Replacement(KanalConfig running, KanalConfig config, List<String> madeFilters) {
            this.running = running;
            this.config = config;
            this.madeFilters = madeFilters;
        }

        public KanalConfig config() {
            return config;
        }

        /** The filters made for this configuration, because they are new or their definitions changed. */
        public List<String> madeFilters() {
            return madeFilters;
        }

        /**
         * This configuration runs now, in place of the one it replaces.
         *
         * @return closes the filters only the replaced configuration used, and its plugins' class loader when that
         *         changed; to run once nothing calls those filters any more
         */
        public Runnable commit() {
            synchronized (ConfigLoader.this) {
                settle();
                generations.get(running).replaced = true;
                return () -> retire(running);
            }
        }

        /** This configuration will not run: closes the filters made for it, and its factories if they are new. */
        public void discard() {
            synchronized (ConfigLoader.this) {
                settle();
                retire(config);
            }
        }

        private void settle() {
            if (settled) {
                throw new IllegalStateException("already committed or discarded");
            }
            settled = true;
        }
    }

    /**
     * {@code config} no longer runs: closes its filters that no live configuration uses, then the plugins class
     * loaders that no live configuration uses and no open filter came from. Does nothing for a configuration that is
     * gone already.
     */
    private synchronized void retire(KanalConfig config) {
        Generation generation = generations.remove(config);
        if (generation == null) {
            return;
        }
        Set<Filter> live = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<FilterFactories> inUse = Collections.newSetFromMap(new IdentityHashMap<>());
        generations.values().forEach(other -> {
            live.addAll(other.filters.filters());
            inUse.add(other.filters.factories());
        });
        Set<Filter> unused = Collections.newSetFromMap(new IdentityHashMap<>());
        generation.filters.filters().stream().filter(filter -> !live.contains(filter)).forEach(unused::add);
        // A filter kept across reloads belongs to the definitions that first made it.
        madeFilters.forEach(filters -> filters.closeOnly(unused));
        madeFilters.removeIf(FilterDefinitions::allClosed);
        usedFactories.removeIf(factories -> {
            boolean done = !inUse.contains(factories)
                    && madeFilters.stream().noneMatch(filters -> filters.factories() == factories);
            if (done) {
                factories.close();
            }
            return done;
        });
    }

    /** Closes the filters this loader made and then the plugins' class loader. */
    @Override
    public synchronized void close() {
        madeFilters.forEach(FilterDefinitions::close);
        madeFilters.clear();
        usedFactories.forEach(FilterFactories::close);
        usedFactories.clear();
        generations.clear();
    }

    private record Loaded(KanalConfig config, Generation generation) {
    }

    /**
     * Parses, substitutes, binds and maps a configuration, making its filters.
     *
     * @param previous what the configuration replaces, whose unchanged filters it keeps; {@code null} for none
     * @param running  the running configuration when replacing, whose admin and mesh settings stay as they are
     */
    private Loaded parse(String yaml, Generation previous, KanalConfig running) throws ConfigException {
        JsonNode tree;
        ConfigDocument document;
        try {
            tree = YAML.readTree(yaml);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new ConfigException("the configuration is empty; it needs at least virtualClusters or a mesh");
            }
            if (!tree.isObject()) {
                throw new ConfigException("the configuration must be a mapping of keys, such as virtualClusters");
            }
            substitution.apply(tree);
            document = YAML.treeToValue(tree, ConfigDocument.class);
        } catch (JacksonException e) {
            throw JacksonErrors.toConfigException(e);
        }
        String pluginsKey = pluginsKey(document.plugins());
        boolean samePlugins = previous != null && previous.pluginsKey.equals(pluginsKey);
        FilterFactories factories = samePlugins ? previous.filters.factories() : filterFactories(document.plugins());
        FilterDefinitions filters = null;
        try {
            filters = FilterDefinitions.make(document.filters(), factories, YAML, meterRegistry,
                    samePlugins ? previous.filters : null);
            ProxyConfig config = ProxyConfigMapper.map(document, filters);
            Optional<MeshConfig> mesh = MeshSectionMapper.map(document.mesh(), config);
            if (running != null && !mesh.equals(running.mesh())) {
                // The running mesh stays, so it is its port the new virtual clusters must stay clear of.
                mesh = running.mesh();
                MeshSectionMapper.checkClear(mesh, config);
                keepRunningSection(tree, running.document(), "mesh");
                LOG.warn("mesh: the mesh does not change while Kanal runs; its new settings take effect at the next "
                        + "start");
            }
            AdminSettings admin = AdminSectionMapper.map(document.admin(), config, mesh);
            AdminSettings runningAdmin = running == null ? null : running.admin();
            if (runningAdmin != null && !admin.equals(runningAdmin)) {
                // Checked against the running admin server's port instead, which stays where it is.
                admin = AdminSectionMapper.map(runningAdmin.enabled()
                        ? new AdminSection(true, runningAdmin.listen().toString())
                        : new AdminSection(false, null), config, mesh);
                LOG.warn("admin: the admin server does not move while Kanal runs; its new settings take effect at "
                        + "the next start");
            }
            filters.warnUnused(config);
            KanalConfig loaded = new KanalConfig(config, admin, tree.deepCopy(), reload(document.reload()), mesh);
            Generation generation = new Generation(filters, pluginsKey);
            synchronized (this) {
                madeFilters.add(filters);
                if (!samePlugins) {
                    usedFactories.add(factories);
                }
                generations.put(loaded, generation);
            }
            return new Loaded(loaded, generation);
        } catch (ConfigException | RuntimeException e) {
            if (filters != null) {
                filters.close();
            }
            if (!samePlugins) {
                factories.close();
            }
            throw e;
        }
    }

    /** Makes {@code tree} show {@code key} as the running configuration has it, since that is what runs. */
    private static void keepRunningSection(JsonNode tree, JsonNode runningDocument, String key) {
        ObjectNode object = (ObjectNode) tree;
        JsonNode runningSection = runningDocument.get(key);
        if (runningSection == null) {
            object.remove(key);
        } else {
            object.set(key, runningSection.deepCopy());
        }
    }

    private static ReloadSettings reload(ReloadSection section) {
        if (section == null || section.watch() == null) {
            return ReloadSettings.DEFAULT;
        }
        return new ReloadSettings(section.watch());
    }

    /** Where filter types come from, as configured: equal keys find the same factories. */
    private String pluginsKey(PluginsSection plugins) {
        if (pluginsDirectory.isPresent()) {
            return PLUGINS_OPTION + " " + pluginsDirectory.get();
        }
        return plugins == null || plugins.directory() == null ? "" : PLUGINS_KEY + " " + plugins.directory();
    }

    private FilterFactories filterFactories(PluginsSection plugins) throws ConfigException {
        if (pluginsDirectory.isPresent()) {
            return FilterFactories.fromClassPathAndDirectory(pluginsDirectory.get(), PLUGINS_OPTION);
        }
        if (plugins == null || plugins.directory() == null) {
            return FilterFactories.fromClassPath();
        }
        if (plugins.directory().isBlank()) {
            throw new ConfigException(PLUGINS_KEY + ": must not be empty");
        }
        Path directory;
        try {
            directory = Path.of(plugins.directory());
        } catch (InvalidPathException e) {
            throw new ConfigException(PLUGINS_KEY + ": '" + plugins.directory() + "' is not a path");
        }
        return FilterFactories.fromClassPathAndDirectory(directory, PLUGINS_KEY);
    }
}
