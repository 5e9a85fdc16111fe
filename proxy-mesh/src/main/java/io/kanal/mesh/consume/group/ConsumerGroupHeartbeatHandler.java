package io.kanal.mesh.consume.group;

import io.kanal.mesh.api.MeshApiHandler;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.consume.UpstreamTimeouts;
import io.kanal.mesh.consume.Upstreams;
import io.kanal.mesh.upstream.UpstreamPool;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers ConsumerGroupHeartbeat (the KIP-848 group protocol, {@code group.protocol=consumer}) by forwarding it to the
 * coordinator of the cluster the member's subscribed topics live in. Topics are named when a member joins or changes
 * its subscription; other heartbeats go where the group was found before.
 *
 * <p>A subscription spanning clusters, or at odds with the cluster of the group's other members, is refused with
 * INVALID_REQUEST and a message naming the clusters and their topics; the Java consumer treats it as fatal and throws
 * it from poll() as an InvalidRequestException carrying that message. A heartbeat whose group cannot be placed is
 * answered UNKNOWN_MEMBER_ID, on which the member joins again naming its topics; a joining member subscribing by
 * regular expression to a group that cannot be placed is refused with INVALID_REQUEST, as the mesh cannot tell which
 * cluster's topics the expression means.
 */
final class ConsumerGroupHeartbeatHandler
        implements MeshApiHandler<ConsumerGroupHeartbeatRequestData, ConsumerGroupHeartbeatResponseData> {

    private static final Logger log = LoggerFactory.getLogger(ConsumerGroupHeartbeatHandler.class);
    /** The epoch of a member's first heartbeat, with which it joins. */
    private static final int JOINING_EPOCH = 0;

    private final Upstreams upstreams;
    private final MembershipRouter router;
    private final GroupRequests requests;

    ConsumerGroupHeartbeatHandler(Upstreams upstreams, MembershipRouter router, GroupRequests requests) {
        this.upstreams = upstreams;
        this.router = router;
        this.requests = requests;
    }

    @Override
    public CompletionStage<ConsumerGroupHeartbeatResponseData> handle(
            MeshSession session, MeshRequest<ConsumerGroupHeartbeatRequestData> request) {
        ConsumerGroupHeartbeatRequestData body = request.body();
        String group = body.groupId();
        UpstreamPool pool = upstreams.of(session);
        return router.decide(group, body.memberId(), Optional.ofNullable(body.subscribedTopicNames()))
                .thenCompose(decision -> {
                    if (decision.isRefused()) {
                        log.warn("mesh: refusing ConsumerGroupHeartbeat from {} with INVALID_REQUEST: {}",
                                session.clientAddress(), decision.refusal());
                        return CompletableFuture.completedFuture(error(Errors.INVALID_REQUEST, decision.refusal()));
                    }
                    if (decision.cluster().isPresent()) {
                        return requests.<ConsumerGroupHeartbeatRequestData, ConsumerGroupHeartbeatResponseData>
                                forward(pool, decision.cluster().get(), group, request,
                                        UpstreamTimeouts.covering(body.rebalanceTimeoutMs()));
                    }
                    if (body.memberEpoch() == JOINING_EPOCH) {
                        String why = "the Kanal mesh cannot tell which cluster group '" + group + "' belongs to: "
                                + (body.subscribedTopicRegex() != null
                                ? "it subscribes by regular expression; subscribe to topic names, or configure a "
                                + "default cluster"
                                : "its subscription names no topic the mesh routes");
                        log.warn("mesh: refusing ConsumerGroupHeartbeat from {} with INVALID_REQUEST: {}",
                                session.clientAddress(), why);
                        return CompletableFuture.completedFuture(error(Errors.INVALID_REQUEST, why));
                    }
                    return CompletableFuture.completedFuture(error(Errors.UNKNOWN_MEMBER_ID,
                            "the Kanal mesh does not know which cluster group '" + group + "' lives in; join again"));
                });
    }

    private static ConsumerGroupHeartbeatResponseData error(Errors error, String message) {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(error.code()).setErrorMessage(message)
                .setMemberEpoch(-1);
    }
}
