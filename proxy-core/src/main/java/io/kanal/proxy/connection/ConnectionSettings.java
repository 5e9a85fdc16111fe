package io.kanal.proxy.connection;

import io.kanal.proxy.filter.FilterChain;
import io.kanal.proxy.metrics.ProxyMetrics;
import io.kanal.proxy.net.Transport;
import io.kanal.proxy.sasl.SaslSettings;
import io.kanal.proxy.tls.DownstreamTls;
import io.kanal.proxy.tls.UpstreamTls;
import io.netty.channel.WriteBufferWaterMark;

import java.time.Duration;
import java.util.Optional;

/**
 * What every connection of one virtual cluster shares.
 *
 * @param virtualCluster       the virtual cluster's name, for logs
 * @param transport            the socket implementation for broker connections
 * @param maxFrameBytes        the largest frame accepted from either side
 * @param connectTimeout       how long a broker may take to accept a connection
 * @param writeBufferWaterMark when a channel counts as unable to take more, and when as able again
 * @param maxInFlightRequests  how many requests one client may have outstanding before the proxy stops reading it
 * @param responseTransformer  what rewrites responses on their way to the client
 * @param filters              the virtual cluster's filter chain
 * @param metrics              the virtual cluster's metrics
 * @param downstreamTls        TLS with clients; empty for plaintext
 * @param upstreamTls          TLS with brokers; empty for plaintext
 * @param sasl                 who authenticates clients, and how the proxy logs in to brokers
 */
public record ConnectionSettings(
        String virtualCluster,
        Transport transport,
        int maxFrameBytes,
        Duration connectTimeout,
        WriteBufferWaterMark writeBufferWaterMark,
        int maxInFlightRequests,
        ResponseTransformer responseTransformer,
        FilterChain filters,
        ProxyMetrics metrics,
        Optional<DownstreamTls> downstreamTls,
        Optional<UpstreamTls> upstreamTls,
        SaslSettings sasl) {
}
