package io.kanal.mesh.api;

/**
 * The broker the mesh claims to be: the only one its clients ever see, leader of every partition and coordinator of
 * every group.
 *
 * @param nodeId the broker id
 * @param host   the advertised host
 * @param port   the advertised port
 */
public record MeshNode(int nodeId, String host, int port) {
}
