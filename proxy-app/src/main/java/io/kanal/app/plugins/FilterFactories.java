package io.kanal.app.plugins;

import io.kanal.app.config.ConfigException;
import io.kanal.proxy.filter.FilterFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@link FilterFactory} implementations Kanal can make filters with, by {@link FilterFactory#type()}: those on the
 * application class path (the built-in filters among them) and those in the jars of a plugins directory.
 *
 * <p>The jars of the plugins directory share one class loader whose parent is the application's, so a plugin sees the
 * filter API and kafka-clients of the running Kanal and cannot replace them. Closing this closes that class loader; do
 * it only once every filter made from it is closed.
 */
public final class FilterFactories implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FilterFactories.class);

    /** A factory and where its class came from, for log lines and error messages. */
    private record Found(FilterFactory<?> factory, String origin) {

        String describe() {
            return factory.getClass().getName() + " (" + origin + ")";
        }
    }

    private final Map<String, Found> byType;
    private final URLClassLoader pluginLoader;

    private FilterFactories(Map<String, Found> byType, URLClassLoader pluginLoader) {
        this.byType = byType;
        this.pluginLoader = pluginLoader;
    }

    /** The factories on the application class path only. */
    public static FilterFactories fromClassPath() throws ConfigException {
        return discover(applicationLoader(), null);
    }

    /**
     * The factories on the application class path and in every {@code *.jar} directly inside {@code directory}.
     *
     * @param directory the plugins directory; relative paths are resolved against the working directory
     * @param source    how the directory was given, for error messages: {@code --plugins} or
     *                  {@code plugins.directory}
     * @throws ConfigException when the directory cannot be read, a factory cannot be loaded, or two factories have
     *                         the same type
     */
    public static FilterFactories fromClassPathAndDirectory(Path directory, String source) throws ConfigException {
        Objects.requireNonNull(source, "source");
        List<Path> jars = jars(Objects.requireNonNull(directory, "directory"), source);
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new ConfigException(source + ": cannot use " + jars.get(i) + ": " + e.getMessage());
            }
        }
        if (jars.isEmpty()) {
            LOG.info("No plugin jars in {}", directory.toAbsolutePath());
        }
        URLClassLoader loader = new URLClassLoader("kanal-plugins", urls, applicationLoader());
        try {
            return discover(loader, loader);
        } catch (ConfigException | RuntimeException e) {
            closeQuietly(loader);
            throw e;
        }
    }

    /** The factory for {@code type}, if there is one. */
    public Optional<FilterFactory<?>> find(String type) {
        Found found = byType.get(type);
        return found == null ? Optional.empty() : Optional.of(found.factory());
    }

    /** Every known type, in alphabetical order. */
    public SortedSet<String> types() {
        return new TreeSet<>(byType.keySet());
    }

    /** Whether these factories include a plugins directory's, rather than the application class path's alone. */
    public boolean hasPluginsDirectory() {
        return pluginLoader != null;
    }

    /** Closes the plugins directory's class loader, if there is one. */
    @Override
    public void close() {
        if (pluginLoader != null) {
            closeQuietly(pluginLoader);
        }
    }

    private static ClassLoader applicationLoader() {
        return FilterFactories.class.getClassLoader();
    }

    /** The directory's jar files, sorted by name so that discovery does not depend on the file system's order. */
    private static List<Path> jars(Path directory, String source) throws ConfigException {
        if (!Files.exists(directory)) {
            throw new ConfigException(source + ": no directory " + directory.toAbsolutePath());
        }
        if (!Files.isDirectory(directory)) {
            throw new ConfigException(source + ": " + directory.toAbsolutePath() + " is not a directory");
        }
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "*.jar")) {
            for (Path entry : entries) {
                if (Files.isRegularFile(entry)) {
                    if (!Files.isReadable(entry)) {
                        throw new ConfigException(source + ": cannot read " + entry.toAbsolutePath());
                    }
                    jars.add(entry.toAbsolutePath());
                }
            }
        } catch (AccessDeniedException e) {
            throw new ConfigException(source + ": cannot read directory " + directory.toAbsolutePath()
                    + ": permission denied");
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read directory " + directory.toAbsolutePath() + ": "
                    + e.getMessage());
        }
        jars.sort(null);
        return jars;
    }

    private static FilterFactories discover(ClassLoader loader, URLClassLoader pluginLoader) throws ConfigException {
        Map<String, Found> byType = new TreeMap<>();
        @SuppressWarnings("rawtypes")
        Iterator<FilterFactory> providers = ServiceLoader.load(FilterFactory.class, loader).iterator();
        while (true) {
            FilterFactory<?> factory;
            String type;
            try {
                if (!providers.hasNext()) {
                    break;
                }
                factory = providers.next();
                type = factory.type();
            } catch (ServiceConfigurationError | LinkageError e) {
                throw new ConfigException("cannot load a filter factory: " + oneLine(e));
            }
            Found found = new Found(factory, origin(factory.getClass()));
            if (type == null || type.isBlank()) {
                throw new ConfigException("filter factory " + found.describe() + " has no type");
            }
            Found earlier = byType.putIfAbsent(type, found);
            if (earlier != null) {
                throw new ConfigException("filter type '" + type + "' is provided twice: by " + earlier.describe()
                        + " and by " + found.describe());
            }
            LOG.info("Filter type '{}' from {}", type, found.describe());
        }
        return new FilterFactories(byType, pluginLoader);
    }

    /** The jar or directory a class was loaded from. */
    private static String origin(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return "the class path";
        }
        try {
            return Path.of(source.getLocation().toURI()).toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return source.getLocation().toString();
        }
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message.strip().replaceAll("\\s+", " ");
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            LOG.warn("Cannot close the plugins class loader: {}", e.toString());
        }
    }
}
