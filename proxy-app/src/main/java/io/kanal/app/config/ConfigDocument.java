package io.kanal.app.config;

import java.util.List;

/**
 * The configuration file as written, before validation. Absent keys are {@code null}.
 *
 * @param virtualClusters the virtual clusters; at least one unless there is a mesh
 * @param network         limits and timeouts, optional
 * @param filters         filter definitions that chains name, optional
 * @param defaultFilters  the chain of every virtual cluster without a {@code filters} key, optional
 * @param plugins         where plugin jars are, optional
 * @param admin           the admin HTTP server, optional
 * @param reload          how a changed file is picked up while Kanal runs, optional
 * @param mesh            one listener in front of several clusters, optional
 */
record ConfigDocument(
        List<VirtualClusterSection> virtualClusters,
        NetworkSection network,
        List<FilterSection> filters,
        List<String> defaultFilters,
        PluginsSection plugins,
        AdminSection admin,
        ReloadSection reload,
        MeshSection mesh) {
}
