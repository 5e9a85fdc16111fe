package io.kanal.filters;

import io.kanal.filters.headerinject.HeaderInjectConfig;
import io.kanal.filters.metrics.MetricsConfig;
import io.kanal.filters.topicpolicy.TopicPolicyConfig;
import io.kanal.proxy.filter.FilterFactory;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The built-in filters are found the way a plugin's are: through the service loader. */
class BuiltInFiltersTest {

    @Test
    void everyBuiltInFactoryIsAService() {
        Map<String, Class<?>> configTypes = new TreeMap<>();
        for (FilterFactory<?> factory : ServiceLoader.load(FilterFactory.class)) {
            configTypes.put(factory.type(), factory.configType());
        }
        assertEquals(Map.of(
                "header-inject", HeaderInjectConfig.class,
                "metrics", MetricsConfig.class,
                "topic-policy", TopicPolicyConfig.class), configTypes);
    }
}
