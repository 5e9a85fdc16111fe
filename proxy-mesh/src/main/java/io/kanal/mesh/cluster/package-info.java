/**
 * The clusters behind the mesh and what it knows about them: {@link io.kanal.mesh.cluster.ClusterMetadata} keeps each
 * cluster's brokers and the topics clients asked about (ids, partitions, leaders), learned through the cluster's admin
 * client and refreshed; {@link io.kanal.mesh.cluster.UpstreamClusters} routes a topic name or id to its cluster.
 */
package io.kanal.mesh.cluster;
