/**
 * The mesh's listener and client connections: frames in, each request decoded and handed to the handler of its API,
 * answers out in request order, with the reading of each client bounded by its outstanding requests and bytes.
 * ApiVersions and FindCoordinator are answered here, from the handler table.
 */
package io.kanal.mesh.server;
