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
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers OffsetFetch, whose versions 8 and later ask about several groups: each group's topics are asked of the
 * group's coordinator in their own cluster, as {@link OffsetCommitHandler} committed them, and a group asked about all
 * its topics is asked in every cluster, its answers merged (offsets of topics the rules route elsewhere left out).
 * The cluster of a group whose topics live in one is learned. Partitions of topics the mesh does not serve are
 * UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID by id); a cluster that cannot be asked makes the group's answer
 * COORDINATOR_NOT_AVAILABLE, which clients retry.
 */
final class OffsetFetchHandler implements MeshApiHandler<OffsetFetchRequestData, OffsetFetchResponseData> {

    private static final short BATCHED_VERSION = 8;
    private static final short GROUP_ERROR_VERSION = 2;
    private static final short TOPIC_ID_VERSION = 10;

    /** One topic of a group's question, where it lives, and the partitions asked. */
    private record Asked(Topic topic, List<Integer> partitions) {
    }

    /** One group's question: its topics, or {@code null} for all of them. */
    private record Question(String groupId, String memberId, int memberEpoch, List<Asked> topics) {
    }

    /** A cluster's answer for one group, read into one shape whatever the version. */
    private record Answer(Errors error, List<OffsetFetchResponseTopics> topics) {
    }

    private final Upstreams upstreams;
    private final GroupHomes homes;
    private final GroupForwarder forwarder;
    private final TopicClusters topics;

    OffsetFetchHandler(Upstreams upstreams, GroupHomes homes, GroupForwarder forwarder, TopicClusters topics) {
        this.upstreams = upstreams;
        this.homes = homes;
        this.forwarder = forwarder;
        this.topics = topics;
    }

    @Override
    public CompletionStage<OffsetFetchResponseData> handle(MeshSession session,
                                                           MeshRequest<OffsetFetchRequestData> request) {
        OffsetFetchRequestData body = request.body();
        short version = request.apiVersion();
        UpstreamPool pool = upstreams.of(session);
        List<CompletableFuture<OffsetFetchResponseGroup>> groups = new ArrayList<>();
        for (Question question : questions(body, version)) {
            groups.add(answer(pool, question, body.requireStable(), version).toCompletableFuture());
        }
        return AllOf.list(groups).thenApply(answered -> response(version, answered));
    }

    private List<Question> questions(OffsetFetchRequestData body, short version) {
        List<Question> questions = new ArrayList<>();
        if (version < BATCHED_VERSION) {
            List<Asked> asked = null;
            if (body.topics() != null) {
                asked = new ArrayList<>();
                for (OffsetFetchRequestTopic topic : body.topics()) {
                    asked.add(new Asked(topics.byName(topic.name()), topic.partitionIndexes()));
                }
            }
            questions.add(new Question(body.groupId(), null, -1, asked));
            return questions;
        }
        for (OffsetFetchRequestGroup group : body.groups()) {
            List<Asked> asked = null;
            if (group.topics() != null) {
                asked = new ArrayList<>();
                for (OffsetFetchRequestTopics topic : group.topics()) {
                    asked.add(new Asked(version >= TOPIC_ID_VERSION ? topics.byId(topic.topicId())
                            : topics.byName(topic.name()), topic.partitionIndexes()));
                }
            }
            questions.add(new Question(group.groupId(), group.memberId(), group.memberEpoch(), asked));
        }
        return questions;
    }

    private CompletionStage<OffsetFetchResponseGroup> answer(UpstreamPool pool, Question question,
                                                             boolean requireStable, short version) {
        Map<String, List<Asked>> byCluster = new LinkedHashMap<>();
        if (question.topics() == null) {
            homes.clusterNames().forEach(cluster -> byCluster.put(cluster, null));
        } else {
            for (Asked asked : question.topics()) {
                if (asked.topic().isFound()) {
                    byCluster.computeIfAbsent(asked.topic().cluster(), cluster -> new ArrayList<>()).add(asked);
                }
            }
            if (byCluster.size() == 1 && homes.known(question.groupId()).isEmpty()) {
                homes.learn(question.groupId(), byCluster.keySet().iterator().next());
            }
        }
        Map<String, CompletableFuture<Answer>> answers = new LinkedHashMap<>();
        byCluster.forEach((cluster, asked) -> answers.put(cluster, forwarder.<ApiMessage>forward(pool, cluster,
                        question.groupId(), ApiKeys.OFFSET_FETCH, version,
                        partVersion -> request(partVersion, question, asked, requireStable), UpstreamTimeouts.DEFAULT)
                .handle((reply, failure) -> failure != null
                        ? new Answer(GroupRouteException.errorOf(failure), List.of())
                        : read(reply)).toCompletableFuture()));
        return AllOf.map(answers).thenApply(answered -> merge(question, answered));
    }

    private static ApiMessage request(short version, Question question, List<Asked> asked, boolean requireStable) {
        if (version >= BATCHED_VERSION) {
            List<OffsetFetchRequestTopics> requested = null;
            if (asked != null) {
                requested = new ArrayList<>();
                for (Asked one : asked) {
                    requested.add(new OffsetFetchRequestTopics().setName(one.topic().name())
                            .setTopicId(one.topic().id()).setPartitionIndexes(one.partitions()));
                }
            }
            return new OffsetFetchRequestData().setRequireStable(requireStable).setGroups(List.of(
                    new OffsetFetchRequestGroup().setGroupId(question.groupId()).setMemberId(question.memberId())
                            .setMemberEpoch(question.memberEpoch()).setTopics(requested)));
        }
        List<OffsetFetchRequestTopic> requested = null;
        if (asked != null) {
            requested = new ArrayList<>();
            for (Asked one : asked) {
                requested.add(new OffsetFetchRequestTopic().setName(one.topic().name())
                        .setPartitionIndexes(one.partitions()));
            }
        }
        return new OffsetFetchRequestData().setRequireStable(requireStable).setGroupId(question.groupId())
                .setTopics(requested);
    }

