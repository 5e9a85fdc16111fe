package io.kanal.app.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanal.app.plugins.FilterFactories;
import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.FilterFactory;
import io.kanal.proxy.filter.FilterFactoryContext;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The filters defined under the top-level {@code filters} key, each made once by its factory, and the chains that
 * name them. A filter named in several chains is the same instance in each.
 *
 * <p>Every definition is checked and its {@code config} bound before the first factory is asked for a filter, so a
 * mistake in the last definition does not leave filters half made. When the definitions replace earlier ones (a
 * configuration reload), a definition whose type and {@code config} are unchanged keeps the earlier instance instead
 * of making a new one. Closing closes every filter these definitions made themselves, once; reused ones belong to
 * the definitions that made them.
 */
final class FilterDefinitions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FilterDefinitions.class);

    /** A definition whose configuration is bound, ready to be made. */
    private record Bound<C>(String name, FilterFactory<C> factory, C config, KeyPath configPath) {

        NamedFilter make(MeterRegistry meterRegistry) throws ConfigException {
            Filter filter;
            try {
                filter = factory.create(config, FilterFactoryContext.of(name, meterRegistry));
            } catch (IllegalArgumentException e) {
                throw ConfigException.at(configPath, e.getMessage() == null ? "unusable configuration"
                        : e.getMessage().strip().replaceAll("\\s+", " "));
            } catch (RuntimeException e) {
                throw new IllegalStateException("filter '" + name + "' of type '" + factory.type()
                        + "' failed to start: " + e, e);
            }
            if (filter == null) {
                throw new IllegalStateException("filter factory " + factory.getClass().getName()
                        + " returned no filter for '" + name + "'");
            }
            return new NamedFilter(name, filter);
        }
    }

    /** What decides whether a filter can be kept across a reload: its type and its settings, as written. */
    private record Definition(String type, JsonNode config) {

        static Definition of(FilterSection section) {
            JsonNode config = section.config() == null || section.config().isNull() ? null : section.config();
            return new Definition(section.type(), config);
        }
    }

    private final Map<String, NamedFilter> byName;
    private final Map<String, Definition> definitions;
    private final FilterFactories factories;
    /** The filters these definitions made, in the order they were made; the others were reused. */
    private final List<NamedFilter> made;
    private final Set<Filter> closedFilters = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private FilterDefinitions(Map<String, NamedFilter> byName, Map<String, Definition> definitions,
                              FilterFactories factories, List<NamedFilter> made) {
        this.byName = byName;
        this.definitions = definitions;
        this.factories = factories;
        this.made = made;
    }

    private static FilterDefinitions empty(FilterFactories factories) {
        return new FilterDefinitions(Map.of(), Map.of(), factories, List.of());
    }

    /**
     * Checks the definitions, binds their configurations and makes their filters, in the order they are written.
     *
     * @param sections      the {@code filters} list; {@code null} when absent
     * @param mapper        binds each {@code config} to its factory's configuration class, rejecting unknown keys
     * @param meterRegistry the registry the filters' factories get
     * @throws ConfigException naming the key of the first definition that is incomplete, clashing, of an unknown
     *                         type or with a configuration its factory refuses; no filter is left open
     */
    static FilterDefinitions make(List<FilterSection> sections, FilterFactories factories, ObjectMapper mapper,
                                  MeterRegistry meterRegistry) throws ConfigException {
        return make(sections, factories, mapper, meterRegistry, null);
    }

    /**
     * Like {@link #make(List, FilterFactories, ObjectMapper, MeterRegistry)}, keeping the filters of
     * {@code previous} whose definitions are unchanged: same name, type and {@code config}, and the same factories.
     *
     * @param previous the definitions these replace, or {@code null}
     */
    static FilterDefinitions make(List<FilterSection> sections, FilterFactories factories, ObjectMapper mapper,
                                  MeterRegistry meterRegistry, FilterDefinitions previous) throws ConfigException {
        if (sections == null) {
            return empty(factories);
        }
        KeyPath listPath = KeyPath.ROOT.key("filters");
        Map<String, KeyPath> names = new HashMap<>();
        List<Bound<?>> bound = new ArrayList<>(sections.size());
        for (int i = 0; i < sections.size(); i++) {
            KeyPath path = listPath.index(i);
            FilterSection section = sections.get(i);
            if (section == null) {
                throw ConfigException.at(path, "empty entry; a filter needs at least name and type");
            }
            KeyPath namePath = path.key("name");
            String name = required(section.name(), namePath);
            if (name.isBlank()) {
                throw ConfigException.at(namePath, "must not be empty");
            }
            KeyPath earlier = names.putIfAbsent(name, path);
            if (earlier != null) {
                throw ConfigException.at(namePath, "'" + name + "' is already the name of " + earlier);
            }
            KeyPath typePath = path.key("type");
            String type = required(section.type(), typePath);
            FilterFactory<?> factory = factories.find(type).orElseThrow(() -> ConfigException.at(typePath,
                    "unknown filter type '" + type + "' (known: " + String.join(", ", factories.types()) + ")"
                            + (factories.hasPluginsDirectory() ? "" : "; a plugin's types are known once its jar"
                            + " is in the plugins directory (--plugins DIR or plugins.directory), and none is set")));
            bound.add(bind(name, factory, section.config(), path.key("config"), mapper));
        }
        Map<String, Definition> definitions = new HashMap<>();
        sections.forEach(section -> definitions.put(section.name(), Definition.of(section)));
        Map<String, NamedFilter> all = new LinkedHashMap<>();
        List<NamedFilter> made = new ArrayList<>();
        try {
            for (Bound<?> definition : bound) {
                NamedFilter kept = previous == null ? null
                        : previous.reusable(definition.name(), definitions.get(definition.name()), factories);
                NamedFilter filter = kept != null ? kept : definition.make(meterRegistry);
                if (kept == null) {
                    made.add(filter);
                }
                all.put(definition.name(), filter);
            }
        } catch (ConfigException | RuntimeException e) {
            new FilterDefinitions(all, definitions, factories, made).close();
            throw e;
        }
        return new FilterDefinitions(all, definitions, factories, made);
    }

    /** This definitions' filter {@code name}, if it can serve {@code definition} made by {@code with} unchanged. */
    private synchronized NamedFilter reusable(String name, Definition definition, FilterFactories with) {
        NamedFilter filter = byName.get(name);
        if (filter == null || with != factories || !definition.equals(definitions.get(name))
                || closedFilters.contains(filter.filter())) {
            return null;
        }
        return filter;
    }

    /** The factories the filters were made with. */
    FilterFactories factories() {
        return factories;
    }

    /** Every filter defined, made here or kept from earlier definitions. */
    Set<Filter> filters() {
        Set<Filter> filters = Collections.newSetFromMap(new IdentityHashMap<>());
        byName.values().forEach(filter -> filters.add(filter.filter()));
        return filters;
    }

    /** The names of the filters made here rather than kept from earlier definitions, in definition order. */
    List<String> madeNames() {
        return made.stream().map(NamedFilter::name).toList();
    }

    /** Closes the filters made here that are in {@code which}, the last made first. */
    synchronized void closeOnly(Set<Filter> which) {
        for (int i = made.size() - 1; i >= 0; i--) {
            NamedFilter filter = made.get(i);
            if (which.contains(filter.filter())) {
                closeOnce(filter);
            }
        }
    }

    /** Whether every filter made here is closed. */
    synchronized boolean allClosed() {
        return made.stream().allMatch(filter -> closedFilters.contains(filter.filter()));
    }

    private static <C> Bound<C> bind(String name, FilterFactory<C> factory, JsonNode config, KeyPath path,
                                     ObjectMapper mapper) throws ConfigException {
        Class<C> type = factory.configType();
        if (type == null) {
            throw new IllegalStateException("filter factory " + factory.getClass().getName()
                    + " has no configType()");
        }
        boolean absent = config == null || config.isNull();
        if (type == Void.class) {
            if (!absent && !(config.isObject() && config.isEmpty())) {
                throw ConfigException.at(path, "filter type '" + factory.type() + "' takes no configuration");
            }
            return new Bound<>(name, factory, null, path);
        }
        try {
            // An absent config binds like an empty one, so that a filter whose settings all have defaults needs none.
            C bound = mapper.treeToValue(absent ? mapper.createObjectNode() : config, type);
            return new Bound<>(name, factory, bound, path);
        } catch (JacksonException e) {
            throw JacksonErrors.toConfigException(e, path);
        }
    }

    /**
     * The filters a chain names, in its order.
     *
     * @param names the chain as written
     * @param path  the chain's key, e.g. {@code virtualClusters[0].filters}
     * @throws ConfigException at the first entry that names no defined filter, or one already in the chain
     */
    List<NamedFilter> chain(List<String> names, KeyPath path) throws ConfigException {
        Map<String, KeyPath> seen = new HashMap<>();
        List<NamedFilter> chain = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            KeyPath entryPath = path.index(i);
            String name = names.get(i);
            if (name == null || name.isBlank()) {
                throw ConfigException.at(entryPath, "must name a filter");
            }
            NamedFilter filter = byName.get(name);
            if (filter == null) {
                throw ConfigException.at(entryPath, "no filter named '" + name + "'");
            }
            KeyPath earlier = seen.putIfAbsent(name, entryPath);
            if (earlier != null) {
                throw ConfigException.at(entryPath, "'" + name + "' is already in this chain at " + earlier);
            }
            chain.add(filter);
        }
        return chain;
    }

    /** Logs each defined filter that no virtual cluster of {@code config} uses: likely a forgotten chain entry. */
    void warnUnused(ProxyConfig config) {
        Set<String> used = new HashSet<>();
        for (VirtualClusterConfig cluster : config.virtualClusters()) {
            cluster.filters().forEach(filter -> used.add(filter.name()));
        }
        byName.keySet().stream()
                .filter(name -> !used.contains(name))
                .forEach(name -> LOG.warn("Filter '{}' is defined but no virtual cluster uses it", name));
    }

    /**
     * Closes every filter made here, the last defined first; a filter that fails to close does not keep the others
     * open.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = made.size() - 1; i >= 0; i--) {
            closeOnce(made.get(i));
        }
    }

    private void closeOnce(NamedFilter filter) {
        if (!closedFilters.add(filter.filter())) {
            return;
        }
        try {
            filter.filter().close();
        } catch (RuntimeException e) {
            LOG.warn("Filter '{}' failed to close", filter.name(), e);
        }
    }

    private static <T> T required(T value, KeyPath path) throws ConfigException {
        if (value == null) {
            throw ConfigException.at(path, "missing required key");
        }
        return value;
    }
}
