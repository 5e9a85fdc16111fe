package io.kanal.app.config;

import java.util.List;

/**
 * The configuration file as written, before validation. Absent keys are {@code null}.
 *
 * @param virtualClusters the virtual clusters, at least one
 * @param network         limits and timeouts, optional
 */
record ConfigDocument(List<VirtualClusterSection> virtualClusters, NetworkSection network) {
}
