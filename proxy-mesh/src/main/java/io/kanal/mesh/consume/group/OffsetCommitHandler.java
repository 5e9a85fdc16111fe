package io.kanal.mesh.consume.group;

import io.kanal.mesh.api.MeshApiHandler;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.async.AllOf;
import io.kanal.mesh.consume.UpstreamTimeouts;
import io.kanal.mesh.consume.Upstreams;
import io.kanal.mesh.consume.group.TopicClusters.Topic;
import io.kanal.mesh.upstream.UpstreamPool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers OffsetCommit. Offsets are kept by the group's coordinator in the cluster of their topics:
 * <ul>
 *   <li>a commit by a member of a group (a generation or member epoch, a member id) goes whole to its group's
 *       cluster, which its topics name and the mesh learns; one whose topics span clusters is refused with
 *       INVALID_REQUEST for every partition, which the Java consumer surfaces from commitSync as an error, and the
 *       mesh logs the clusters and their topics;</li>
 *   <li>a commit by a consumer outside any group membership (assign() with a group id) is split by cluster, each
 *       cluster keeping the offsets of its own topics for the group, where a later OffsetFetch finds them.</li>
 * </ul>
 * Partitions of topics the mesh does not serve are UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID by id).
 */
final class OffsetCommitHandler implements MeshApiHandler<OffsetCommitRequestData, OffsetCommitResponseData> {

    private static final Logger log = LoggerFactory.getLogger(OffsetCommitHandler.class);
    private static final short TOPIC_ID_VERSION = 10;

    private final Upstreams upstreams;
    private final GroupHomes homes;
    private final GroupForwarder forwarder;
    private final TopicClusters topics;

    OffsetCommitHandler(Upstreams upstreams, GroupHomes homes, GroupForwarder forwarder, TopicClusters topics) {
        this.upstreams = upstreams;
        this.homes = homes;
        this.forwarder = forwarder;
        this.topics = topics;
    }

    @Override
    public CompletionStage<OffsetCommitResponseData> handle(MeshSession session,
                                                            MeshRequest<OffsetCommitRequestData> request) {
        OffsetCommitRequestData body = request.body();
        short version = request.apiVersion();
        String group = body.groupId();
        Map<OffsetCommitRequestTopic, Topic> located = new IdentityHashMap<>();
        Map<String, List<OffsetCommitRequestTopic>> byCluster = new LinkedHashMap<>();
        for (OffsetCommitRequestTopic asked : body.topics()) {
            Topic topic = version >= TOPIC_ID_VERSION ? topics.byId(asked.topicId()) : topics.byName(asked.name());
            located.put(asked, topic);
            if (topic.isFound()) {
                byCluster.computeIfAbsent(topic.cluster(), cluster -> new ArrayList<>()).add(asked);
            }
        }
        boolean member = body.generationIdOrMemberEpoch() >= 0
                || body.memberId() != null && !body.memberId().isEmpty();
        if (member && byCluster.size() > 1) {
            String why = "group '" + group + "' commits offsets of topics of several clusters behind the Kanal mesh: "
                    + homes.place(byCluster.values().stream().flatMap(List::stream)
                    .map(asked -> located.get(asked).name()).toList()).describe()
                    + "; the mesh serves a consumer group from one cluster only";
            log.warn("mesh: refusing OffsetCommit from {} with INVALID_REQUEST: {}", session.clientAddress(), why);
            return CompletableFuture.completedFuture(response(body, located, body.topics().stream()
                    .map(asked -> errors(asked, located.get(asked).isFound() ? Errors.INVALID_REQUEST
                            : located.get(asked).error()))
                    .toList()));
        }
        if (member && byCluster.size() == 1) {
            homes.learn(group, byCluster.keySet().iterator().next());
        }
        UpstreamPool pool = upstreams.of(session);
        Map<String, CompletableFuture<OffsetCommitResponseData>> sent = new LinkedHashMap<>();
        byCluster.forEach((cluster, part) -> sent.put(cluster, forwarder.<OffsetCommitResponseData>forward(pool,
                cluster, group, ApiKeys.OFFSET_COMMIT, version,
                partVersion -> part(body, part, located), UpstreamTimeouts.DEFAULT).toCompletableFuture()));
        List<CompletableFuture<List<OffsetCommitResponsePartition>>> answers = new ArrayList<>(body.topics().size());
        for (OffsetCommitRequestTopic asked : body.topics()) {
            Topic topic = located.get(asked);
            answers.add(topic.isFound()
                    ? sent.get(topic.cluster()).handle((reply, failure) -> failure != null
                            ? errors(asked, GroupRouteException.errorOf(failure))
                            : find(reply, topic, asked))
                    : CompletableFuture.completedFuture(errors(asked, topic.error())));
        }
        return AllOf.list(answers).thenApply(partitions -> response(body, located, partitions));
    }

    private static OffsetCommitRequestData part(OffsetCommitRequestData body, List<OffsetCommitRequestTopic> part,
                                                Map<OffsetCommitRequestTopic, Topic> located) {
        List<OffsetCommitRequestTopic> topics = new ArrayList<>(part.size());
        for (OffsetCommitRequestTopic asked : part) {
            Topic topic = located.get(asked);
            topics.add(new OffsetCommitRequestTopic().setName(topic.name()).setTopicId(topic.id())
                    .setPartitions(asked.partitions()));
        }
        return new OffsetCommitRequestData()
                .setGroupId(body.groupId())
                .setGenerationIdOrMemberEpoch(body.generationIdOrMemberEpoch())
                .setMemberId(body.memberId())
                .setGroupInstanceId(body.groupInstanceId())
                .setRetentionTimeMs(body.retentionTimeMs())
                .setTopics(topics);
    }

    private static List<OffsetCommitResponsePartition> find(OffsetCommitResponseData reply, Topic topic,
                                                            OffsetCommitRequestTopic asked) {
        for (OffsetCommitResponseTopic answered : reply.topics()) {
            boolean same = topic.name() != null && topic.name().equals(answered.name())
                    || !topic.id().equals(Uuid.ZERO_UUID)
                    && topic.id().equals(answered.topicId());
            if (same) {
                return answered.partitions();
            }
        }
        return errors(asked, Errors.UNKNOWN_SERVER_ERROR);
    }

    private static List<OffsetCommitResponsePartition> errors(OffsetCommitRequestTopic asked, Errors error) {
        List<OffsetCommitResponsePartition> partitions = new ArrayList<>(asked.partitions().size());
        for (OffsetCommitRequestPartition partition : asked.partitions()) {
            partitions.add(new OffsetCommitResponsePartition().setPartitionIndex(partition.partitionIndex())
                    .setErrorCode(error.code()));
        }
        return partitions;
    }

    /** The response, with {@code partitions} holding the answer to each of the request's topics, in its order. */
    private static OffsetCommitResponseData response(OffsetCommitRequestData body,
                                                     Map<OffsetCommitRequestTopic, Topic> located,
                                                     List<List<OffsetCommitResponsePartition>> partitions) {
        List<OffsetCommitResponseTopic> topics = new ArrayList<>(body.topics().size());
        for (int index = 0; index < body.topics().size(); index++) {
            OffsetCommitRequestTopic asked = body.topics().get(index);
            Topic topic = located.get(asked);
            topics.add(new OffsetCommitResponseTopic()
                    .setName(topic.name() != null ? topic.name() : asked.name())
                    .setTopicId(asked.topicId())
                    .setPartitions(partitions.get(index)));
        }
        return new OffsetCommitResponseData().setTopics(topics);
    }
}
