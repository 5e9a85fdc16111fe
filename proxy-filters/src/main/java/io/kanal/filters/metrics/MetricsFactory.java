package io.kanal.filters.metrics;

import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.FilterFactory;
import io.kanal.proxy.filter.FilterFactoryContext;
import io.kanal.proxy.filter.KafkaApi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes {@code metrics} filters, which count the errors in responses on their way to clients.
 *
 * <pre>
 * filters:
 *   - name: errors
 *     type: metrics
 *     config:
 *       apis: [Produce, Fetch]     # optional; default: every API
 * </pre>
 *
 * <p>Every error code in a response is counted, the way kafka-clients counts them (once per partition, group or
 * resource that carries it), on the counter {@code kanal.errors} with the tags {@code virtual_cluster},
 * {@code api} (e.g. {@code Produce}) and {@code error} (e.g. {@code NOT_LEADER_OR_FOLLOWER}); successes are not
 * counted. Responses are passed on as the bytes that arrived, so the filter costs one decode per response of the
 * APIs it counts. Counting every API decodes every response, fetched records included; naming the APIs of interest in
 * {@code apis} limits that. Two {@code metrics} filters on the same virtual cluster count into the same counters.
 */
public final class MetricsFactory implements FilterFactory<MetricsConfig> {

    /** Every {@link KafkaApi} constant by its Kafka name. */
    private static final Map<String, KafkaApi<?, ?>> APIS_BY_NAME = apisByName();

    /** Creates the factory; {@link java.util.ServiceLoader} calls this. */
    public MetricsFactory() {
    }

    @Override
    public String type() {
        return "metrics";
    }

    @Override
    public Class<MetricsConfig> configType() {
        return MetricsConfig.class;
    }

    /**
     * @param config the configuration, or {@code null} to count every API
     * @throws IllegalArgumentException naming the key, e.g. {@code apis[1]}, when {@code apis} is empty or names an
     *                                  unknown API
     */
    @Override
    public Filter create(MetricsConfig config, FilterFactoryContext context) {
        if (config == null || config.apis() == null) {
            return new MetricsFilter(context.meterRegistry(), null);
        }
        if (config.apis().isEmpty()) {
            throw new IllegalArgumentException("apis: empty; name at least one API, or leave apis out to count every API");
        }
        List<KafkaApi<?, ?>> apis = new ArrayList<>();
        for (int i = 0; i < config.apis().size(); i++) {
            String name = config.apis().get(i);
            KafkaApi<?, ?> api = name == null ? null : APIS_BY_NAME.get(name);
            if (api == null) {
                throw new IllegalArgumentException("apis[" + i + "]: unknown API '" + name + "' (known: "
                        + String.join(", ", APIS_BY_NAME.keySet()) + ")");
            }
            apis.add(api);
        }
        return new MetricsFilter(context.meterRegistry(), apis);
    }

    private static Map<String, KafkaApi<?, ?>> apisByName() {
        Map<String, KafkaApi<?, ?>> byName = new LinkedHashMap<>();
        KafkaApi.values().forEach(api -> byName.put(api.key().name, api));
        return Collections.unmodifiableMap(byName);
    }
}
