package io.kanal.mesh.consume.group;

import io.kanal.mesh.api.MeshApis;
import io.kanal.mesh.api.MeshContext;
import io.kanal.mesh.api.MeshNode;
import io.kanal.mesh.consume.TopicLocator;
import io.kanal.mesh.consume.Upstreams;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;

import java.util.concurrent.CompletableFuture;

/**
 * Consumer groups through the mesh. The mesh tells clients it coordinates every group, and forwards each group
 * request to the real coordinator of the group in the one cluster the group belongs to ({@link GroupHomes}): classic
 * groups (JoinGroup, SyncGroup, Heartbeat, LeaveGroup), KIP-848 groups (ConsumerGroupHeartbeat,
 * ConsumerGroupDescribe), offsets (OffsetCommit, OffsetFetch, OffsetDelete) and group administration
 * (DescribeGroups, ListGroups, DeleteGroups). TxnOffsetCommit is not served: the mesh's producers do not run the
 * client's transactions.
 */
public final class ConsumerGroups {

    private ConsumerGroups() {
    }

    /** Registers the group APIs and the GROUP coordinator resolver with {@code apis}. */
    public static void register(MeshApis.Builder apis, MeshContext context, Upstreams upstreams,
                                TopicLocator locator) {
        GroupHomes homes = new GroupHomes(context.clusters(), context.config().defaultCluster());
        Coordinators coordinators = new Coordinators(context.clusters(), upstreams.control());
        GroupForwarder forwarder = new GroupForwarder(coordinators);
        GroupLocator groupLocator = new GroupLocator(homes, forwarder, upstreams.control());
        MembershipRouter router = new MembershipRouter(homes, groupLocator);
        GroupRequests requests = new GroupRequests(forwarder);
        GroupFanOut fanOut = new GroupFanOut(homes);
        TopicClusters topics = new TopicClusters(context.clusters(), locator);

        MeshNode self = context.self();
        apis.coordinator(CoordinatorType.GROUP, (session, group) -> CompletableFuture.completedFuture(
                new Coordinator().setErrorCode(Errors.NONE.code()).setNodeId(self.nodeId()).setHost(self.host())
                        .setPort(self.port())));

        apis.handle(ApiKeys.JOIN_GROUP, JoinGroupRequestData.class,
                new JoinGroupHandler(upstreams, router, requests), () -> upstreams.forwardable(ApiKeys.JOIN_GROUP));
        apis.handle(ApiKeys.SYNC_GROUP, SyncGroupRequestData.class,
                new MemberRequestHandler<SyncGroupRequestData, SyncGroupResponseData>(upstreams, groupLocator,
                        requests, SyncGroupRequestData::groupId),
                () -> upstreams.forwardable(ApiKeys.SYNC_GROUP));
        apis.handle(ApiKeys.HEARTBEAT, HeartbeatRequestData.class,
                new MemberRequestHandler<HeartbeatRequestData, HeartbeatResponseData>(upstreams, groupLocator,
                        requests, HeartbeatRequestData::groupId),
                () -> upstreams.forwardable(ApiKeys.HEARTBEAT));
        apis.handle(ApiKeys.LEAVE_GROUP, LeaveGroupRequestData.class,
                new MemberRequestHandler<LeaveGroupRequestData, LeaveGroupResponseData>(upstreams, groupLocator,
                        requests, LeaveGroupRequestData::groupId),
                () -> upstreams.forwardable(ApiKeys.LEAVE_GROUP));
        apis.handle(ApiKeys.CONSUMER_GROUP_HEARTBEAT, ConsumerGroupHeartbeatRequestData.class,
                new ConsumerGroupHeartbeatHandler(upstreams, router, requests),
                () -> upstreams.forwardable(ApiKeys.CONSUMER_GROUP_HEARTBEAT));
        apis.handle(ApiKeys.OFFSET_COMMIT, OffsetCommitRequestData.class,
                new OffsetCommitHandler(upstreams, homes, forwarder, topics),
                () -> upstreams.forwardable(ApiKeys.OFFSET_COMMIT));
        apis.handle(ApiKeys.OFFSET_FETCH, OffsetFetchRequestData.class,
                new OffsetFetchHandler(upstreams, homes, forwarder, topics),
                () -> upstreams.forwardable(ApiKeys.OFFSET_FETCH));
        apis.handle(ApiKeys.OFFSET_DELETE, OffsetDeleteRequestData.class,
                new OffsetDeleteHandler(upstreams, forwarder, topics),
                () -> upstreams.forwardable(ApiKeys.OFFSET_DELETE));
        apis.handle(ApiKeys.DESCRIBE_GROUPS, DescribeGroupsRequestData.class,
                new DescribeGroupsHandler(upstreams, forwarder, fanOut),
                () -> upstreams.forwardable(ApiKeys.DESCRIBE_GROUPS));
        apis.handle(ApiKeys.CONSUMER_GROUP_DESCRIBE, ConsumerGroupDescribeRequestData.class,
                new ConsumerGroupDescribeHandler(upstreams, forwarder, fanOut),
                () -> upstreams.forwardable(ApiKeys.CONSUMER_GROUP_DESCRIBE));
        apis.handle(ApiKeys.LIST_GROUPS, ListGroupsRequestData.class,
                new ListGroupsHandler(upstreams, context.clusters()),
                () -> upstreams.forwardable(ApiKeys.LIST_GROUPS));
        apis.handle(ApiKeys.DELETE_GROUPS, DeleteGroupsRequestData.class,
                new DeleteGroupsHandler(upstreams, homes, forwarder, fanOut),
                () -> upstreams.forwardable(ApiKeys.DELETE_GROUPS));
    }
}
