package io.kanal.proxy.sasl;

import io.kanal.proxy.metrics.ProxyMetrics;
import io.micrometer.core.instrument.Counter;

/** The authentication counters of one virtual cluster; each is looked up once per authentication. */
final class SaslMetrics {

    /** Metric result of a login that succeeded. */
    static final String SUCCESS = "success";
    /** Metric result of a login that failed: wrong credentials, an unknown mechanism or a broken exchange. */
    static final String FAILURE = "failure";
    /** Metric result of a connection closed for a request other than ApiVersions or SASL before authenticating. */
    static final String REFUSED = "refused";
    /** Metric reason of {@code kanal.connections.timed.out} for a client that did not authenticate in time. */
    static final String TIMEOUT_REASON = "authentication";
    /** The mechanism label before a client has chosen one, or when it chose one that is not enabled. */
    static final String NO_MECHANISM = "none";

    private final ProxyMetrics metrics;

    SaslMetrics(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    /** A client's authentication at the proxy ended; {@code kanal_authentications_total}. */
    void client(String mechanism, String result) {
        count("kanal.authentications", "Client authentications at the proxy, by outcome", mechanism, result);
    }

    /** The proxy's login to a broker ended; {@code kanal_upstream_authentications_total}. */
    void upstream(String mechanism, String result) {
        count("kanal.upstream.authentications", "Logins of the proxy to brokers, by outcome", mechanism, result);
    }

    void timedOut() {
        metrics.connectionTimedOut(TIMEOUT_REASON);
    }

    ProxyMetrics proxyMetrics() {
        return metrics;
    }

    private void count(String name, String description, String mechanism, String result) {
        Counter.builder(name).description(description)
                .tags("virtual_cluster", metrics.virtualCluster(), "mechanism", mechanism, "result", result)
                .register(metrics.registry())
                .increment();
    }
}
