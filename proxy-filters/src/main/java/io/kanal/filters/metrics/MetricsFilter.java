package io.kanal.filters.metrics;

import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.FilterHooks;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.filter.ResponseAction;
import io.kanal.proxy.filter.ResponseContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the error codes of responses on {@code kanal.errors}, by virtual cluster, principal (the user Kanal
 * authenticated the client as, empty when it did not), API and error; see {@link MetricsFactory}. Made only by its
 * factory.
 */
public final class MetricsFilter implements Filter {

    /** The counter's name. */
    public static final String ERRORS = "kanal.errors";

    private record Key(String virtualCluster, String principal, ApiKeys api, Errors error) {
    }

    private final MeterRegistry registry;
    private final List<KafkaApi<?, ?>> apis;
    private final Map<Key, Counter> counters = new ConcurrentHashMap<>();

    /** @param apis the APIs to count, or {@code null} for every API */
    MetricsFilter(MeterRegistry registry, List<KafkaApi<?, ?>> apis) {
        this.registry = registry;
        this.apis = apis == null ? null : List.copyOf(apis);
    }

    @Override
    public void register(FilterHooks hooks) {
        if (apis == null) {
            hooks.onAnyResponse(this::count);
        } else {
            for (KafkaApi<?, ?> api : apis) {
                registerFor(hooks, api);
            }
        }
    }

    private <Q extends ApiMessage, R extends ApiMessage> void registerFor(FilterHooks hooks, KafkaApi<Q, R> api) {
        hooks.onResponse(api, this::count);
    }

    private <R extends ApiMessage> CompletionStage<ResponseAction> count(ResponseContext<R> context, R response) {
        Map<Errors, Integer> errorCounts = context.errorCounts();
        if (!errorCounts.isEmpty()) {
            String virtualCluster = context.connection().virtualCluster();
            // Empty without authentication at the proxy: Prometheus reads an empty label as an absent one.
            String principal = context.connection().principal().orElse("");
            for (Map.Entry<Errors, Integer> entry : errorCounts.entrySet()) {
                if (entry.getKey() != Errors.NONE && entry.getValue() != null && entry.getValue() > 0) {
                    counter(new Key(virtualCluster, principal, context.api(), entry.getKey()))
                            .increment(entry.getValue());
                }
            }
        }
        return context.pass();
    }

    private Counter counter(Key key) {
        return counters.computeIfAbsent(key, k -> Counter.builder(ERRORS)
                .description("Errors in responses to clients, by Kafka error code")
                .tag("virtual_cluster", k.virtualCluster())
                .tag("principal", k.principal())
                .tag("api", k.api().name)
                .tag("error", k.error().name())
                .register(registry));
    }
}
