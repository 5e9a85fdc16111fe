/**
 * Kafka client connections from the mesh to upstream brokers: Kafka framing over Netty, the ApiVersions handshake,
 * pipelined requests answered in order, timeouts that close a connection rather than leave it out of step, and a
 * pool per client session so that one client's long-polling fetch or rebalancing JoinGroup never holds up another's
 * requests.
 */
package io.kanal.mesh.upstream;
