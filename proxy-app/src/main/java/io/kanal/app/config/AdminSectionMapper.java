package io.kanal.app.config;

import io.kanal.app.admin.AdminSettings;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;

import java.util.List;

/**
 * Reads the {@code admin} section: defaults, the listen address, and a check that the admin port is none of the
 * virtual clusters' ports.
 */
final class AdminSectionMapper {

    private AdminSectionMapper() {
    }

    /**
     * @param section as written, {@code null} when absent
     * @param proxy   the virtual clusters, already validated, whose ports the admin port must stay clear of
     * @throws ConfigException at {@code admin.listen} for a malformed address or a port a virtual cluster uses
     */
    static AdminSettings map(AdminSection section, ProxyConfig proxy) throws ConfigException {
        KeyPath path = KeyPath.ROOT.key("admin");
        if (section != null && section.enabled() != null && !section.enabled()) {
            return AdminSettings.DISABLED;
        }
        KeyPath listenPath = path.key("listen");
        boolean defaulted = section == null || section.listen() == null;
        HostPort listen = defaulted ? AdminSettings.DEFAULT_LISTEN : ProxyConfigMapper.address(section.listen(), listenPath);
        if (listen.port() != 0) {
            try {
                claimedPorts(proxy).claim(listen.host(), listen.port(), listen.port(), "the admin server", listenPath);
            } catch (ConfigException e) {
                if (!defaulted) {
                    throw e;
                }
                throw new ConfigException(e.getMessage() + "; " + listen + " is admin.listen's default: set "
                        + "admin.listen to a free address, or admin.enabled to false");
            }
        }
        return new AdminSettings(true, listen);
    }

    /** The virtual clusters' ports, claimed again as the virtual clusters' mapping claimed them. */
    private static ListenPorts claimedPorts(ProxyConfig proxy) throws ConfigException {
        ListenPorts ports = new ListenPorts();
        List<VirtualClusterConfig> clusters = proxy.virtualClusters();
        for (int i = 0; i < clusters.size(); i++) {
            VirtualClusterConfig cluster = clusters.get(i);
            HostPort bootstrap = cluster.bootstrap();
            if (bootstrap.port() != 0) {
                ports.claim(bootstrap.host(), bootstrap.port(), ProxyConfigMapper.lastListenPort(cluster),
                        "virtual cluster '" + cluster.name() + "'",
                        KeyPath.ROOT.key("virtualClusters").index(i).key("bootstrap"));
            }
        }
        return ports;
    }
}
