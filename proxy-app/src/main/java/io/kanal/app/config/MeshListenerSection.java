package io.kanal.app.config;

/**
 * {@code mesh.listener} as written.
 *
 * @param bind           listen address, {@code host:port}
 * @param advertisedHost the host clients are told; optional unless {@code bind} is a wildcard address
 * @param advertisedPort the port clients are told; optional, default the bound port
 * @param nodeId         the broker id the mesh claims; optional, default 0
 */
record MeshListenerSection(String bind, String advertisedHost, Integer advertisedPort, Integer nodeId) {
}
