/**
 * Mesh routing: one listener in front of several Kafka clusters. Produce requests are split into records and sent
 * through one kafka-clients producer per cluster; metadata is answered by the mesh, which names itself as the only
 * broker; fetches, offsets and group requests are forwarded to the cluster that owns the topic or group.
 */
package io.kanal.mesh;
