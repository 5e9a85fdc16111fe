package io.kanal.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.kanal.app.metrics.KanalMetrics;
import io.kanal.proxy.config.ProxyConfig;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Everything around the proxy that tells an operator how it is doing: the metrics registry the engine records into,
 * readiness, the target probes behind it, and the admin HTTP server that serves them.
 *
 * <p>Lifecycle: {@link #start} before the proxy (so {@code /livez} answers, and {@code /readyz} says why not yet,
 * during start-up), {@link #serving} once the proxy's listeners are bound, {@link #stopping} when shutdown begins,
 * and {@link #close} after the proxy has closed, so {@code /livez} answers to the end.
 */
public final class AdminPlane implements AutoCloseable {

    private final KanalMetrics metrics;
    private final Readiness readiness = new Readiness();
    private final Optional<AdminServer> server;
    private volatile JsonNode effectiveConfig;
    private volatile TargetProbes probes;
    /** Targets outside the virtual clusters that readiness waits for: the mesh's clusters. */
    private volatile Supplier<List<String>> alsoWaitingFor = List::of;
    private boolean stopping;
    private boolean closed;

    private AdminPlane(AdminSettings settings, KanalMetrics metrics) {
        this.metrics = metrics;
        try {
            this.server = settings.enabled()
                    ? Optional.of(AdminServer.start(settings.listen(), metrics.registry(), readiness,
                            () -> effectiveConfig))
                    : Optional.empty();
        } catch (RuntimeException e) {
            metrics.close();
            throw e;
        }
    }

    /**
     * Starts the admin server when enabled. The plane owns {@code metrics} from here on, and closes it with itself
     * or when starting fails.
     *
     * @throws io.kanal.proxy.server.ProxyStartException when the admin address cannot be bound
     */
    public static AdminPlane start(AdminSettings settings, KanalMetrics metrics) {
        return new AdminPlane(settings, metrics);
    }

    /** What the proxy records its metrics in. */
    public MeterRegistry meterRegistry() {
        return metrics.registry();
    }

    /** The admin server's {@code http://host:port}, when it runs. */
    public Optional<String> url() {
        return server.map(AdminServer::url);
    }

    /** What {@code /config} shows, before redaction; see {@link EffectiveConfig}. */
    public void showConfig(JsonNode effectiveConfig) {
        this.effectiveConfig = effectiveConfig;
    }

    /** Every virtual cluster's listeners are bound; readiness now waits for the target clusters to answer. */
    public synchronized void serving(ProxyConfig config) {
        serving(config, List::of);
    }

    /**
     * Every listener is bound; readiness now waits for the virtual clusters' targets to answer, and for what
     * {@code alsoWaitingFor} lists (one line per target, empty once all have answered): the mesh's clusters.
     */
    public synchronized void serving(ProxyConfig config, Supplier<List<String>> alsoWaitingFor) {
        if (stopping) {
            return;
        }
        this.alsoWaitingFor = alsoWaitingFor;
        if (server.isPresent()) {
            // Only the admin server asks, so without it there is nobody to probe for.
            probes = TargetProbes.start(config.virtualClusters());
            readiness.listening(this::waitingFor);
        } else {
            readiness.listening(List::of);
        }
    }

    private List<String> waitingFor() {
        TargetProbes current = probes;
        List<String> waiting = new ArrayList<>(current == null ? List.of() : current.waitingFor());
        waiting.addAll(alsoWaitingFor.get());
        return waiting;
    }

    /**
     * A configuration reload took effect: {@code /config} shows {@code effectiveConfig}, and readiness waits for the
     * targets of the new virtual clusters too (those that answered before count as answered still).
     */
    public synchronized void reconfigured(ProxyConfig config, JsonNode effectiveConfig) {
        this.effectiveConfig = effectiveConfig;
        if (stopping || probes == null) {
            return;
        }
        TargetProbes previous = probes;
        probes = TargetProbes.restart(config.virtualClusters(), previous);
        readiness.listening(this::waitingFor);
        previous.close();
    }

    /** Shutdown has begun: {@code /readyz} answers 503 from now on, and the target probes stop. */
    public synchronized void stopping() {
        stopping = true;
        readiness.stopping();
        if (probes != null) {
            probes.close();
            probes = null;
        }
    }

    /** Stops the admin server and the JVM meters. Calling it again does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopping();
        try {
            server.ifPresent(AdminServer::close);
        } finally {
            metrics.close();
        }
    }
}
