package io.kanal.proxy.config;

import io.kanal.proxy.filter.Filter;

import java.util.Objects;

/**
 * A filter as configured: the name the configuration gives it (for logs and metrics) and the filter itself.
 *
 * @param name   unique among the proxy's filters
 * @param filter the filter its factory made
 */
public record NamedFilter(String name, Filter filter) {

    public NamedFilter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(filter, "filter");
    }
}
