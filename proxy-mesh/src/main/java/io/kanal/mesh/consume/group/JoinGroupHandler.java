package io.kanal.mesh.consume.group;

import io.kanal.mesh.api.MeshApiHandler;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.consume.UpstreamTimeouts;
import io.kanal.mesh.consume.Upstreams;
import io.kanal.mesh.upstream.UpstreamPool;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers JoinGroup (classic group protocol) by forwarding it to the coordinator of the cluster the member's
 * subscribed topics live in.
 *
 * <p>A member whose topics live in several clusters, or in another cluster than the group's current members', is
 * refused with INCONSISTENT_GROUP_PROTOCOL: the Java consumer treats it as fatal at once and throws
 * InconsistentGroupProtocolException from poll(), as a broker's answer to members that cannot form one group. The
 * response has no room for a message, so the mesh logs one naming the group, the clusters and their topics. A group
 * whose members name no topics and whose cluster cannot be told is answered COORDINATOR_NOT_AVAILABLE, which clients
 * retry.
 */
final class JoinGroupHandler implements MeshApiHandler<JoinGroupRequestData, JoinGroupResponseData> {

    private static final Logger log = LoggerFactory.getLogger(JoinGroupHandler.class);

    private final Upstreams upstreams;
    private final MembershipRouter router;
    private final GroupRequests requests;

    JoinGroupHandler(Upstreams upstreams, MembershipRouter router, GroupRequests requests) {
        this.upstreams = upstreams;
        this.router = router;
        this.requests = requests;
    }

    @Override
    public CompletionStage<JoinGroupResponseData> handle(MeshSession session,
                                                         MeshRequest<JoinGroupRequestData> request) {
        JoinGroupRequestData body = request.body();
        String group = body.groupId();
        UpstreamPool pool = upstreams.of(session);
        return router.decide(group, body.memberId(), Subscriptions.topics(body)).thenCompose(decision -> {
            if (decision.isRefused()) {
                log.warn("mesh: refusing JoinGroup from {} with INCONSISTENT_GROUP_PROTOCOL: {}",
                        session.clientAddress(), decision.refusal());
                return CompletableFuture.completedFuture(GroupRequests.<JoinGroupResponseData>error(request,
                        Errors.INCONSISTENT_GROUP_PROTOCOL, decision.refusal()));
            }
            if (decision.cluster().isEmpty()) {
                log.warn("mesh: cannot tell which cluster group '{}' belongs to: its members name no topics of a "
                        + "routed cluster and no cluster has it; configure a default cluster for such groups", group);
                return CompletableFuture.completedFuture(GroupRequests.<JoinGroupResponseData>error(request,
                        Errors.COORDINATOR_NOT_AVAILABLE, null));
            }
            long timeoutMs = Math.max(body.rebalanceTimeoutMs(), body.sessionTimeoutMs());
            return requests.<JoinGroupRequestData, JoinGroupResponseData>forward(pool, decision.cluster().get(),
                    group, request, UpstreamTimeouts.covering(timeoutMs));
        });
    }
}
