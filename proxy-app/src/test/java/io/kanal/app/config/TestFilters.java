package io.kanal.app.config;

import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.FilterFactory;
import io.kanal.proxy.filter.FilterFactoryContext;
import io.kanal.proxy.filter.FilterHooks;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Filter factories for the configuration tests, found on the test class path through
 * {@code META-INF/services/io.kanal.proxy.filter.FilterFactory}. Every filter they make is recorded in {@link #MADE}.
 */
public final class TestFilters {

    /** Every filter made since the last {@link List#clear()}, in the order made. */
    static final List<Recording> MADE = new CopyOnWriteArrayList<>();

    private TestFilters() {
    }

    /** A filter that registers nothing and remembers how it was made and how often it was closed. */
    static final class Recording implements Filter {

        final String name;
        final MeterRegistry meterRegistry;
        final Object config;
        final AtomicInteger closed = new AtomicInteger();

        Recording(FilterFactoryContext context, Object config) {
            this.name = context.filterName();
            this.meterRegistry = context.meterRegistry();
            this.config = config;
            MADE.add(this);
        }

        @Override
        public void register(FilterHooks hooks) {
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }

    /** Type {@code test-no-config}: a filter without configuration. */
    public static final class NoConfig implements FilterFactory<Void> {

        @Override
        public String type() {
            return "test-no-config";
        }

        @Override
        public Class<Void> configType() {
            return Void.class;
        }

        @Override
        public Filter create(Void config, FilterFactoryContext context) {
            return new Recording(context, null);
        }
    }

    /** Type {@code test-with-config}: refuses a negative {@code limit}. */
    public static final class WithConfig implements FilterFactory<WithConfig.Settings> {

        public record Settings(List<String> allow, Integer limit) {
        }

        @Override
        public String type() {
            return "test-with-config";
        }

        @Override
        public Class<Settings> configType() {
            return Settings.class;
        }

        @Override
        public Filter create(Settings config, FilterFactoryContext context) {
            if (config.limit() != null && config.limit() < 0) {
                throw new IllegalArgumentException("limit must not be negative");
            }
            return new Recording(context, config);
        }
    }
}
