package io.kanal.mesh.consume.fetch;

import io.kanal.mesh.consume.fetch.FetchPlan.Part;
import io.kanal.mesh.consume.fetch.FetchPlan.Slot;
import io.kanal.mesh.upstream.Answer;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gathers the brokers' answers to the parts of one client Fetch into the client's answer, and says when to send it:
 * once every part has answered, or earlier, as a broker answers, once the records that arrived reach the client's
 * minimum bytes or a partition has news that cannot wait (an error, a diverging epoch, a preferred replica). Parts
 * still under way then answer their partitions with nothing (no error, offsets unknown), and the client asks again.
 *
 * <p>Records go to the client as the bytes the broker sent, never decompressed or copied here: the merge retains each
 * answer it takes records from until the client's answer has been written ({@link #releaseHeld}). Leader hints are
 * dropped: the client knows the mesh only, which leads every partition. Safe for use from any thread.
 */
final class FetchMerge {

    /** What the merge learns that the mesh acts on: partitions whose metadata went stale, replica advice. */
    interface Observer {

        /** A broker answered {@code slot} with {@code error}. */
        void partitionFailed(Slot slot, Errors error);

        /** The leader of {@code slot} advised reading it from replica {@code nodeId}. */
        void replicaPreferred(Slot slot, int nodeId);
    }

    private final FetchPlan plan;
    private final int minBytes;
    private final Observer observer;
    private final Map<Slot, PartitionData> answers = new IdentityHashMap<>();
    private final List<Answer<FetchResponseData>> held = new ArrayList<>();
    private int partsOutstanding;
    private long bytes;
    private boolean urgent;
    private int throttleTimeMs;
    private boolean finished;

    FetchMerge(FetchPlan plan, int minBytes, Observer observer) {
        this.plan = plan;
        this.minBytes = minBytes;
        this.observer = observer;
        this.partsOutstanding = plan.parts().size();
    }

    /**
     * Takes {@code part}'s answer, retaining it when the client's answer is to carry its records.
     *
     * @return whether the client should be answered now
     */
    synchronized boolean answered(Part part, Answer<FetchResponseData> upstreamAnswer) {
        partsOutstanding--;
        if (finished) {
            return false;
        }
        short version = upstreamAnswer.version();
        FetchResponseData answer = upstreamAnswer.body();
        throttleTimeMs = Math.max(throttleTimeMs, answer.throttleTimeMs());
        if (answer.errorCode() != Errors.NONE.code()) {
            failSlots(part, Errors.NOT_LEADER_OR_FOLLOWER);
            return shouldAnswer();
        }
        Map<Object, PartitionData> byPartition = new HashMap<>();
        for (FetchableTopicResponse topic : answer.responses()) {
            Object key = version >= FetchPlan.TOPIC_ID_VERSION ? topic.topicId() : topic.topic();
            for (PartitionData partition : topic.partitions()) {
                byPartition.put(new TopicPartitionKey(key, partition.partitionIndex()), partition);
            }
        }
        // Held before any of its records are placed: nothing placed may outlive the bytes it points into, even if
        // placing the rest fails.
        held.add(upstreamAnswer.retain());
        boolean taken = false;
        for (Slot slot : part.slots()) {
            Object key = version >= FetchPlan.TOPIC_ID_VERSION ? slot.topicId() : slot.topicName();
            PartitionData upstream = byPartition.get(new TopicPartitionKey(key, slot.partition()));
            if (upstream != null) {
                answers.put(slot, forClient(slot, upstream));
                taken = true;
            }
        }
        if (!taken) {
            held.remove(held.size() - 1).release();
        }
        return shouldAnswer();
    }

    /**
     * {@code part} could not be asked or did not answer; its partitions are answered with {@code error}.
     *
     * @return whether the client should be answered now
     */
    synchronized boolean failed(Part part, Errors error) {
        partsOutstanding--;
        if (finished) {
            return false;
        }
        failSlots(part, error);
        return shouldAnswer();
    }

    private void failSlots(Part part, Errors error) {
        for (Slot slot : part.slots()) {
            answers.put(slot, empty(slot.partition(), error));
        }
        urgent = true;
    }

    private boolean shouldAnswer() {
        return partsOutstanding == 0 || urgent || bytes > 0 && bytes >= minBytes;
    }

    private PartitionData forClient(Slot slot, PartitionData upstream) {
        Errors error = Errors.forCode(upstream.errorCode());
        if (error != Errors.NONE) {
            urgent = true;
            observer.partitionFailed(slot, error);
            if (slot.fromReplica() && error == Errors.OFFSET_OUT_OF_RANGE) {
                // A replica behind its leader is out of range where the leader may not be: the leader decides.
                error = Errors.NOT_LEADER_OR_FOLLOWER;
            }
        }
        if (upstream.preferredReadReplica() >= 0) {
            urgent = true;
            observer.replicaPreferred(slot, upstream.preferredReadReplica());
        }
        if (upstream.divergingEpoch().epoch() >= 0) {
            urgent = true;
        }
        BaseRecords records = upstream.records() != null ? upstream.records() : MemoryRecords.EMPTY;
        bytes += records.sizeInBytes();
        return new PartitionData()
                .setPartitionIndex(slot.partition())
                .setErrorCode(error.code())
                .setHighWatermark(upstream.highWatermark())
                .setLastStableOffset(upstream.lastStableOffset())
                .setLogStartOffset(upstream.logStartOffset())
                .setDivergingEpoch(upstream.divergingEpoch())
                .setAbortedTransactions(upstream.abortedTransactions())
                .setPreferredReadReplica(-1)
                .setRecords(records);
    }

    /**
     * The client's answer, made once: every partition in the client's order, with its broker's answer, its error,
     * or nothing yet. Session 0, so the client keeps sending full fetches.
     *
     * @return {@code null} when it was made already
     */
    synchronized FetchResponseData finish() {
        if (finished) {
            return null;
        }
        finished = true;
        List<FetchableTopicResponse> topics = new ArrayList<>(plan.topics().size());
        for (FetchPlan.Topic topic : plan.topics()) {
            FetchableTopicResponse response = new FetchableTopicResponse().setTopicId(topic.id());
            if (topic.name() != null) {
                response.setTopic(topic.name());
            }
            for (Slot slot : topic.slots()) {
                PartitionData answer = !slot.target().isFound() ? empty(slot.partition(), slot.target().error())
                        : answers.getOrDefault(slot, empty(slot.partition(), Errors.NONE));
                response.partitions().add(answer);
            }
            topics.add(response);
        }
        return new FetchResponseData()
                .setThrottleTimeMs(throttleTimeMs)
                .setErrorCode(Errors.NONE.code())
                .setSessionId(0)
                .setResponses(topics);
    }

    /** Lets go of the answers whose records the client's answer carried, once it has been written or never will be. */
    synchronized void releaseHeld() {
        held.forEach(Answer::release);
        held.clear();
    }

    /** Whether the client's answer has been made. */
    synchronized boolean isFinished() {
        return finished;
    }

    /** A partition with no records and unknown offsets, which clients leave as they were. */
    static PartitionData empty(int partition, Errors error) {
        return new PartitionData()
                .setPartitionIndex(partition)
                .setErrorCode(error.code())
                .setHighWatermark(-1)
                .setLastStableOffset(-1)
                .setLogStartOffset(-1)
                .setPreferredReadReplica(-1)
                .setRecords(MemoryRecords.EMPTY);
    }

    private record TopicPartitionKey(Object topic, int partition) {
    }
}
