package io.kanal.mesh.consume.group;

import io.kanal.mesh.api.MeshApiHandler;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.async.AllOf;
import io.kanal.mesh.cluster.Broker;
import io.kanal.mesh.cluster.UpstreamCluster;
import io.kanal.mesh.cluster.UpstreamClusters;
import io.kanal.mesh.consume.UpstreamTimeouts;
import io.kanal.mesh.consume.Upstreams;
import io.kanal.mesh.upstream.BrokerAddress;
import io.kanal.mesh.upstream.UpstreamPool;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers ListGroups with the groups of every broker of every cluster (each broker lists the groups it
 * coordinates), with the request's filters; a group id found in several clusters is listed once, with members where
 * it has them. When a broker cannot be asked the answer is COORDINATOR_NOT_AVAILABLE, which admin clients retry,
 * rather than a list missing some groups.
 */
final class ListGroupsHandler implements MeshApiHandler<ListGroupsRequestData, ListGroupsResponseData> {

    private static final Logger log = LoggerFactory.getLogger(ListGroupsHandler.class);

    private final Upstreams upstreams;
    private final UpstreamClusters clusters;

    ListGroupsHandler(Upstreams upstreams, UpstreamClusters clusters) {
        this.upstreams = upstreams;
        this.clusters = clusters;
    }

    @Override
    public CompletionStage<ListGroupsResponseData> handle(MeshSession session,
                                                          MeshRequest<ListGroupsRequestData> request) {
        UpstreamPool pool = upstreams.of(session);
        List<CompletableFuture<ListGroupsResponseData>> answers = new ArrayList<>();
        boolean everyClusterKnown = true;
        for (UpstreamCluster cluster : clusters.all()) {
            if (cluster.metadata().brokers().isEmpty()) {
                everyClusterKnown = false;
                continue;
            }
            for (Broker broker : cluster.metadata().brokers().values()) {
                BrokerAddress address = new BrokerAddress(cluster.name(), broker.address());
                answers.add(pool.<ListGroupsResponseData>send(address, ApiKeys.LIST_GROUPS, request.apiVersion(),
                                request.body(), UpstreamTimeouts.DEFAULT)
                        .handle((answer, failure) -> {
                            if (failure != null) {
                                log.debug("mesh: ListGroups to {} failed: {}", address, failure.toString());
                                return new ListGroupsResponseData()
                                        .setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
                            }
                            return answer.body();
                        }).toCompletableFuture());
            }
        }
        Errors missing = everyClusterKnown ? Errors.NONE : Errors.COORDINATOR_NOT_AVAILABLE;
        return AllOf.list(answers).thenApply(listed -> merge(listed, missing));
    }

    private static ListGroupsResponseData merge(List<ListGroupsResponseData> answers, Errors missing) {
        Errors error = missing;
        int throttle = 0;
        Map<String, ListedGroup> groups = new LinkedHashMap<>();
        for (ListGroupsResponseData answer : answers) {
            throttle = Math.max(throttle, answer.throttleTimeMs());
            if (answer.errorCode() != Errors.NONE.code()) {
                if (error == Errors.NONE) {
                    error = Errors.forCode(answer.errorCode());
                }
                continue;
            }
            for (ListedGroup group : answer.groups()) {
                ListedGroup seen = groups.get(group.groupId());
                if (seen == null || "Empty".equalsIgnoreCase(seen.groupState())) {
                    groups.put(group.groupId(), group);
                }
            }
        }
        return new ListGroupsResponseData().setErrorCode(error.code()).setThrottleTimeMs(throttle)
                .setGroups(new ArrayList<>(groups.values()));
    }
}
