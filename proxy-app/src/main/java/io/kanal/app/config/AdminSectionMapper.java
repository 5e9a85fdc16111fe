package io.kanal.app.config;

import io.kanal.app.admin.AdminSettings;
import io.kanal.mesh.config.MeshConfig;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.ProxyConfig;

import java.util.Optional;

/**
 * Reads the {@code admin} section: defaults, the listen address, and a check that the admin port is none of the
 * virtual clusters' ports nor the mesh's.
 */
final class AdminSectionMapper {

    private AdminSectionMapper() {
    }

    /**
     * @param section as written, {@code null} when absent
     * @param proxy   the virtual clusters, already validated, whose ports the admin port must stay clear of
     * @param mesh    the mesh, already validated, whose port the admin port must stay clear of
     * @throws ConfigException at {@code admin.listen} for a malformed address or a port a virtual cluster or the
     *                         mesh uses
     */
    static AdminSettings map(AdminSection section, ProxyConfig proxy, Optional<MeshConfig> mesh)
            throws ConfigException {
        KeyPath path = KeyPath.ROOT.key("admin");
        if (section != null && section.enabled() != null && !section.enabled()) {
            return AdminSettings.DISABLED;
        }
        KeyPath listenPath = path.key("listen");
        boolean defaulted = section == null || section.listen() == null;
        HostPort listen = defaulted ? AdminSettings.DEFAULT_LISTEN : ProxyConfigMapper.address(section.listen(), listenPath);
        if (listen.port() != 0) {
            try {
                ListenPorts ports = ListenPorts.ofVirtualClusters(proxy);
                if (mesh.isPresent() && mesh.get().listener().bind().port() != 0) {
                    HostPort bind = mesh.get().listener().bind();
                    ports.claim(bind.host(), bind.port(), bind.port(), "the mesh",
                            KeyPath.ROOT.key("mesh").key("listener").key("bind"));
                }
                ports.claim(listen.host(), listen.port(), listen.port(), "the admin server", listenPath);
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
}
