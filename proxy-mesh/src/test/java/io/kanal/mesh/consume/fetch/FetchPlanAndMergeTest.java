package io.kanal.mesh.consume.fetch;

import io.kanal.mesh.cluster.Broker;
import io.kanal.mesh.cluster.TopicMetadata;
import io.kanal.mesh.consume.OfflineClusters;
import io.kanal.mesh.consume.TopicLocation;
import io.kanal.mesh.consume.fetch.FetchPlan.Part;
import io.kanal.mesh.consume.fetch.FetchPlan.Slot;
import io.kanal.mesh.upstream.Answer;
import io.kanal.mesh.upstream.BrokerAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a client's Fetch is split by broker and the brokers' answers merged back, without any broker. */
class FetchPlanAndMergeTest {

    private static final Broker APPLES_1 = OfflineClusters.broker(1);
    private static final Broker APPLES_2 = OfflineClusters.broker(2);
    private static final Broker BANANAS_7 = OfflineClusters.broker(7);

    private static OfflineClusters clusters;
    private TopicMetadata apples;
    private TopicMetadata bananas;
    private final List<String> stale = new ArrayList<>();
    private final Map<String, Integer> preferred = new HashMap<>();

    @BeforeAll
    static void startClusters() {
        // apples advertises at most 3 partitions of a topic: partition 3 of apples.t exists upstream only.
        clusters = new OfflineClusters(OptionalInt.of(3));
    }

    @AfterAll
    static void stopClusters() {
        clusters.close();
    }

    @BeforeEach
    void setUp() {
        apples = OfflineClusters.topic("apples.t", APPLES_1, APPLES_2, null, APPLES_1);
        bananas = OfflineClusters.topic("bananas.t", BANANAS_7);
    }

