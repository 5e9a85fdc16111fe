package io.kanal.proxy.filter;

import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.protocol.DecodedRequest;
import io.kanal.proxy.protocol.DecodedResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.common.protocol.ApiKeys;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A virtual cluster's filters, compiled into per-API tables of hooks, and the entry points that run a request or a
 * response through them. Part of the proxy's engine, not of the filter API.
 *
 * <p>Requests pass the filters in configured order, responses in reverse. The tables answer, per API, whether any
 * filter wants to see it, so that the connection decodes only what some filter asked for.
 */
public final class FilterChain {

    /** Tables indexed by {@link ApiKeys#ordinal()}: dense, unlike API key ids. */
    private static final int API_SLOTS = ApiKeys.values().length;

    final String virtualCluster;
    final Duration timeout;
    private final String[] names;
    private final RequestHook<?, ?>[][] requestHooks = new RequestHook<?, ?>[API_SLOTS][];
    private final ResponseHook<?>[][] responseHooks = new ResponseHook<?>[API_SLOTS][];
    private final Timer[] requestTimers;
    private final Timer[] responseTimers;
    private final Counter[] requestFailures;
    private final Counter[] responseFailures;

    public FilterChain(String virtualCluster, List<NamedFilter> filters, MeterRegistry registry, Duration timeout) {
        this.virtualCluster = virtualCluster;
        this.timeout = timeout;
        int count = filters.size();
        names = new String[count];
        requestTimers = new Timer[count];
        responseTimers = new Timer[count];
        requestFailures = new Counter[count];
        responseFailures = new Counter[count];
        HookRegistration[] registrations = new HookRegistration[count];
        for (int i = 0; i < count; i++) {
            NamedFilter filter = filters.get(i);
            names[i] = filter.name();
            registrations[i] = new HookRegistration();
            filter.filter().register(registrations[i]);
            requestTimers[i] = timer(registry, filter.name(), "request");
            responseTimers[i] = timer(registry, filter.name(), "response");
            requestFailures[i] = failures(registry, filter.name(), "request");
            responseFailures[i] = failures(registry, filter.name(), "response");
        }
        for (ApiKeys api : ApiKeys.values()) {
            RequestHook<?, ?>[] forRequests = new RequestHook<?, ?>[count];
            ResponseHook<?>[] forResponses = new ResponseHook<?>[count];
            boolean anyRequest = false;
            boolean anyResponse = false;
            for (int i = 0; i < count; i++) {
                forRequests[i] = registrations[i].requestHook(api);
                forResponses[i] = registrations[i].responseHook(api);
                anyRequest |= forRequests[i] != null;
                anyResponse |= forResponses[i] != null;
            }
            requestHooks[api.ordinal()] = anyRequest ? forRequests : null;
            responseHooks[api.ordinal()] = anyResponse ? forResponses : null;
        }
    }

    /** Whether some filter has a hook for requests of {@code api}. */
    public boolean wantsRequest(ApiKeys api) {
        return requestHooks[api.ordinal()] != null;
    }

    /** Whether some filter has a hook for responses of {@code api} (besides per-request interceptors). */
    public boolean wantsResponse(ApiKeys api) {
        return responseHooks[api.ordinal()] != null;
    }

    /**
     * Runs a decoded request through the filters; {@code done} is called at most once, on the connection's event
     * loop, and never once the connection has closed.
     *
     * @param expectsResponse whether the client waits for an answer (false for produce with acks=0)
     */
    public void onRequest(FilteredConnection connection, DecodedRequest request, boolean expectsResponse,
                          Consumer<RequestOutcome> done) {
        new RequestPass(this, connection, request, expectsResponse, done).next();
    }

    /**
     * Runs a decoded response through the filters, from the one nearest the broker to the one nearest the client;
     * {@code done} is called at most once, on the connection's event loop, and never once the connection has closed.
     *
     * @param interceptors the hooks filters attached to this response's request, or {@code null}
     */
    public void onResponse(FilteredConnection connection, DecodedResponse response, ResponseHook<?>[] interceptors,
                           Consumer<ResponseOutcome> done) {
        new ResponsePass(this, connection, response, interceptors, size() - 1, done).next();
    }

    int size() {
        return names.length;
    }

    String name(int filter) {
        return names[filter];
    }

    RequestHook<?, ?> requestHook(ApiKeys api, int filter) {
        RequestHook<?, ?>[] hooks = requestHooks[api.ordinal()];
        return hooks == null ? null : hooks[filter];
    }

    ResponseHook<?> responseHook(ApiKeys api, int filter) {
        ResponseHook<?>[] hooks = responseHooks[api.ordinal()];
        return hooks == null ? null : hooks[filter];
    }

    void recordRequestHook(int filter, long nanos, boolean failed) {
        requestTimers[filter].record(nanos, TimeUnit.NANOSECONDS);
        if (failed) {
            requestFailures[filter].increment();
        }
    }

    void recordResponseHook(int filter, long nanos, boolean failed) {
        responseTimers[filter].record(nanos, TimeUnit.NANOSECONDS);
        if (failed) {
            responseFailures[filter].increment();
        }
    }

    private Timer timer(MeterRegistry registry, String filter, String stage) {
        return Timer.builder("kanal.filter.duration").description("Time a filter's hook took, to its stage's end")
                .tags("virtual_cluster", virtualCluster, "filter", filter, "stage", stage)
                .register(registry);
    }

    private Counter failures(MeterRegistry registry, String filter, String stage) {
        return Counter.builder("kanal.filter.failures")
                .description("Filter hooks that threw, failed or timed out")
                .tags("virtual_cluster", virtualCluster, "filter", filter, "stage", stage)
                .register(registry);
    }

}
