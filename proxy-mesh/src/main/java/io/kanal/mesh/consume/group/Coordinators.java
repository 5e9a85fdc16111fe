package io.kanal.mesh.consume.group;

import io.kanal.mesh.cluster.Broker;
import io.kanal.mesh.cluster.UpstreamCluster;
import io.kanal.mesh.cluster.UpstreamClusters;
import io.kanal.mesh.consume.UpstreamTimeouts;
import io.kanal.mesh.upstream.BrokerAddress;
import io.kanal.mesh.upstream.UpstreamPool;
import io.kanal.proxy.config.HostPort;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real coordinator of each group in each cluster, found with FindCoordinator on the mesh's own connections and
 * kept until a coordinator's answer or silence says it moved. Safe for use from any thread.
 */
public final class Coordinators {

    /** Look-ups kept; beyond this many the cache starts over. */
    private static final int MAX_CACHED = 100_000;
    private static final short BATCHED_VERSION = 4;

    private record Key(String cluster, String group) {
    }

    private final UpstreamClusters clusters;
    private final UpstreamPool control;
    private final ConcurrentHashMap<Key, CompletableFuture<BrokerAddress>> cache = new ConcurrentHashMap<>();
    private final AtomicInteger nextBroker = new AtomicInteger();

    public Coordinators(UpstreamClusters clusters, UpstreamPool control) {
        this.clusters = clusters;
        this.control = control;
    }

    /**
     * The broker coordinating {@code group} in {@code cluster}.
     *
     * @return fails with a {@link GroupRouteException} carrying the cluster's error (COORDINATOR_NOT_AVAILABLE when
     *         the cluster cannot be asked)
     */
    public CompletionStage<BrokerAddress> find(String cluster, String group) {
        Key key = new Key(cluster, group);
        CompletableFuture<BrokerAddress> known = cache.get(key);
        if (known != null && !known.isCompletedExceptionally()) {
            return known;
        }
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        CompletableFuture<BrokerAddress> lookup = new CompletableFuture<>();
        CompletableFuture<BrokerAddress> raced = known == null ? cache.putIfAbsent(key, lookup)
                : cache.replace(key, known, lookup) ? null : cache.get(key);
        if (raced != null) {
            return raced;
        }
        ask(cluster, group).whenComplete((coordinator, failure) -> {
            if (failure != null) {
                cache.remove(key, lookup);
                lookup.completeExceptionally(failure);
            } else {
                lookup.complete(coordinator);
            }
        });
        return lookup;
    }

    /** Forgets the coordinator of {@code group} in {@code cluster}; the next request looks it up again. */
    public void forget(String cluster, String group) {
        cache.remove(new Key(cluster, group));
    }

    private CompletionStage<BrokerAddress> ask(String clusterName, String group) {
        Optional<UpstreamCluster> cluster = clusters.named(clusterName);
        if (cluster.isEmpty()) {
            return CompletableFuture.failedFuture(new GroupRouteException(Errors.COORDINATOR_NOT_AVAILABLE,
                    "no cluster named '" + clusterName + "'"));
        }
        List<HostPort> candidates = candidates(cluster.get());
        BrokerAddress broker = new BrokerAddress(clusterName,
                candidates.get(Math.floorMod(nextBroker.getAndIncrement(), candidates.size())));
        return control.<FindCoordinatorResponseData>send(broker, ApiKeys.FIND_COORDINATOR,
                        ApiKeys.FIND_COORDINATOR.latestVersion(false), version -> request(version, group),
                        UpstreamTimeouts.DEFAULT)
                .handle((answer, failure) -> {
                    if (failure != null) {
                        throw new GroupRouteException(Errors.COORDINATOR_NOT_AVAILABLE, "cannot ask "
                                + cluster.get() + " for the coordinator of group '" + group + "': "
                                + GroupRouteException.messageOf(failure), failure);
                    }
                    Coordinator coordinator = answer.version() >= BATCHED_VERSION
                            ? answer.body().coordinators().get(0)
                            : new Coordinator().setErrorCode(answer.body().errorCode())
                                    .setErrorMessage(answer.body().errorMessage()).setNodeId(answer.body().nodeId())
                                    .setHost(answer.body().host()).setPort(answer.body().port());
                    Errors error = Errors.forCode(coordinator.errorCode());
                    if (error != Errors.NONE) {
                        throw new GroupRouteException(error, cluster.get() + " has no coordinator for group '"
                                + group + "': " + (coordinator.errorMessage() != null ? coordinator.errorMessage()
                                : error.message()));
                    }
                    return new BrokerAddress(clusterName, new HostPort(coordinator.host(), coordinator.port()));
                });
    }

    private static ApiMessage request(short version, String group) {
        FindCoordinatorRequestData request = new FindCoordinatorRequestData().setKeyType(CoordinatorType.GROUP.id());
        return version >= BATCHED_VERSION ? request.setCoordinatorKeys(List.of(group)) : request.setKey(group);
    }

    /** The cluster's brokers as last described, then its bootstrap servers. */
    private static List<HostPort> candidates(UpstreamCluster cluster) {
        Set<HostPort> candidates = new LinkedHashSet<>();
        for (Broker broker : cluster.metadata().brokers().values()) {
            candidates.add(broker.address());
        }
        candidates.addAll(cluster.config().bootstrapServers());
        return new ArrayList<>(candidates);
    }
}