    @Test
    void partitionsAreSplitByLeaderAndUnservablePartitionsAreAnsweredWithTheirError() {
        FetchRequestData request = request(
                topic("apples.t", Uuid.ZERO_UUID, 0, 1, 2, 3),
                topic("bananas.t", Uuid.ZERO_UUID, 0),
                topic("cherries.t", Uuid.ZERO_UUID, 0));

        FetchPlan plan = plan(request, (short) 12);

        assertEquals(List.of(address("apples", APPLES_1), address("apples", APPLES_2), address("bananas", BANANAS_7)),
                List.copyOf(plan.parts().keySet()));
        assertEquals(List.of(0), partitions(plan.parts().get(address("apples", APPLES_1))));
        assertEquals(List.of(1), partitions(plan.parts().get(address("apples", APPLES_2))));
        assertEquals(List.of(0), partitions(plan.parts().get(address("bananas", BANANAS_7))));

        FetchResponseData answer = new FetchMerge(plan, 1, observer()).finish();
        assertEquals(0, answer.sessionId());
        assertEquals(List.of("apples.t", "bananas.t", "cherries.t"),
                answer.responses().stream().map(FetchableTopicResponse::topic).toList());
        List<PartitionData> applesAnswer = answer.responses().get(0).partitions();
        assertEquals(Errors.NONE.code(), applesAnswer.get(0).errorCode(), "not answered yet: nothing, no error");
        assertEquals(-1, applesAnswer.get(0).highWatermark());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), applesAnswer.get(2).errorCode(), "no leader");
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), applesAnswer.get(3).errorCode(), "not advertised");
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                answer.responses().get(2).partitions().get(0).errorCode(), "no rule routes cherries");
    }

    @Test
    void eachPartIsASessionlessFullFetchWithTheClientsSettings() {
        FetchRequestData request = request(topic("apples.t", Uuid.ZERO_UUID, 0));
        request.topics().get(0).partitions().get(0).setLastFetchedEpoch(4).setCurrentLeaderEpoch(-1);

        Part part = plan(request, (short) 12).parts().get(address("apples", APPLES_1));
        FetchRequestData sent = part.request((short) 12, request, 1000);

        assertEquals(0, sent.sessionId());
        assertEquals(-1, sent.sessionEpoch());
        assertEquals(-1, sent.replicaId());
        assertEquals(request.maxWaitMs(), sent.maxWaitMs());
        assertEquals(request.minBytes(), sent.minBytes(), "the client's minimum bytes, per part");
        assertEquals(1000, sent.maxBytes());
        assertEquals(request.isolationLevel(), sent.isolationLevel());
        assertEquals("rack-a", sent.rackId());
        assertTrue(sent.forgottenTopicsData().isEmpty());
        FetchPartition asked = sent.topics().get(0).partitions().get(0);
        assertEquals(42, asked.fetchOffset());
        assertEquals(4, asked.lastFetchedEpoch());
        assertEquals(apples.topicId(), sent.topics().get(0).topicId(), "names and ids both, for any version");
        assertEquals("apples.t", sent.topics().get(0).topic());
        assertEquals(-1, part.request((short) 11, request, 1000).topics().get(0).partitions().get(0)
                .lastFetchedEpoch(), "a version without last fetched epochs gets none");
    }

    @Test
    void answersAreMergedInTheClientsOrderKeepingTheRecordsAsTheyArrived() {
        FetchRequestData request = request(
                topic(null, apples.topicId(), 1, 0),
                topic(null, bananas.topicId(), 0),
                topic(null, Uuid.randomUuid(), 0));
        FetchPlan plan = plan(request, (short) 13);
        MemoryRecords records = records("one", "two");
        FetchMerge merge = new FetchMerge(plan, 1_000_000, observer());

        assertFalse(merge.answered(plan.parts().get(address("apples", APPLES_1)),
                answer((short) 13, apples.topicId(), "apples.t", partition(0, Errors.NONE, records))));
        assertFalse(merge.answered(plan.parts().get(address("apples", APPLES_2)),
                answer((short) 13, apples.topicId(), "apples.t", partition(1, Errors.NONE, MemoryRecords.EMPTY))));
        assertTrue(merge.answered(plan.parts().get(address("bananas", BANANAS_7)),
                answer((short) 13, bananas.topicId(), "bananas.t", partition(0, Errors.NONE, MemoryRecords.EMPTY))),
                "every part answered");
        FetchResponseData merged = merge.finish();

        assertEquals(List.of(apples.topicId(), bananas.topicId(), request.topics().get(2).topicId()),
                merged.responses().stream().map(FetchableTopicResponse::topicId).toList());
        List<PartitionData> applesAnswer = merged.responses().get(0).partitions();
        assertEquals(List.of(1, 0), applesAnswer.stream().map(PartitionData::partitionIndex).toList());
        assertSame(records, applesAnswer.get(1).records(), "the bytes the broker sent, not a copy");
        assertEquals(100, applesAnswer.get(1).highWatermark());
        assertEquals(-1, applesAnswer.get(1).currentLeader().leaderId(), "the mesh leads; no upstream hints");
        assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), merged.responses().get(2).partitions().get(0).errorCode());
        assertNull(merge.finish(), "answered once");
    }

    @Test
    void theClientIsAnsweredOnceItsMinimumBytesArrivedWithoutWaitingForIdleParts() {
        FetchPlan plan = applesAndBananas();
        MemoryRecords records = records("enough");
        FetchMerge merge = new FetchMerge(plan, records.sizeInBytes(), observer());

        assertFalse(merge.answered(plan.parts().get(address("apples", APPLES_2)),
                answer((short) 12, apples.topicId(), "apples.t", partition(1, Errors.NONE, MemoryRecords.EMPTY))));
        assertTrue(merge.answered(plan.parts().get(address("bananas", BANANAS_7)),
                answer((short) 12, bananas.topicId(), "bananas.t", partition(0, Errors.NONE, records))));

        PartitionData notYet = merge.finish().responses().get(0).partitions().get(0);
        assertEquals(Errors.NONE.code(), notYet.errorCode());
        assertEquals(0, notYet.records().sizeInBytes());
    }

    @Test
    void errorsAnswerAtOnceMarkMetadataStaleAndFailedBrokersAreRetriable() {
        FetchPlan plan = applesAndBananas();
        FetchMerge merge = new FetchMerge(plan, 1, observer());

        assertTrue(merge.answered(plan.parts().get(address("apples", APPLES_1)),
                answer((short) 12, apples.topicId(), "apples.t",
                        partition(0, Errors.NOT_LEADER_OR_FOLLOWER, MemoryRecords.EMPTY))));
        merge.failed(plan.parts().get(address("bananas", BANANAS_7)), Errors.NOT_LEADER_OR_FOLLOWER);
        FetchResponseData merged = merge.finish();

        assertEquals(List.of("apples.t:NOT_LEADER_OR_FOLLOWER"), stale);
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), merged.responses().get(0).partitions().get(0).errorCode());
        assertEquals(Errors.NONE.code(), merged.responses().get(0).partitions().get(1).errorCode());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), merged.responses().get(1).partitions().get(0).errorCode());
    }

    @Test
    void aPreferredReadReplicaIsFollowedByTheMeshNotPassedToTheClient() {
        FetchRequestData request = request(topic("bananas.t", Uuid.ZERO_UUID, 0));
        FetchPlan plan = plan(request, (short) 12);
        FetchMerge merge = new FetchMerge(plan, 1, observer());
        PartitionData redirect = partition(0, Errors.NONE, MemoryRecords.EMPTY).setPreferredReadReplica(8);

        assertTrue(merge.answered(plan.parts().get(address("bananas", BANANAS_7)),
                answer((short) 12, bananas.topicId(), "bananas.t", redirect)), "a redirect is answered at once");

        assertEquals(Map.of("bananas.t", 8), preferred);
        assertEquals(-1, merge.finish().responses().get(0).partitions().get(0).preferredReadReplica());
    }

    @Test
    void theAnswersWhoseRecordsTheClientIsSentAreHeldUntilItsAnswerIsWrittenAndNoOthers() {
        FetchPlan plan = applesAndBananas();
        MemoryRecords records = records("enough");
        FetchMerge merge = new FetchMerge(plan, records.sizeInBytes(), observer());
        ByteBuf taken = Unpooled.buffer(1);
        ByteBuf late = Unpooled.buffer(1);
        Answer<FetchResponseData> lateAnswer = answer((short) 12, late, apples.topicId(), "apples.t",
                partition(0, Errors.NONE, records("late")));

        assertTrue(merge.answered(plan.parts().get(address("bananas", BANANAS_7)),
                answer((short) 12, taken, bananas.topicId(), "bananas.t", partition(0, Errors.NONE, records))));
        assertEquals(2, taken.refCnt(), "held by the merge besides its lane");
        merge.finish();
        assertFalse(merge.answered(plan.parts().get(address("apples", APPLES_1)), lateAnswer));
        assertEquals(1, late.refCnt(), "an answer after the client's is not held");

        merge.releaseHeld();
        assertEquals(1, taken.refCnt(), "let go once the client's answer is written");
        assertEquals(1, late.refCnt());
    }

    // ---- Helpers ----

    /** Partitions 0 and 1 of apples.t and 0 of bananas.t, asked by name in version 12. */
    private FetchPlan applesAndBananas() {
        return plan(request(topic("apples.t", Uuid.ZERO_UUID, 0, 1), topic("bananas.t", Uuid.ZERO_UUID, 0)),
                (short) 12);
    }

    private FetchPlan plan(FetchRequestData request, short version) {
        return FetchPlan.of(request, version, this::locate, new ReadReplicas());
    }

    private TopicLocation locate(FetchTopic topic) {
        String name = topic.topic();
        if (apples.topicId().equals(topic.topicId()) || "apples.t".equals(name)) {
            return TopicLocation.found(clusters.apples(), apples);
        }
        if (bananas.topicId().equals(topic.topicId()) || "bananas.t".equals(name)) {
            return TopicLocation.found(clusters.bananas(), bananas);
        }
        return TopicLocation.missing(name.isEmpty() ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    private FetchMerge.Observer observer() {
        return new FetchMerge.Observer() {
            @Override
            public void partitionFailed(Slot slot, Errors error) {
                stale.add(slot.topicName() + ":" + error);
            }

            @Override
            public void replicaPreferred(Slot slot, int nodeId) {
                preferred.put(slot.topicName(), nodeId);
            }
        };
    }

    private static BrokerAddress address(String cluster, Broker broker) {
        return new BrokerAddress(cluster, broker.address());
    }

    private static List<Integer> partitions(Part part) {
        return part.slots().stream().map(Slot::partition).toList();
    }

    private static FetchRequestData request(FetchTopic... topics) {
        return new FetchRequestData().setMaxWaitMs(500).setMinBytes(1).setMaxBytes(50_000_000)
                .setIsolationLevel((byte) 1).setSessionId(0).setSessionEpoch(0).setRackId("rack-a")
                .setTopics(List.of(topics));
    }

    private static FetchTopic topic(String name, Uuid id, int... partitions) {
        FetchTopic topic = new FetchTopic().setTopic(name == null ? "" : name).setTopicId(id);
        for (int partition : partitions) {
            topic.partitions().add(new FetchPartition().setPartition(partition).setFetchOffset(42)
                    .setPartitionMaxBytes(1_048_576));
        }
        return topic;
    }

    private static Answer<FetchResponseData> answer(short version, Uuid id, String name,
                                                    PartitionData... partitions) {
        return answer(version, null, id, name, partitions);
    }

    /** An answer holding {@code bytes}, as an upstream connection makes one for Fetch. */
    private static Answer<FetchResponseData> answer(short version, ByteBuf bytes, Uuid id, String name,
                                                    PartitionData... partitions) {
        return new Answer<>(version, new FetchResponseData().setResponses(List.of(new FetchableTopicResponse()
                .setTopicId(id).setTopic(name).setPartitions(List.of(partitions)))), bytes);
    }

    private static PartitionData partition(int index, Errors error, MemoryRecords records) {
        PartitionData partition = new PartitionData().setPartitionIndex(index).setErrorCode(error.code())
                .setHighWatermark(100).setLastStableOffset(100).setLogStartOffset(0).setRecords(records);
        partition.currentLeader().setLeaderId(12).setLeaderEpoch(3);
        return partition;
    }

    private static MemoryRecords records(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int index = 0; index < values.length; index++) {
            records[index] = new SimpleRecord(values[index].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }
}
