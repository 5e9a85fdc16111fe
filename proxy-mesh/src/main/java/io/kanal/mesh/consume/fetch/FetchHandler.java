package io.kanal.mesh.consume.fetch;

import io.kanal.mesh.api.MeshApiHandler;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.api.SessionKey;
import io.kanal.mesh.consume.TopicLocation;
import io.kanal.mesh.consume.TopicLocator;
import io.kanal.mesh.consume.Upstreams;
import io.kanal.mesh.consume.fetch.FetchLanes.Lane;
import io.kanal.mesh.consume.fetch.FetchPlan.Part;
import io.kanal.mesh.consume.fetch.FetchPlan.Slot;
import io.kanal.mesh.upstream.UpstreamPool;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Answers Fetch by forwarding it over the wire: the client's partitions are split by the broker that leads each (or
 * the replica its leader prefers for this client), each broker gets one sessionless full fetch on the client's own
 * connection to it, and the answers are merged into one, with session id 0 so that the client keeps sending full
 * fetches. Offsets, positions, isolation level and group protocol stay the client's; the mesh keeps no records.
 *
 * <p>Partitions of topics the mesh does not serve are answered UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID when
 * asked by id). A broker that cannot be reached, or does not answer in time, answers its partitions
 * NOT_LEADER_OR_FOLLOWER, which clients handle by asking the mesh for metadata and fetching again; so do partitions
 * without a leader. Errors brokers report are passed on, and those that mean the mesh's metadata is stale make it
 * describe the topic again.
 */
public final class FetchHandler implements MeshApiHandler<FetchRequestData, FetchResponseData> {

    private static final Logger log = LoggerFactory.getLogger(FetchHandler.class);
    /** How much longer than the client's wait a broker may take before its part is given up. */
    private static final Duration ANSWER_ALLOWANCE = Duration.ofSeconds(20);
    /**
     * How much longer than the client's wait the mesh waits for slow parts before answering without them; a healthy
     * broker answers within the wait.
     */
    private static final Duration MERGE_ALLOWANCE = Duration.ofSeconds(3);
    /** The longest client wait taken at its word, so that a hostile value cannot hold a request forever. */
    private static final int MAX_WAIT_MS = 300_000;
    /** The most one part may ask for: leaves room for a batch beyond it under the upstream response limit. */
    private static final int MAX_PART_BYTES = 64 * 1024 * 1024;

    private static final SessionKey<FetchLanes> LANES = new SessionKey<>("fetch lanes", session -> new FetchLanes());
    private static final SessionKey<ReadReplicas> REPLICAS = new SessionKey<>("read replicas",
            session -> new ReadReplicas());

    private final TopicLocator locator;
    private final Upstreams upstreams;
    private final ScheduledExecutorService scheduler;

    public FetchHandler(TopicLocator locator, Upstreams upstreams, ScheduledExecutorService scheduler) {
        this.locator = locator;
        this.upstreams = upstreams;
        this.scheduler = scheduler;
    }

    @Override
    public CompletionStage<FetchResponseData> handle(MeshSession session, MeshRequest<FetchRequestData> request) {
        FetchRequestData body = request.body();
        short version = request.apiVersion();
        if (body.sessionId() != 0) {
            // The mesh never hands out a session id, so an incremental fetch names one it does not have.
            return CompletableFuture.completedFuture(new FetchResponseData()
                    .setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()).setSessionId(0));
        }
        UpstreamPool pool = upstreams.of(session);
        FetchLanes lanes = session.state(LANES);
        ReadReplicas replicas = session.state(REPLICAS);
        return locate(body, version).thenCompose(located -> {
            FetchPlan plan = FetchPlan.of(body, version, located::get, replicas);
            return fetch(plan, request, pool, lanes, replicas);
        });
    }

    private CompletionStage<Map<FetchTopic, TopicLocation>> locate(FetchRequestData body, short version) {
        Map<FetchTopic, TopicLocation> located = new HashMap<>();
        if (version >= FetchPlan.TOPIC_ID_VERSION) {
            for (FetchTopic topic : body.topics()) {
                located.put(topic, locator.byId(topic.topicId()));
            }
            return CompletableFuture.completedFuture(located);
        }
        return locator.byNames(body.topics().stream().map(FetchTopic::topic).toList()).thenApply(byName -> {
            for (FetchTopic topic : body.topics()) {
                located.put(topic, byName.get(topic.topic()));
            }
            return located;
        });
    }

    private CompletionStage<FetchResponseData> fetch(FetchPlan plan, MeshRequest<FetchRequestData> request,
                                                     UpstreamPool pool, FetchLanes lanes, ReadReplicas replicas) {
        FetchRequestData body = request.body();
        short version = request.apiVersion();
        FetchMerge merge = new FetchMerge(plan, body.minBytes(), observer(replicas));
        // The client's answer carries the brokers' record bytes where they arrived, so the merge holds them until
        // the answer has been written.
        request.releaseAfterAnswer(merge::releaseHeld);
        if (plan.parts().isEmpty()) {
            return CompletableFuture.completedFuture(merge.finish());
        }
        int waitMs = Math.max(0, Math.min(body.maxWaitMs(), MAX_WAIT_MS));
        int partMaxBytes = Math.max(1, Math.min(body.maxBytes() / plan.parts().size(), MAX_PART_BYTES));
        Duration timeout = Duration.ofMillis(waitMs).plus(ANSWER_ALLOWANCE);
        CompletableFuture<FetchResponseData> result = new CompletableFuture<>();
        List<Claimed> claimed = new ArrayList<>(plan.parts().size());
        for (Part part : plan.parts().values()) {
            Lane lane = lanes.claim(part.broker(), part.signature(body),
                    () -> pool.send(part.broker(), ApiKeys.FETCH, version,
                            partVersion -> part.request(partVersion, body, partMaxBytes), timeout));
            claimed.add(new Claimed(part, lane));
        }
        Runnable finish = () -> {
            FetchResponseData response = merge.finish();
            if (response != null) {
                claimed.forEach(claim -> lanes.release(claim.lane()));
                result.complete(response);
            }
        };
        for (Claimed claim : claimed) {
            claim.lane().answer().whenComplete((answer, failure) -> {
                boolean now;
                if (failure == null) {
                    now = merge.answered(claim.part(), answer);
                } else {
                    log.debug("mesh: fetch from {} failed: {}", claim.part().broker(), failure.toString());
                    now = merge.failed(claim.part(), Errors.NOT_LEADER_OR_FOLLOWER);
                }
                if (now) {
                    finish.run();
                }
            });
        }
        if (!merge.isFinished()) {
            ScheduledFuture<?> deadline = scheduler.schedule(finish, waitMs + MERGE_ALLOWANCE.toMillis(),
                    TimeUnit.MILLISECONDS);
            result.whenComplete((response, failure) -> deadline.cancel(false));
        }
        return result;
    }

    private FetchMerge.Observer observer(ReadReplicas replicas) {
        return new FetchMerge.Observer() {
            @Override
            public void partitionFailed(Slot slot, Errors error) {
                if (slot.fromReplica()) {
                    replicas.forget(slot.replicaKey());
                }
                locator.refreshIfStale(slot.location().cluster(), slot.topicName(), error);
            }

            @Override
            public void replicaPreferred(Slot slot, int nodeId) {
                replicas.prefer(slot.replicaKey(), nodeId);
            }
        };
    }

    private record Claimed(Part part, Lane lane) {
    }
}
