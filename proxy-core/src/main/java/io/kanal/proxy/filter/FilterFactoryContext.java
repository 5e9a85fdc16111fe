package io.kanal.proxy.filter;

import io.micrometer.core.instrument.MeterRegistry;

/** What a {@link FilterFactory} gets from the proxy besides the filter's configuration. */
public interface FilterFactoryContext {

    /** The name the configuration gives this filter; use it in logs and as a metrics tag. */
    String filterName();

    /** The proxy's metrics registry, for the filter's own metrics; they appear on the admin endpoint. */
    MeterRegistry meterRegistry();
}
