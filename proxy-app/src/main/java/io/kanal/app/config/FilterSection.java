package io.kanal.app.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of the top-level {@code filters} list as written: a filter definition that chains refer to by name.
 *
 * @param name   unique among the filter definitions
 * @param type   the {@link io.kanal.proxy.filter.FilterFactory#type() type} of the factory that makes it
 * @param config the filter's own settings, bound to the factory's configuration class once the type is known;
 *               {@code null} when absent
 */
record FilterSection(String name, String type, JsonNode config) {
}
