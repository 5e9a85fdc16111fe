package io.kanal.app.config;

/**
 * One entry of {@code virtualClusters} as written.
 *
 * @param name           unique name
 * @param bootstrap      listen address, {@code host:port}
 * @param advertisedHost host clients are told; optional unless the bootstrap host is a wildcard
 * @param nodeIds        node ids that get a broker port; optional
 * @param target         the real cluster
 */
record VirtualClusterSection(
        String name,
        String bootstrap,
        String advertisedHost,
        NodeIdsSection nodeIds,
        TargetSection target) {
}
