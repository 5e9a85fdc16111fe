package io.kanal.mesh.consume.group;

import io.kanal.mesh.api.MeshApiHandler;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.consume.UpstreamTimeouts;
import io.kanal.mesh.consume.Upstreams;
import io.kanal.mesh.upstream.UpstreamPool;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Answers a request a member of a classic group makes between joins (SyncGroup, Heartbeat, LeaveGroup) by
 * forwarding it to the coordinator of the group's cluster. A group whose cluster cannot be told (the mesh restarted,
 * and no cluster has members of it) is answered UNKNOWN_MEMBER_ID: the member joins again, and its JoinGroup names
 * the topics that tell the cluster.
 */
final class MemberRequestHandler<Q extends ApiMessage, R extends ApiMessage> implements MeshApiHandler<Q, R> {

    private final Upstreams upstreams;
    private final GroupLocator locator;
    private final GroupRequests requests;
    private final Function<Q, String> groupOf;

    MemberRequestHandler(Upstreams upstreams, GroupLocator locator, GroupRequests requests,
                         Function<Q, String> groupOf) {
        this.upstreams = upstreams;
        this.locator = locator;
        this.requests = requests;
        this.groupOf = groupOf;
    }

    @Override
    public CompletionStage<R> handle(MeshSession session, MeshRequest<Q> request) {
        String group = groupOf.apply(request.body());
        UpstreamPool pool = upstreams.of(session);
        return locator.locate(group).thenCompose(cluster -> cluster.isPresent()
                ? requests.<Q, R>forward(pool, cluster.get(), group, request, UpstreamTimeouts.DEFAULT)
                : CompletableFuture.completedFuture(GroupRequests.<R>error(request, Errors.UNKNOWN_MEMBER_ID,
                        "the Kanal mesh does not know which cluster group '" + group + "' lives in")));
    }
}
