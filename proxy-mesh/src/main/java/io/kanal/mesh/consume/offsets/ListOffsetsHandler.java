package io.kanal.mesh.consume.offsets;

import io.kanal.mesh.api.MeshApiHandler;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.async.AllOf;
import io.kanal.mesh.consume.TopicLocator;
import io.kanal.mesh.consume.UpstreamTimeouts;
import io.kanal.mesh.consume.Upstreams;
import io.kanal.mesh.consume.offsets.LeaderSplit.Item;
import io.kanal.mesh.consume.offsets.LeaderSplit.Routed;
import io.kanal.mesh.upstream.Answer;
import io.kanal.mesh.upstream.BrokerAddress;
import io.kanal.mesh.upstream.UpstreamPool;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers ListOffsets by asking each partition's leader, one request per leader on the client's own connection, and
 * merging the answers in the client's order. Unknown topics are UNKNOWN_TOPIC_OR_PARTITION; a partition without a
 * leader, or whose leader cannot be asked, is NOT_LEADER_OR_FOLLOWER, which clients retry after new metadata.
 */
public final class ListOffsetsHandler implements MeshApiHandler<ListOffsetsRequestData, ListOffsetsResponseData> {

    private static final Logger log = LoggerFactory.getLogger(ListOffsetsHandler.class);
    private static final short TIMEOUT_VERSION = 10;

    private final TopicLocator locator;
    private final Upstreams upstreams;

    public ListOffsetsHandler(TopicLocator locator, Upstreams upstreams) {
        this.locator = locator;
        this.upstreams = upstreams;
    }

    @Override
    public CompletionStage<ListOffsetsResponseData> handle(MeshSession session,
                                                           MeshRequest<ListOffsetsRequestData> request) {
        ListOffsetsRequestData body = request.body();
        short version = request.apiVersion();
        UpstreamPool pool = upstreams.of(session);
        List<Item<ListOffsetsPartition>> items = new ArrayList<>();
        for (ListOffsetsTopic topic : body.topics()) {
            for (ListOffsetsPartition partition : topic.partitions()) {
                items.add(new Item<>(topic.name(), partition.partitionIndex(), partition));
            }
        }
        Duration timeout = version >= TIMEOUT_VERSION ? UpstreamTimeouts.covering(body.timeoutMs())
                : UpstreamTimeouts.DEFAULT;
        return LeaderSplit.of(locator, items, Errors.NOT_LEADER_OR_FOLLOWER).thenCompose(split -> {
            Map<Item<ListOffsetsPartition>, CompletableFuture<ListOffsetsPartitionResponse>> answers =
                    new HashMap<>();
            split.parts().forEach((broker, routed) -> ask(pool, broker, routed, body, version, timeout, answers));
            return AllOf.map(answers).thenApply(answered -> response(items, split, answered));
        });
    }

    private void ask(UpstreamPool pool, BrokerAddress broker, List<Routed<ListOffsetsPartition>> routed,
                     ListOffsetsRequestData client, short version, Duration timeout,
                     Map<Item<ListOffsetsPartition>, CompletableFuture<ListOffsetsPartitionResponse>> answers) {
        Map<String, ListOffsetsTopic> topics = new LinkedHashMap<>();
        for (Routed<ListOffsetsPartition> one : routed) {
            ListOffsetsPartition asked = one.item().asked();
            topics.computeIfAbsent(one.item().topic(), name -> new ListOffsetsTopic().setName(name)).partitions()
                    .add(new ListOffsetsPartition().setPartitionIndex(asked.partitionIndex())
                            .setCurrentLeaderEpoch(asked.currentLeaderEpoch()).setTimestamp(asked.timestamp()));
        }
        ListOffsetsRequestData request = new ListOffsetsRequestData()
                .setReplicaId(client.replicaId())
                .setIsolationLevel(client.isolationLevel())
                .setTopics(new ArrayList<>(topics.values()))
                .setTimeoutMs(client.timeoutMs());
        CompletionStage<Answer<ListOffsetsResponseData>> answer = pool.send(broker, ApiKeys.LIST_OFFSETS, version,
                request, timeout);
        for (Routed<ListOffsetsPartition> one : routed) {
            answers.put(one.item(), answer.toCompletableFuture().handle((reply, failure) -> {
                if (failure != null) {
                    log.debug("mesh: ListOffsets to {} failed: {}", broker, failure.toString());
                    return error(one.item().partition(), Errors.NOT_LEADER_OR_FOLLOWER);
                }
                ListOffsetsPartitionResponse found = find(reply.body(), one.item());
                Errors error = Errors.forCode(found.errorCode());
                locator.refreshIfStale(one.location().cluster(), one.item().topic(), error);
                return found;
            }));
        }
    }

    private static ListOffsetsPartitionResponse find(ListOffsetsResponseData reply, Item<ListOffsetsPartition> item) {
        for (ListOffsetsTopicResponse topic : reply.topics()) {
            if (topic.name().equals(item.topic())) {
                for (ListOffsetsPartitionResponse partition : topic.partitions()) {
                    if (partition.partitionIndex() == item.partition()) {
                        return partition;
                    }
                }
            }
        }
        return error(item.partition(), Errors.NOT_LEADER_OR_FOLLOWER);
    }

    private static ListOffsetsResponseData response(
            List<Item<ListOffsetsPartition>> items, LeaderSplit<ListOffsetsPartition> split,
            Map<Item<ListOffsetsPartition>, ListOffsetsPartitionResponse> answers) {
        Map<String, ListOffsetsTopicResponse> topics = new LinkedHashMap<>();
        for (Item<ListOffsetsPartition> item : items) {
            Errors failure = split.failure(item);
            ListOffsetsPartitionResponse answer = failure != null ? error(item.partition(), failure)
                    : answers.get(item);
            topics.computeIfAbsent(item.topic(), name -> new ListOffsetsTopicResponse().setName(name)).partitions()
                    .add(answer);
        }
        return new ListOffsetsResponseData().setTopics(new ArrayList<>(topics.values()));
    }

    private static ListOffsetsPartitionResponse error(int partition, Errors error) {
        return new ListOffsetsPartitionResponse().setPartitionIndex(partition).setErrorCode(error.code())
                .setTimestamp(-1).setOffset(-1).setLeaderEpoch(-1);
    }
}
