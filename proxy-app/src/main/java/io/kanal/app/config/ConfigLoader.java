package io.kanal.app.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kanal.app.plugins.FilterFactories;
import io.kanal.proxy.config.ProxyConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a Kanal YAML configuration into the engine's {@link ProxyConfig}: parses it, substitutes environment
 * variables in its string values, binds it strictly and validates it. Every failure is one
 * {@link ConfigException} naming the key at fault.
 *
 * <p>Loading also makes the configured filters, with the filter factories found on the class path and in the plugins
 * directory. The loader owns them: {@link #close()} closes every filter it made, then the plugins' class loader, and
 * is meant to run once the proxy using them has stopped.
 */
public final class ConfigLoader implements AutoCloseable {

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    private static final String PLUGINS_OPTION = "--plugins";
    private static final String PLUGINS_KEY = "plugins.directory";

    private final EnvironmentSubstitution substitution;
    private final MeterRegistry meterRegistry;
    private final Optional<Path> pluginsDirectory;
    /** The filters each load made, and the factories that made them; both closed by {@link #close()}. */
    private final List<FilterDefinitions> madeFilters = new ArrayList<>();
    private final List<FilterFactories> usedFactories = new ArrayList<>();

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
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("cannot read " + file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new ConfigException("cannot read " + file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        return parseAll(yaml);
    }

    /** Loads a configuration from its YAML text. */
    public ProxyConfig parse(String yaml) throws ConfigException {
        return parseAll(yaml).proxy();
    }

    /** Loads a configuration from its YAML text: the engine's configuration and the app's around it. */
    public KanalConfig parseAll(String yaml) throws ConfigException {
        try {
            JsonNode tree = YAML.readTree(yaml);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new ConfigException("the configuration is empty; it needs at least virtualClusters");
            }
            if (!tree.isObject()) {
                throw new ConfigException("the configuration must be a mapping of keys, starting with virtualClusters");
            }
            substitution.apply(tree);
            ConfigDocument document = YAML.treeToValue(tree, ConfigDocument.class);
            ProxyConfig config = withFilters(document);
            return new KanalConfig(config, AdminSectionMapper.map(document.admin(), config), tree.deepCopy());
        } catch (JacksonException e) {
            throw JacksonErrors.toConfigException(e);
        }
    }

    /** Closes the filters this loader made and then the plugins' class loader. */
    @Override
    public synchronized void close() {
        madeFilters.forEach(FilterDefinitions::close);
        madeFilters.clear();
        usedFactories.forEach(FilterFactories::close);
        usedFactories.clear();
    }

    /** Maps the document, making its filters with the factories of the class path and the plugins directory. */
    private ProxyConfig withFilters(ConfigDocument document) throws ConfigException {
        FilterFactories factories = filterFactories(document.plugins());
        FilterDefinitions filters;
        ProxyConfig config;
        try {
            filters = FilterDefinitions.make(document.filters(), factories, YAML, meterRegistry);
            try {
                config = ProxyConfigMapper.map(document, filters);
            } catch (ConfigException | RuntimeException e) {
                filters.close();
                throw e;
            }
        } catch (ConfigException | RuntimeException e) {
            factories.close();
            throw e;
        }
        filters.warnUnused(config);
        synchronized (this) {
            madeFilters.add(filters);
            usedFactories.add(factories);
        }
        return config;
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
