package io.kanal.mesh.consume.group;

import io.kanal.mesh.api.MeshApiHandler;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.consume.UpstreamTimeouts;
import io.kanal.mesh.consume.Upstreams;
import io.kanal.mesh.upstream.UpstreamPool;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Answers DescribeGroups group by group, from the group's cluster; a group whose cluster is not known is described by
 * every cluster and the one where it has members (else exists at all) answers.
 */
final class DescribeGroupsHandler implements MeshApiHandler<DescribeGroupsRequestData, DescribeGroupsResponseData> {

    private final Upstreams upstreams;
    private final GroupForwarder forwarder;
    private final GroupFanOut fanOut;

    DescribeGroupsHandler(Upstreams upstreams, GroupForwarder forwarder, GroupFanOut fanOut) {
        this.upstreams = upstreams;
        this.forwarder = forwarder;
        this.fanOut = fanOut;
    }

    @Override
    public CompletionStage<DescribeGroupsResponseData> handle(MeshSession session,
                                                              MeshRequest<DescribeGroupsRequestData> request) {
        DescribeGroupsRequestData body = request.body();
        UpstreamPool pool = upstreams.of(session);
        return fanOut.bestForEach(body.groups(),
                (cluster, group) -> describe(pool, cluster, group, body, request.apiVersion()),
                DescribeGroupsHandler::rank)
                .thenApply(groups -> new DescribeGroupsResponseData().setGroups(groups));
    }

    private CompletionStage<DescribedGroup> describe(UpstreamPool pool, String cluster, String group,
                                                     DescribeGroupsRequestData body, short version) {
        return forwarder.<DescribeGroupsResponseData>forward(pool, cluster, group, ApiKeys.DESCRIBE_GROUPS, version,
                        partVersion -> new DescribeGroupsRequestData().setGroups(List.of(group))
                                .setIncludeAuthorizedOperations(body.includeAuthorizedOperations()),
                        UpstreamTimeouts.DEFAULT)
                .handle((answer, failure) -> {
                    if (failure != null || answer.groups().isEmpty()) {
                        Errors error = failure != null ? GroupRouteException.errorOf(failure)
                                : Errors.COORDINATOR_NOT_AVAILABLE;
                        return new DescribedGroup().setGroupId(group).setErrorCode(error.code())
                                .setErrorMessage(failure != null ? GroupRouteException.messageOf(failure) : null)
                                .setGroupState("").setProtocolType("").setProtocolData("");
                    }
                    return answer.groups().get(0);
                });
    }

    /** Members beat no members beat an error (the group may be where it came from) beat no group. */
    private static int rank(DescribedGroup group) {
        Errors error = Errors.forCode(group.errorCode());
        if (error == Errors.GROUP_ID_NOT_FOUND || error == Errors.NONE && "Dead".equalsIgnoreCase(group.groupState())) {
            return 0;
        }
        if (error != Errors.NONE) {
            return 1;
        }
        return "Empty".equalsIgnoreCase(group.groupState()) ? 2 : 3;
    }
}
