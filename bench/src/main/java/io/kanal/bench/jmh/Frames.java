package io.kanal.bench.jmh;

import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.RequestCodec;
import io.kanal.proxy.protocol.ResponseCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Wire frames like the ones Kanal sees, built with kafka-clients' own classes at the newest versions a Kafka 4.3
 * client and broker use. Every frame keeps its 4-byte size prefix, as {@code KafkaFrameDecoder} emits it.
 */
final class Frames {

    static final int RECORD_BYTES = 1024;

    private static final UnpooledByteBufAllocator HEAP = new UnpooledByteBufAllocator(false);

    private Frames() {
    }

    /**
     * A produce request ({@code acks=1}) with one uncompressed batch of {@code batchBytes / 1024} records of 1 KiB,
     * as a producer with the default {@code batch.size} (16 KiB) sends it. Random payload bytes, so that nothing
     * downstream could shortcut on them.
     */
    static ByteBuf produceRequest(int batchBytes) {
        short version = ApiKeys.PRODUCE.latestVersion();
        ProduceRequestData body = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(30_000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData()
                .setName("orders").setTopicId(Uuid.randomUuid());
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData()
                .setIndex(0).setRecords(records(Math.max(1, batchBytes / RECORD_BYTES))));
        body.topicData().add(topic);
        RequestHeaderData header = new RequestHeaderData()
                .setRequestApiKey(ApiKeys.PRODUCE.id).setRequestApiVersion(version)
                .setCorrelationId(42).setClientId("producer-1");
        return direct(RequestCodec.encode(HEAP, header, ApiKeys.PRODUCE.requestHeaderVersion(version), body,
                version));
    }

    /** A Metadata response naming {@code brokers} brokers and {@code partitions} partitions over 10 topics. */
    static ByteBuf metadataResponse(int brokers, int partitions) {
        short version = ApiKeys.METADATA.latestVersion();
        MetadataResponseData body = new MetadataResponseData()
                .setClusterId("0123456789abcdefABCDEF").setControllerId(0).setThrottleTimeMs(0);
        for (int id = 0; id < brokers; id++) {
            body.brokers().add(new MetadataResponseData.MetadataResponseBroker()
                    .setNodeId(id).setHost("broker-" + id + ".kafka.svc.cluster.local").setPort(9092)
                    .setRack("rack-" + id));
        }
        int topics = 10;
        for (int t = 0; t < topics; t++) {
            MetadataResponseData.MetadataResponseTopic topic = new MetadataResponseData.MetadataResponseTopic()
                    .setName("topic-" + t).setTopicId(Uuid.randomUuid()).setIsInternal(false);
            for (int p = t; p < partitions; p += topics) {
                List<Integer> replicas = new ArrayList<>();
                for (int r = 0; r < Math.min(3, brokers); r++) {
                    replicas.add((p + r) % brokers);
                }
                topic.partitions().add(new MetadataResponseData.MetadataResponsePartition()
                        .setPartitionIndex(p / topics).setLeaderId(replicas.get(0)).setLeaderEpoch(7)
                        .setReplicaNodes(replicas).setIsrNodes(new ArrayList<>(replicas))
                        .setOfflineReplicas(new ArrayList<>()));
            }
            body.topics().add(topic);
        }
        return response(ApiKeys.METADATA, version, body);
    }

    /**
     * A Fetch response of one topic whose {@code partitions} partitions each return {@code bytesPerPartition} of
     * 1 KiB records, and no node endpoints: what a consumer gets while leaders stay put.
     */
    static ByteBuf fetchResponse(int partitions, int bytesPerPartition) {
        short version = ApiKeys.FETCH.latestVersion();
        FetchResponseData body = new FetchResponseData().setThrottleTimeMs(0).setSessionId(1234);
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse()
                .setTopic("orders").setTopicId(Uuid.randomUuid());
        for (int p = 0; p < partitions; p++) {
            topic.partitions().add(new FetchResponseData.PartitionData()
                    .setPartitionIndex(p).setHighWatermark(1_000_000).setLastStableOffset(1_000_000)
                    .setLogStartOffset(0).setRecords(records(Math.max(1, bytesPerPartition / RECORD_BYTES))));
        }
        body.responses().add(topic);
        return response(ApiKeys.FETCH, version, body);
    }

    private static ByteBuf response(ApiKeys api, short version, org.apache.kafka.common.protocol.ApiMessage body) {
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(42);
        return direct(ResponseCodec.encode(HEAP,
                new DecodedResponse(api, header, api.responseHeaderVersion(version), body, version)));
    }

    private static MemoryRecords records(int count) {
        Random random = new Random(count);
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[RECORD_BYTES];
            random.nextBytes(value);
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, value);
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    /** A direct buffer, as frames read from a socket are. */
    private static ByteBuf direct(ByteBuf heap) {
        try {
            ByteBuf direct = Unpooled.directBuffer(heap.readableBytes());
            direct.writeBytes(heap);
            return direct;
        } finally {
            heap.release();
        }
    }
}
