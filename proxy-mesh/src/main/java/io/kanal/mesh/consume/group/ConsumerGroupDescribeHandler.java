package io.kanal.mesh.consume.group;

import io.kanal.mesh.api.MeshApiHandler;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.consume.UpstreamTimeouts;
import io.kanal.mesh.consume.Upstreams;
import io.kanal.mesh.upstream.UpstreamPool;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Answers ConsumerGroupDescribe (KIP-848 groups) group by group, as {@link DescribeGroupsHandler} answers
 * DescribeGroups. Assignments name topics by their clusters' ids, which are the ids the mesh's Metadata gives.
 */
final class ConsumerGroupDescribeHandler
        implements MeshApiHandler<ConsumerGroupDescribeRequestData, ConsumerGroupDescribeResponseData> {

    private final Upstreams upstreams;
    private final GroupForwarder forwarder;
    private final GroupFanOut fanOut;

    ConsumerGroupDescribeHandler(Upstreams upstreams, GroupForwarder forwarder, GroupFanOut fanOut) {
        this.upstreams = upstreams;
        this.forwarder = forwarder;
        this.fanOut = fanOut;
    }

    @Override
    public CompletionStage<ConsumerGroupDescribeResponseData> handle(
            MeshSession session, MeshRequest<ConsumerGroupDescribeRequestData> request) {
        ConsumerGroupDescribeRequestData body = request.body();
        UpstreamPool pool = upstreams.of(session);
        return fanOut.bestForEach(body.groupIds(),
                (cluster, group) -> describe(pool, cluster, group, body, request.apiVersion()),
                ConsumerGroupDescribeHandler::rank)
                .thenApply(groups -> new ConsumerGroupDescribeResponseData().setGroups(groups));
    }

    private CompletionStage<DescribedGroup> describe(UpstreamPool pool, String cluster, String group,
                                                     ConsumerGroupDescribeRequestData body, short version) {
        return forwarder.<ConsumerGroupDescribeResponseData>forward(pool, cluster, group,
                        ApiKeys.CONSUMER_GROUP_DESCRIBE, version,
                        partVersion -> new ConsumerGroupDescribeRequestData().setGroupIds(List.of(group))
                                .setIncludeAuthorizedOperations(body.includeAuthorizedOperations()),
                        UpstreamTimeouts.DEFAULT)
                .handle((answer, failure) -> {
                    if (failure != null || answer.groups().isEmpty()) {
                        Errors error = failure != null ? GroupRouteException.errorOf(failure)
                                : Errors.COORDINATOR_NOT_AVAILABLE;
                        return new DescribedGroup().setGroupId(group).setErrorCode(error.code())
                                .setErrorMessage(failure != null ? GroupRouteException.messageOf(failure) : null);
                    }
                    return answer.groups().get(0);
                });
    }

    private static int rank(DescribedGroup group) {
        Errors error = Errors.forCode(group.errorCode());
        if (error == Errors.GROUP_ID_NOT_FOUND) {
            return 0;
        }
        if (error != Errors.NONE) {
            return 1;
        }
        return "Empty".equalsIgnoreCase(group.groupState()) ? 2 : 3;
    }
}
