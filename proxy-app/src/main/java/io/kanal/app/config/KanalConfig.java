package io.kanal.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.kanal.app.admin.AdminSettings;
import io.kanal.mesh.config.MeshConfig;
import io.kanal.proxy.config.ProxyConfig;

import java.util.Objects;
import java.util.Optional;

/**
 * A loaded configuration file: what the engine runs, what the app runs around it, and the document itself.
 *
 * @param proxy    the engine's configuration
 * @param admin    the admin HTTP server's settings, defaults applied
 * @param document the file as parsed, after {@code ${VAR}} substitution and before defaults; secrets included
 * @param reload   how a changed file is picked up while Kanal runs, defaults applied
 * @param mesh     the mesh, when the file configures one
 */
public record KanalConfig(ProxyConfig proxy, AdminSettings admin, JsonNode document, ReloadSettings reload,
                          Optional<MeshConfig> mesh) {

    public KanalConfig {
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(document, "document");
        Objects.requireNonNull(reload, "reload");
        Objects.requireNonNull(mesh, "mesh");
    }

    /** A loaded configuration without a mesh. */
    public KanalConfig(ProxyConfig proxy, AdminSettings admin, JsonNode document, ReloadSettings reload) {
        this(proxy, admin, document, reload, Optional.empty());
    }

    /** A loaded configuration with the default reload settings and no mesh. */
    public KanalConfig(ProxyConfig proxy, AdminSettings admin, JsonNode document) {
        this(proxy, admin, document, ReloadSettings.DEFAULT);
    }
}
