package io.kanal.app.config;

/**
 * {@code nodeIds} of a virtual cluster as written.
 *
 * @param first lowest node id given a port
 * @param last  highest node id given a port
 */
record NodeIdsSection(Integer first, Integer last) {
}
