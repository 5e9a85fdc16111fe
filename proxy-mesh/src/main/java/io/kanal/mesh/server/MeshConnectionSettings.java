package io.kanal.mesh.server;

import io.kanal.mesh.api.MeshApis;
import io.kanal.proxy.metrics.ProxyMetrics;

/**
 * What every connection of the mesh shares.
 *
 * @param apis                the handler table
 * @param apiVersions         answers ApiVersions from the table
 * @param coordinators        answers FindCoordinator from the table's resolvers
 * @param maxInFlightRequests requests one client may have outstanding before the mesh stops reading it
 * @param maxPendingBytes     request bytes one client may have outstanding before the mesh stops reading it
 * @param metrics             the mesh's connection and request metrics
 */
record MeshConnectionSettings(
        MeshApis apis,
        ApiVersionsResponder apiVersions,
        FindCoordinatorResponder coordinators,
        int maxInFlightRequests,
        long maxPendingBytes,
        ProxyMetrics metrics) {
}
