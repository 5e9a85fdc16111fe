package io.kanal.app.admin;

import io.kanal.proxy.config.HostPort;

import java.util.Objects;

/**
 * Whether the admin HTTP server runs ({@code /metrics}, {@code /livez}, {@code /readyz}, {@code /config}) and where.
 *
 * @param enabled whether it runs at all
 * @param listen  its listen address; port 0 lets the operating system pick one
 */
public record AdminSettings(boolean enabled, HostPort listen) {

    /** The admin port when nothing else is configured. */
    public static final int DEFAULT_PORT = 9190;
    /** Loopback only: metrics and the effective configuration are for the operator, not for the network. */
    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", DEFAULT_PORT);
    /** {@code admin:} not written at all. */
    public static final AdminSettings DEFAULT = new AdminSettings(true, DEFAULT_LISTEN);
    /** {@code admin: { enabled: false }}. */
    public static final AdminSettings DISABLED = new AdminSettings(false, DEFAULT_LISTEN);

    public AdminSettings {
        Objects.requireNonNull(listen, "listen");
    }
}
