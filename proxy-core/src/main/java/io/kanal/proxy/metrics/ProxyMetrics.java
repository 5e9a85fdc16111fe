package io.kanal.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.common.protocol.ApiKeys;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The metrics one virtual cluster records on its hot path. Meters are looked up once per API and then held in arrays
 * indexed by API key, so recording a request costs an array read and an add.
 */
public final class ProxyMetrics {

    /** Which end of a proxied connection a connection metric counts. */
    public enum Side {
        CLIENT, BROKER;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    /** Tables indexed by {@link ApiKeys#ordinal()}: dense, unlike API key ids. */
    private static final int API_SLOTS = ApiKeys.values().length;

    private final MeterRegistry registry;
    private final String virtualCluster;
    private final AtomicReferenceArray<ApiMeters> apis = new AtomicReferenceArray<>(API_SLOTS);
    private final Map<String, Counter> frameErrors = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejectedConnections = new ConcurrentHashMap<>();
    private final Map<String, Counter> timedOutConnections = new ConcurrentHashMap<>();
    private final Map<String, Counter> tlsHandshakes = new ConcurrentHashMap<>();
    private final AtomicInteger[] activeConnections = new AtomicInteger[Side.values().length];
    private final Counter[] openedConnections = new Counter[Side.values().length];

    public ProxyMetrics(MeterRegistry registry, String virtualCluster) {
        this.registry = registry;
        this.virtualCluster = virtualCluster;
        for (Side side : Side.values()) {
            activeConnections[side.ordinal()] = registry.gauge("kanal.connections.active",
                    Tags.of("virtual_cluster", virtualCluster, "side", side.tag),
                    new AtomicInteger());
            openedConnections[side.ordinal()] = Counter.builder("kanal.connections")
                    .description("Connections opened")
                    .tags("virtual_cluster", virtualCluster, "side", side.tag)
                    .register(registry);
        }
    }

    public void connectionOpened(Side side) {
        activeConnections[side.ordinal()].incrementAndGet();
        openedConnections[side.ordinal()].increment();
    }

    public void connectionClosed(Side side) {
        activeConnections[side.ordinal()].decrementAndGet();
    }

    /** A request arrived from a client. */
    public void requestReceived(ApiKeys api, int bytes) {
        ApiMeters meters = meters(api);
        meters.requests.increment();
        meters.requestBytes.increment(bytes);
    }

    /**
     * A response went to the client.
     *
     * @param totalNanos    from the request's arrival to the response's departure
     * @param upstreamNanos the broker's share of that, or a negative number when the broker was not asked
     */
    public void responseSent(ApiKeys api, int bytes, long totalNanos, long upstreamNanos) {
        ApiMeters meters = meters(api);
        meters.responses.increment();
        meters.responseBytes.increment(bytes);
        meters.latency.record(totalNanos, TimeUnit.NANOSECONDS);
        if (upstreamNanos >= 0) {
            meters.upstreamLatency.record(upstreamNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** A frame or message could not be read, and its connection was closed. */
    public void frameError(String reason) {
        countReason(frameErrors, "kanal.frame.errors", "Connections closed because a frame could not be read", reason);
    }

    /**
     * A client connection was closed as soon as it was accepted, because a connection limit was reached.
     *
     * @param reason {@code max_connections} or {@code max_connections_per_ip}
     */
    public void connectionRejected(String reason) {
        countReason(rejectedConnections, "kanal.connections.rejected", "Client connections closed at accept because a connection limit was reached", reason);
    }

    /**
     * A client connection was closed because a time limit ran out.
     *
     * @param reason {@code idle}: nothing went either way for the idle timeout
     */
    public void connectionTimedOut(String reason) {
        countReason(timedOutConnections, "kanal.connections.timed.out", "Client connections closed because a time limit ran out", reason);
    }

    /**
     * A client's TLS handshake ended.
     *
     * @param outcome {@code success}; {@code failed} (the handshake failed: no or an untrusted client certificate, no
     *                common protocol version or cipher suite, not TLS at all); {@code unknown_sni} (the client asked
     *                for a host name the SNI-routed port does not serve, or for none); {@code unmapped_principal}
     *                (the client certificate's subject matched no principal mapping rule)
     */
    public void tlsHandshake(String outcome) {
        tlsHandshakes.computeIfAbsent(outcome, o -> Counter.builder("kanal.tls.handshakes")
                .description("Client TLS handshakes, by outcome")
                .tags("virtual_cluster", virtualCluster, "outcome", o)
                .register(registry)).increment();
    }

    private void countReason(Map<String, Counter> counters, String name, String description, String reason) {
        counters.computeIfAbsent(reason, r -> Counter.builder(name).description(description)
                .tags("virtual_cluster", virtualCluster, "reason", r)
                .register(registry)).increment();
    }

    /** The registry filters record their own metrics in. */
    public MeterRegistry registry() {
        return registry;
    }

    public String virtualCluster() {
        return virtualCluster;
    }

    private ApiMeters meters(ApiKeys api) {
        ApiMeters meters = apis.get(api.ordinal());
        if (meters == null) {
            // Two threads may both build them; the registry hands both the same meters.
            meters = new ApiMeters(registry, virtualCluster, api);
            apis.set(api.ordinal(), meters);
        }
        return meters;
    }


    private static final class ApiMeters {
        final Counter requests;
        final Counter requestBytes;
        final Counter responses;
        final Counter responseBytes;
        final Timer latency;
        final Timer upstreamLatency;

        ApiMeters(MeterRegistry registry, String virtualCluster, ApiKeys api) {
            String[] tags = {"virtual_cluster", virtualCluster, "api", api.name};
            requests = Counter.builder("kanal.requests").description("Requests from clients").tags(tags)
                    .register(registry);
            requestBytes = Counter.builder("kanal.request.bytes").description("Bytes of requests from clients")
                    .baseUnit("bytes").tags(tags).register(registry);
            responses = Counter.builder("kanal.responses").description("Responses to clients").tags(tags)
                    .register(registry);
            responseBytes = Counter.builder("kanal.response.bytes").description("Bytes of responses to clients")
                    .baseUnit("bytes").tags(tags).register(registry);
            latency = latencyTimer("kanal.request.latency", "From a request's arrival to its response's departure",
                    tags, registry);
            upstreamLatency = latencyTimer("kanal.upstream.latency",
                    "From a request's forwarding to the broker's response", tags, registry);
        }

        private static Timer latencyTimer(String name, String description, String[] tags, MeterRegistry registry) {
            return Timer.builder(name).description(description).tags(tags)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                    .register(registry);
        }
    }
}
