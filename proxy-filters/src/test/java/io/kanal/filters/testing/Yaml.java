package io.kanal.filters.testing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** Binds a filter's {@code config:} section the way the app does: YAML, unknown keys rejected. */
public final class Yaml {

    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Yaml() {
    }

    public static <C> C bind(String yaml, Class<C> type) throws Exception {
        return MAPPER.readValue(yaml, type);
    }

    /** Binds a configuration the test means to be valid: a failure is the test's own mistake. */
    public static <C> C valid(String yaml, Class<C> type) {
        try {
            return bind(yaml, type);
        } catch (Exception e) {
            throw new AssertionError("cannot bind " + yaml + " to " + type.getSimpleName(), e);
        }
    }
}
