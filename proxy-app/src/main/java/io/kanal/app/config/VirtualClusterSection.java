package io.kanal.app.config;

import java.util.List;

/**
 * One entry of {@code virtualClusters} as written.
 *
 * @param name           unique name
 * @param bootstrap      listen address, {@code host:port}
 * @param advertisedHost host clients are told; optional unless the bootstrap host is a wildcard
 * @param nodeIds        node ids that get a broker port; optional
 * @param target         the real cluster
 * @param filters        names of the filters of this cluster's chain, in order; absent means {@code defaultFilters}
 * @param tls            TLS for clients; absent for plaintext
 * @param sni            routing by TLS host name on the bootstrap port instead of a port per broker; optional
 * @param sasl           SASL termination: the proxy authenticates clients itself; absent passes SASL through
 */
record VirtualClusterSection(
        String name,
        String bootstrap,
        String advertisedHost,
        NodeIdsSection nodeIds,
        TargetSection target,
        List<String> filters,
        DownstreamTlsSection tls,
        SniSection sni,
        SaslSection sasl) {
}
