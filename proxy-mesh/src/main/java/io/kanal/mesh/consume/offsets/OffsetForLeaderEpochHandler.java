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
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers OffsetForLeaderEpoch, with which consumers check their position after a leader change, by asking each
 * partition's leader and merging the answers; the epochs are the upstream clusters' own, as in the records the client
 * fetched. Errors as {@link ListOffsetsHandler}'s.
 */
public final class OffsetForLeaderEpochHandler
        implements MeshApiHandler<OffsetForLeaderEpochRequestData, OffsetForLeaderEpochResponseData> {

    private static final Logger log = LoggerFactory.getLogger(OffsetForLeaderEpochHandler.class);

    private final TopicLocator locator;
    private final Upstreams upstreams;

    public OffsetForLeaderEpochHandler(TopicLocator locator, Upstreams upstreams) {
        this.locator = locator;
        this.upstreams = upstreams;
    }

    @Override
    public CompletionStage<OffsetForLeaderEpochResponseData> handle(
            MeshSession session, MeshRequest<OffsetForLeaderEpochRequestData> request) {
        OffsetForLeaderEpochRequestData body = request.body();
        short version = request.apiVersion();
        UpstreamPool pool = upstreams.of(session);
        List<Item<OffsetForLeaderPartition>> items = new ArrayList<>();
        for (OffsetForLeaderTopic topic : body.topics()) {
            for (OffsetForLeaderPartition partition : topic.partitions()) {
                items.add(new Item<>(topic.topic(), partition.partition(), partition));
            }
        }
        return LeaderSplit.of(locator, items, Errors.NOT_LEADER_OR_FOLLOWER).thenCompose(split -> {
            Map<Item<OffsetForLeaderPartition>, CompletableFuture<EpochEndOffset>> answers = new HashMap<>();
            split.parts().forEach((broker, routed) -> ask(pool, broker, routed, body, version, answers));
            return AllOf.map(answers).thenApply(answered -> response(items, split, answered));
        });
    }

    private void ask(UpstreamPool pool, BrokerAddress broker, List<Routed<OffsetForLeaderPartition>> routed,
                     OffsetForLeaderEpochRequestData client, short version,
                     Map<Item<OffsetForLeaderPartition>, CompletableFuture<EpochEndOffset>> answers) {
        OffsetForLeaderTopicCollection topics = new OffsetForLeaderTopicCollection();
        for (Routed<OffsetForLeaderPartition> one : routed) {
            OffsetForLeaderTopic topic = topics.find(one.item().topic());
            if (topic == null) {
                topic = new OffsetForLeaderTopic().setTopic(one.item().topic());
                topics.add(topic);
            }
            OffsetForLeaderPartition asked = one.item().asked();
            topic.partitions().add(new OffsetForLeaderPartition().setPartition(asked.partition())
                    .setCurrentLeaderEpoch(asked.currentLeaderEpoch()).setLeaderEpoch(asked.leaderEpoch()));
        }
        OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData()
                .setReplicaId(client.replicaId()).setTopics(topics);
        CompletionStage<Answer<OffsetForLeaderEpochResponseData>> answer = pool.send(broker,
                ApiKeys.OFFSET_FOR_LEADER_EPOCH, version, request, UpstreamTimeouts.DEFAULT);
        for (Routed<OffsetForLeaderPartition> one : routed) {
            answers.put(one.item(), answer.toCompletableFuture().handle((reply, failure) -> {
                if (failure != null) {
                    log.debug("mesh: OffsetForLeaderEpoch to {} failed: {}", broker, failure.toString());
                    return error(one.item().partition(), Errors.NOT_LEADER_OR_FOLLOWER);
                }
                OffsetForLeaderTopicResult topic = reply.body().topics().find(one.item().topic());
                EpochEndOffset found = topic == null ? null : topic.partitions().stream()
                        .filter(partition -> partition.partition() == one.item().partition()).findFirst()
                        .orElse(null);
                if (found == null) {
                    return error(one.item().partition(), Errors.NOT_LEADER_OR_FOLLOWER);
                }
                locator.refreshIfStale(one.location().cluster(), one.item().topic(),
                        Errors.forCode(found.errorCode()));
                return found;
            }));
        }
    }

    private static OffsetForLeaderEpochResponseData response(
            List<Item<OffsetForLeaderPartition>> items, LeaderSplit<OffsetForLeaderPartition> split,
            Map<Item<OffsetForLeaderPartition>, EpochEndOffset> answers) {
        OffsetForLeaderTopicResultCollection topics = new OffsetForLeaderTopicResultCollection();
        for (Item<OffsetForLeaderPartition> item : items) {
            Errors failure = split.failure(item);
            EpochEndOffset answer = failure != null ? error(item.partition(), failure) : answers.get(item);
            OffsetForLeaderTopicResult topic = topics.find(item.topic());
            if (topic == null) {
                topic = new OffsetForLeaderTopicResult().setTopic(item.topic());
                topics.add(topic);
            }
            topic.partitions().add(answer);
        }
        return new OffsetForLeaderEpochResponseData().setTopics(topics);
    }

    private static EpochEndOffset error(int partition, Errors error) {
        return new EpochEndOffset().setPartition(partition).setErrorCode(error.code()).setLeaderEpoch(-1)
                .setEndOffset(-1);
    }
}
