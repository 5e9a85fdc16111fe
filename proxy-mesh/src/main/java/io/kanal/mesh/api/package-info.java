/**
 * How the mesh answers requests: the seam between the mesh's connections and the code that serves each Kafka API.
 *
 * <p>Every request a client sends to the mesh listener is decoded and given to the {@link
 * io.kanal.mesh.api.MeshApiHandler} registered for its API in the {@link io.kanal.mesh.api.MeshApis} table; the
 * handler answers asynchronously and the connection writes the answers in request order. Handlers come from
 * {@link io.kanal.mesh.api.MeshModule}s, which the mesh asks to register when it starts (the list is
 * {@code io.kanal.mesh.Mesh#MODULES}); a module gets the {@link io.kanal.mesh.api.MeshContext}: the configuration,
 * the node the mesh claims to be, the upstream clusters with their metadata, and a scheduler.
 *
 * <p>The mesh answers ApiVersions itself, from the table, and FindCoordinator itself, from the {@link
 * io.kanal.mesh.api.CoordinatorResolver}s modules register per coordinator type. A request for an API nobody
 * registered is answered with that API's own error response, UNSUPPORTED_VERSION, and the connection stays open.
 */
package io.kanal.mesh.api;
