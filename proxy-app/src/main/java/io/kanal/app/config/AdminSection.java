package io.kanal.app.config;

/**
 * The optional {@code admin} section as written.
 *
 * @param enabled whether the admin HTTP server runs; default true
 * @param listen  its listen address, {@code host:port}; default {@code 127.0.0.1:9190}
 */
record AdminSection(Boolean enabled, String listen) {
}
