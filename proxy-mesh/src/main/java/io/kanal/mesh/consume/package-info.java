/**
 * The mesh's consume path: Fetch, ListOffsets, OffsetForLeaderEpoch and consumer groups.
 *
 * <p>Design: requests are forwarded over the wire, not served from consumers of the mesh's own. A client's Fetch is
 * split by the broker leading each partition and sent to each as a sessionless full fetch, on upstream connections
 * that belong to the client's session ({@link io.kanal.mesh.upstream.UpstreamPool}), and the answers are merged. So
 * the client's offsets, positions, isolation level and group protocol stay the client's, records travel as the bytes
 * the broker sent, and the mesh keeps no records: per-cluster consumers would have to buffer records, guess at
 * positions and re-implement group protocols, and would break seek(), read_committed and KIP-848. The mesh answers a
 * Fetch as soon as the records that arrived reach the client's minimum bytes, without waiting for other brokers' long
 * polls (see {@code fetch.FetchLanes}); it follows the replica a leader prefers for a client's rack itself.
 *
 * <p>Each consumer group belongs to the one cluster its topics live in ({@code group.GroupHomes}); group requests go
 * to the group's coordinator there. A group whose topics span clusters is refused: JoinGroup with
 * INCONSISTENT_GROUP_PROTOCOL (fatal in the Java consumer; the mesh logs the clusters), ConsumerGroupHeartbeat with
 * INVALID_REQUEST and a message naming the clusters, a member's OffsetCommit with INVALID_REQUEST. Offsets committed
 * outside group membership (assign()) are kept with each topic's cluster.
 */
package io.kanal.mesh.consume;
