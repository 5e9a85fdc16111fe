package io.kanal.mesh.consume.group;

import io.kanal.mesh.api.MeshApiHandler;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.async.AllOf;
import io.kanal.mesh.consume.UpstreamTimeouts;
import io.kanal.mesh.consume.Upstreams;
import io.kanal.mesh.upstream.UpstreamPool;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers DeleteGroups by deleting each group in every cluster, since offsets committed outside group membership may
 * have left it in several. A group is deleted (NONE) when some cluster deleted it and none refused; GROUP_ID_NOT_FOUND
 * when no cluster had it; otherwise the first refusal (NON_EMPTY_GROUP, say).
 */
final class DeleteGroupsHandler implements MeshApiHandler<DeleteGroupsRequestData, DeleteGroupsResponseData> {

    private final Upstreams upstreams;
    private final GroupHomes homes;
    private final GroupForwarder forwarder;
    private final GroupFanOut fanOut;

    DeleteGroupsHandler(Upstreams upstreams, GroupHomes homes, GroupForwarder forwarder, GroupFanOut fanOut) {
        this.upstreams = upstreams;
        this.homes = homes;
        this.forwarder = forwarder;
        this.fanOut = fanOut;
    }

    @Override
    public CompletionStage<DeleteGroupsResponseData> handle(MeshSession session,
                                                            MeshRequest<DeleteGroupsRequestData> request) {
        UpstreamPool pool = upstreams.of(session);
        Map<String, CompletableFuture<Errors>> results = new LinkedHashMap<>();
        for (String group : request.body().groupsNames()) {
            results.put(group, fanOut.everywhere(cluster -> delete(pool, cluster, group, request.apiVersion()))
                    .thenApply(DeleteGroupsHandler::combine).toCompletableFuture());
        }
        return AllOf.map(results).thenApply(deleted -> {
            DeletableGroupResultCollection answered = new DeletableGroupResultCollection();
            deleted.forEach((group, result) -> {
                if (result == Errors.NONE) {
                    homes.forget(group);
                }
                if (answered.find(group) == null) {
                    answered.add(new DeletableGroupResult().setGroupId(group).setErrorCode(result.code()));
                }
            });
            return new DeleteGroupsResponseData().setResults(answered);
        });
    }

    private CompletionStage<Errors> delete(UpstreamPool pool, String cluster, String group, short version) {
        return forwarder.<DeleteGroupsResponseData>forward(pool, cluster, group, ApiKeys.DELETE_GROUPS, version,
                        partVersion -> new DeleteGroupsRequestData().setGroupsNames(List.of(group)),
                        UpstreamTimeouts.DEFAULT)
                .handle((answer, failure) -> {
                    if (failure != null) {
                        return GroupRouteException.errorOf(failure);
                    }
                    DeletableGroupResult result = answer.results().find(group);
                    return result == null ? Errors.UNKNOWN_SERVER_ERROR : Errors.forCode(result.errorCode());
                });
    }

    static Errors combine(List<Errors> perCluster) {
        List<Errors> refusals = new ArrayList<>();
        boolean deleted = false;
        for (Errors error : perCluster) {
            if (error == Errors.NONE) {
                deleted = true;
            } else if (error != Errors.GROUP_ID_NOT_FOUND) {
                refusals.add(error);
            }
        }
        if (!refusals.isEmpty()) {
            return refusals.get(0);
        }
        return deleted ? Errors.NONE : Errors.GROUP_ID_NOT_FOUND;
    }
}
