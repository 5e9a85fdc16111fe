package io.kanal.mesh.consume.group;

import io.kanal.mesh.api.MeshApiHandler;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.async.AllOf;
import io.kanal.mesh.consume.UpstreamTimeouts;
import io.kanal.mesh.consume.Upstreams;
import io.kanal.mesh.consume.group.TopicClusters.Topic;
import io.kanal.mesh.upstream.UpstreamPool;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartitionCollection;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopicCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers OffsetDelete by deleting each topic's offsets for the group in the topic's own cluster, where they were
 * committed. Partitions of topics the mesh does not serve are UNKNOWN_TOPIC_OR_PARTITION; the group's error is the
 * first any cluster gave.
 */
final class OffsetDeleteHandler implements MeshApiHandler<OffsetDeleteRequestData, OffsetDeleteResponseData> {

    private final Upstreams upstreams;
    private final GroupForwarder forwarder;
    private final TopicClusters topics;

    OffsetDeleteHandler(Upstreams upstreams, GroupForwarder forwarder, TopicClusters topics) {
        this.upstreams = upstreams;
        this.forwarder = forwarder;
        this.topics = topics;
    }

    @Override
    public CompletionStage<OffsetDeleteResponseData> handle(MeshSession session,
                                                            MeshRequest<OffsetDeleteRequestData> request) {
        OffsetDeleteRequestData body = request.body();
        UpstreamPool pool = upstreams.of(session);
        Map<String, List<OffsetDeleteRequestTopic>> byCluster = new LinkedHashMap<>();
        Map<String, Errors> unknown = new LinkedHashMap<>();
        for (OffsetDeleteRequestTopic asked : body.topics()) {
            Topic topic = topics.byName(asked.name());
            if (topic.isFound()) {
                byCluster.computeIfAbsent(topic.cluster(), cluster -> new ArrayList<>()).add(asked);
            } else {
                unknown.put(asked.name(), topic.error());
            }
        }
        Map<String, CompletableFuture<OffsetDeleteResponseData>> answers = new LinkedHashMap<>();
        byCluster.forEach((cluster, part) -> answers.put(cluster, forwarder.<OffsetDeleteResponseData>forward(pool,
                        cluster, body.groupId(), ApiKeys.OFFSET_DELETE, request.apiVersion(),
                        version -> part(body.groupId(), part), UpstreamTimeouts.DEFAULT)
                .exceptionally(failure -> new OffsetDeleteResponseData()
                        .setErrorCode(GroupRouteException.errorOf(failure).code()))
                .toCompletableFuture()));
        return AllOf.map(answers).thenApply(answered -> merge(body, byCluster, unknown, answered));
    }

    private static OffsetDeleteRequestData part(String group, List<OffsetDeleteRequestTopic> part) {
        OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestTopicCollection();
        for (OffsetDeleteRequestTopic asked : part) {
            OffsetDeleteRequestTopic copy = new OffsetDeleteRequestTopic().setName(asked.name());
            for (OffsetDeleteRequestPartition partition : asked.partitions()) {
                copy.partitions().add(new OffsetDeleteRequestPartition().setPartitionIndex(partition.partitionIndex()));
            }
            topics.add(copy);
        }
        return new OffsetDeleteRequestData().setGroupId(group).setTopics(topics);
    }

    private static OffsetDeleteResponseData merge(OffsetDeleteRequestData body,
                                                  Map<String, List<OffsetDeleteRequestTopic>> byCluster,
                                                  Map<String, Errors> unknown,
                                                  Map<String, OffsetDeleteResponseData> answers) {
        Errors groupError = Errors.NONE;
        int throttle = 0;
        OffsetDeleteResponseTopicCollection merged = new OffsetDeleteResponseTopicCollection();
        for (Map.Entry<String, List<OffsetDeleteRequestTopic>> part : byCluster.entrySet()) {
            OffsetDeleteResponseData answer = answers.get(part.getKey());
            throttle = Math.max(throttle, answer.throttleTimeMs());
            if (answer.errorCode() != Errors.NONE.code() && groupError == Errors.NONE) {
                groupError = Errors.forCode(answer.errorCode());
            }
            for (OffsetDeleteRequestTopic asked : part.getValue()) {
                OffsetDeleteResponseTopic answered = answer.topics().find(asked.name());
                merged.add(answered != null ? answered.duplicate()
                        : topic(asked, Errors.forCode(answer.errorCode())));
            }
        }
        for (OffsetDeleteRequestTopic asked : body.topics()) {
            Errors error = unknown.get(asked.name());
            if (error != null && merged.find(asked.name()) == null) {
                merged.add(topic(asked, error));
            }
        }
        return new OffsetDeleteResponseData().setErrorCode(groupError.code()).setThrottleTimeMs(throttle)
                .setTopics(merged);
    }

    private static OffsetDeleteResponseTopic topic(OffsetDeleteRequestTopic asked, Errors error) {
        OffsetDeleteResponsePartitionCollection partitions = new OffsetDeleteResponsePartitionCollection();
        for (OffsetDeleteRequestPartition partition : asked.partitions()) {
            partitions.add(new OffsetDeleteResponsePartition().setPartitionIndex(partition.partitionIndex())
                    .setErrorCode(error.code()));
        }
        return new OffsetDeleteResponseTopic().setName(asked.name()).setPartitions(partitions);
    }
}
