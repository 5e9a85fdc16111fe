package io.kanal.proxy.filter;

import io.micrometer.core.instrument.MeterRegistry;

import java.util.Objects;

/** What a {@link FilterFactory} gets from the proxy besides the filter's configuration. */
public interface FilterFactoryContext {

    /** The name the configuration gives this filter; use it in logs and as a metrics tag. */
    String filterName();

    /** The proxy's metrics registry, for the filter's own metrics; they appear on the admin endpoint. */
    MeterRegistry meterRegistry();

    /** The context of a filter named {@code filterName} whose meters go to {@code meterRegistry}. */
    static FilterFactoryContext of(String filterName, MeterRegistry meterRegistry) {
        Objects.requireNonNull(filterName, "filterName");
        Objects.requireNonNull(meterRegistry, "meterRegistry");
        return new FilterFactoryContext() {
            @Override
            public String filterName() {
                return filterName;
            }

            @Override
            public MeterRegistry meterRegistry() {
                return meterRegistry;
            }
        };
    }
}