    /** A cluster's answer for one group; versions 8 and later carry it in a group entry, older ones at the top. */
    private static Answer read(ApiMessage reply) {
        OffsetFetchResponseData response = (OffsetFetchResponseData) reply;
        if (!response.groups().isEmpty()) {
            OffsetFetchResponseGroup group = response.groups().get(0);
            return new Answer(Errors.forCode(group.errorCode()), group.topics());
        }
        List<OffsetFetchResponseTopics> converted = new ArrayList<>();
        for (OffsetFetchResponseTopic topic : response.topics()) {
            List<OffsetFetchResponsePartitions> partitions = new ArrayList<>();
            for (OffsetFetchResponsePartition partition : topic.partitions()) {
                partitions.add(new OffsetFetchResponsePartitions().setPartitionIndex(partition.partitionIndex())
                        .setCommittedOffset(partition.committedOffset())
                        .setCommittedLeaderEpoch(partition.committedLeaderEpoch())
                        .setMetadata(partition.metadata()).setErrorCode(partition.errorCode()));
            }
            converted.add(new OffsetFetchResponseTopics().setName(topic.name()).setPartitions(partitions));
        }
        return new Answer(Errors.forCode(response.errorCode()), converted);
    }

    private OffsetFetchResponseGroup merge(Question question, Map<String, Answer> answers) {
        Errors groupError = Errors.NONE;
        boolean anyAnswered = false;
        for (Answer answer : answers.values()) {
            Errors error = answer.error();
            if (error == Errors.NONE) {
                anyAnswered = true;
            } else if (groupError == Errors.NONE) {
                groupError = error;
            }
        }
        if (groupError == Errors.GROUP_ID_NOT_FOUND && anyAnswered) {
            // A cluster without the group says so; the clusters that have it answered.
            groupError = Errors.NONE;
        }
        List<OffsetFetchResponseTopics> merged = new ArrayList<>();
        if (question.topics() == null) {
            answers.forEach((cluster, answer) -> answer.topics().stream()
                    .filter(topic -> topics.routesTo(topic.name(), topic.topicId(), cluster))
                    .forEach(merged::add));
        } else {
            for (Asked asked : question.topics()) {
                merged.add(asked.topic().isFound() ? find(asked, answers.get(asked.topic().cluster()))
                        : errors(asked, asked.topic().error()));
            }
        }
        return new OffsetFetchResponseGroup().setGroupId(question.groupId()).setErrorCode(groupError.code())
                .setTopics(merged);
    }

    private static OffsetFetchResponseTopics find(Asked asked, Answer answer) {
        Topic topic = asked.topic();
        for (OffsetFetchResponseTopics answered : answer.topics()) {
            if (topic.name() != null && topic.name().equals(answered.name())
                    || !topic.id().equals(Uuid.ZERO_UUID) && topic.id().equals(answered.topicId())) {
                return new OffsetFetchResponseTopics().setName(topic.name()).setTopicId(topic.id())
                        .setPartitions(answered.partitions());
            }
        }
        return errors(asked, answer.error() != Errors.NONE ? answer.error() : Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    private static OffsetFetchResponseTopics errors(Asked asked, Errors error) {
        List<OffsetFetchResponsePartitions> partitions = new ArrayList<>();
        for (int partition : asked.partitions()) {
            partitions.add(new OffsetFetchResponsePartitions().setPartitionIndex(partition).setCommittedOffset(-1)
                    .setCommittedLeaderEpoch(-1).setMetadata("").setErrorCode(error.code()));
        }
        Topic topic = asked.topic();
        return new OffsetFetchResponseTopics().setName(topic.name() != null ? topic.name() : "")
                .setTopicId(topic.id()).setPartitions(partitions);
    }

    private static OffsetFetchResponseData response(short version, List<OffsetFetchResponseGroup> groups) {
        if (version >= BATCHED_VERSION) {
            return new OffsetFetchResponseData().setGroups(groups);
        }
        OffsetFetchResponseGroup only = groups.get(0);
        List<OffsetFetchResponseTopic> topics = new ArrayList<>();
        Errors groupError = Errors.forCode(only.errorCode());
        for (OffsetFetchResponseTopics topic : only.topics()) {
            List<OffsetFetchResponsePartition> partitions = new ArrayList<>();
            for (OffsetFetchResponsePartitions partition : topic.partitions()) {
                short error = version < GROUP_ERROR_VERSION && partition.errorCode() == Errors.NONE.code()
                        ? groupError.code() : partition.errorCode();
                partitions.add(new OffsetFetchResponsePartition().setPartitionIndex(partition.partitionIndex())
                        .setCommittedOffset(partition.committedOffset())
                        .setCommittedLeaderEpoch(partition.committedLeaderEpoch())
                        .setMetadata(partition.metadata()).setErrorCode(error));
            }
            topics.add(new OffsetFetchResponseTopic().setName(topic.name()).setPartitions(partitions));
        }
        OffsetFetchResponseData response = new OffsetFetchResponseData().setTopics(topics);
        if (version >= GROUP_ERROR_VERSION) {
            response.setErrorCode(groupError.code());
        }
        return response;
    }
}
