package io.kanal.filters.testing;

import io.kanal.proxy.filter.FilterFactoryContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** A factory context with a name and a {@link SimpleMeterRegistry}. */
public record FakeFactoryContext(String filterName, MeterRegistry meterRegistry) implements FilterFactoryContext {

    public static FakeFactoryContext named(String filterName) {
        return new FakeFactoryContext(filterName, new SimpleMeterRegistry());
    }
}
