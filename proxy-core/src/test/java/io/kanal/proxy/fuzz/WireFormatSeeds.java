package io.kanal.proxy.fuzz;

import io.kanal.proxy.protocol.KafkaMessages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the seed inputs of {@link WireFormatFuzzTest}: well-formed frames of every kind the fuzz tests read, for
 * the fuzzer to mutate from. Runs only when asked, from {@code proxy-core}:
 * <pre>
 * mvn -pl proxy-core test -Dtest=WireFormatSeeds -Dkanal.fuzz.writeSeeds=src/test/resources
 * </pre>
 */
@EnabledIfSystemProperty(named = "kanal.fuzz.writeSeeds", matches = ".+")
class WireFormatSeeds {

    private static final List<ApiKeys> ALL_VERSIONS = List.of(ApiKeys.PRODUCE, ApiKeys.FETCH, ApiKeys.METADATA,
            ApiKeys.API_VERSIONS, ApiKeys.FIND_COORDINATOR);

    private Path inputs;

    @Test
    void write() {
        // Run from proxy-core, so the relative resources directory is this module's.
        inputs = Path.of(System.getProperty("kanal.fuzz.writeSeeds"))
                .resolve("io/kanal/proxy/fuzz/WireFormatFuzzTestInputs");
        requestFrames();
        clientStreams();
        responses();
    }

    private void requestFrames() {
        for (ApiKeys api : ApiKeys.values()) {
            List<Short> versions = ALL_VERSIONS.contains(api)
                    ? range(api.oldestVersion(), api.latestVersion())
                    : List.of(api.oldestVersion(), api.latestVersion());
            for (short version : versions) {
                byte[] frame = request(api, version);
                if (frame != null) {
                    seed("requestFrame", name(api) + "-v" + version, Arrays.copyOfRange(frame, 4, frame.length));
                }
            }
        }
    }

    private void clientStreams() {
        byte[] heartbeat = KafkaMessages.request(ApiKeys.HEARTBEAT, (short) 4, "client", 1,
                new HeartbeatRequestData().setGroupId("group").setMemberId("member"));
        byte[] produce = request(ApiKeys.PRODUCE, (short) 9);
        byte[] metadata = request(ApiKeys.METADATA, (short) 12);
        byte[] apiVersions = request(ApiKeys.API_VERSIONS, (short) 3);
        seed("framesFromAClient", "byte-by-byte", concat(new byte[] {0}, heartbeat, produce));
        seed("framesFromAClient", "in-pieces-of-7", concat(new byte[] {6}, apiVersions, metadata, heartbeat));
        seed("framesFromAClient", "whole", concat(new byte[] {(byte) 255}, produce, metadata));
        seed("framesFromAClient", "negative-size", concat(new byte[] {3}, heartbeat, new byte[] {-1, -1, -1, -2, 0}));
        seed("framesFromAClient", "oversized", concat(new byte[] {255 - 256}, new byte[] {0, 0, 16, 1, 0, 3}));
        seed("framesFromAClient", "truncated", concat(new byte[] {1}, Arrays.copyOf(produce, produce.length / 2)));
    }

    private void responses() {
        List<ApiKeys> apis = List.of(ApiKeys.METADATA, ApiKeys.FIND_COORDINATOR, ApiKeys.DESCRIBE_CLUSTER,
                ApiKeys.FETCH, ApiKeys.PRODUCE, ApiKeys.SHARE_FETCH, ApiKeys.SHARE_ACKNOWLEDGE,
                ApiKeys.DESCRIBE_QUORUM, ApiKeys.API_VERSIONS);
        for (int index = 0; index < apis.size(); index++) {
            ApiKeys api = apis.get(index);
            for (short version : range(api.oldestVersion(), api.latestVersion())) {
                byte[] frame = firstThatWrites(api, version, List.of(rich(api), plain(api)));
                if (frame != null) {
                    seed("responseRewrite", name(api) + "-v" + version,
                            concat(new byte[] {(byte) index, (byte) version}, Arrays.copyOfRange(frame, 4,
                                    frame.length)));
                }
            }
        }
    }

    /** A response naming brokers inside and outside the served node ids 0-31. */
    private static IntFunction<ApiMessage> rich(ApiKeys api) {
        return version -> switch (api) {
            case METADATA -> {
                MetadataResponseData.MetadataResponseBrokerCollection brokers =
                        new MetadataResponseData.MetadataResponseBrokerCollection();
                brokers.add(new MetadataResponseData.MetadataResponseBroker().setNodeId(0).setHost("kafka-0")
                        .setPort(9092));
                brokers.add(new MetadataResponseData.MetadataResponseBroker().setNodeId(1).setHost("kafka-1")
                        .setPort(9092).setRack("rack-b"));
                brokers.add(new MetadataResponseData.MetadataResponseBroker().setNodeId(40).setHost("kafka-40")
                        .setPort(9092));
                MetadataResponseData.MetadataResponseTopicCollection topics =
                        new MetadataResponseData.MetadataResponseTopicCollection();
                topics.add(new MetadataResponseData.MetadataResponseTopic().setName("orders")
                        .setTopicId(version >= 10 ? Uuid.randomUuid() : Uuid.ZERO_UUID)
                        .setPartitions(List.of(new MetadataResponseData.MetadataResponsePartition().setPartitionIndex(0)
                                .setLeaderId(1).setReplicaNodes(List.of(0, 1)).setIsrNodes(List.of(1)))));
                yield new MetadataResponseData().setBrokers(brokers).setTopics(topics).setClusterId("cluster")
                        .setControllerId(0);
            }
            case FIND_COORDINATOR -> version < 4
                    ? new FindCoordinatorResponseData().setNodeId(2).setHost("kafka-2").setPort(9092)
                    : new FindCoordinatorResponseData().setCoordinators(List.of(
                            new FindCoordinatorResponseData.Coordinator().setKey("group").setNodeId(2)
                                    .setHost("kafka-2").setPort(9092),
                            new FindCoordinatorResponseData.Coordinator().setKey("far").setNodeId(50)
                                    .setHost("kafka-50").setPort(9092),
                            new FindCoordinatorResponseData.Coordinator().setKey("none").setNodeId(-1)
                                    .setHost("").setPort(-1).setErrorCode((short) 15)));
            case DESCRIBE_CLUSTER -> {
                DescribeClusterResponseData.DescribeClusterBrokerCollection brokers =
                        new DescribeClusterResponseData.DescribeClusterBrokerCollection();
                brokers.add(new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(0).setHost("kafka-0")
                        .setPort(9092));
                brokers.add(new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(33).setHost("kafka-33")
                        .setPort(9092));
                yield new DescribeClusterResponseData().setBrokers(brokers).setClusterId("cluster").setControllerId(0);
            }
            case FETCH -> {
                FetchResponseData.NodeEndpointCollection nodes = new FetchResponseData.NodeEndpointCollection();
                if (version >= 16) {
                    nodes.add(new FetchResponseData.NodeEndpoint().setNodeId(1).setHost("kafka-1").setPort(9092));
                    nodes.add(new FetchResponseData.NodeEndpoint().setNodeId(99).setHost("kafka-99").setPort(9092));
                }
                FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse()
                        .setPartitions(List.of(new FetchResponseData.PartitionData().setPartitionIndex(0)
                                .setHighWatermark(5).setRecords(records())));
                if (version >= 13) {
                    topic.setTopicId(Uuid.randomUuid());
                } else {
                    topic.setTopic("orders");
                }
                yield new FetchResponseData().setResponses(List.of(topic)).setNodeEndpoints(nodes);
            }
            case PRODUCE -> {
                ProduceResponseData.NodeEndpointCollection nodes = new ProduceResponseData.NodeEndpointCollection();
                if (version >= 10) {
                    nodes.add(new ProduceResponseData.NodeEndpoint().setNodeId(1).setHost("kafka-1").setPort(9092));
                }
                ProduceResponseData.TopicProduceResponseCollection topics =
                        new ProduceResponseData.TopicProduceResponseCollection();
                ProduceResponseData.TopicProduceResponse topic = new ProduceResponseData.TopicProduceResponse()
                        .setPartitionResponses(List.of(new ProduceResponseData.PartitionProduceResponse().setIndex(0)
                                .setBaseOffset(42)));
                if (version >= 13) {
                    topic.setTopicId(Uuid.randomUuid());
                } else {
                    topic.setName("orders");
                }
                topics.add(topic);
                yield new ProduceResponseData().setResponses(topics).setNodeEndpoints(nodes);
            }
            case SHARE_FETCH -> {
                ShareFetchResponseData.NodeEndpointCollection nodes =
                        new ShareFetchResponseData.NodeEndpointCollection();
                nodes.add(new ShareFetchResponseData.NodeEndpoint().setNodeId(3).setHost("kafka-3").setPort(9092));
                yield new ShareFetchResponseData().setNodeEndpoints(nodes);
            }
            case SHARE_ACKNOWLEDGE -> {
                ShareAcknowledgeResponseData.NodeEndpointCollection nodes =
                        new ShareAcknowledgeResponseData.NodeEndpointCollection();
                nodes.add(new ShareAcknowledgeResponseData.NodeEndpoint().setNodeId(3).setHost("kafka-3")
                        .setPort(9092));
                yield new ShareAcknowledgeResponseData().setNodeEndpoints(nodes);
            }
            case DESCRIBE_QUORUM -> {
                DescribeQuorumResponseData.NodeCollection nodes = new DescribeQuorumResponseData.NodeCollection();
                if (version >= 2) {
                    DescribeQuorumResponseData.ListenerCollection listeners =
                            new DescribeQuorumResponseData.ListenerCollection();
                    listeners.add(new DescribeQuorumResponseData.Listener().setName("CONTROLLER").setHost("kafka-0")
                            .setPort(9093));
                    nodes.add(new DescribeQuorumResponseData.Node().setNodeId(0).setListeners(listeners));
                }
                yield new DescribeQuorumResponseData().setNodes(nodes);
            }
            case API_VERSIONS -> {
                ApiVersionsResponseData.ApiVersionCollection keys = new ApiVersionsResponseData.ApiVersionCollection();
                keys.add(new ApiVersionsResponseData.ApiVersion().setApiKey(ApiKeys.PRODUCE.id).setMinVersion((short) 3)
                        .setMaxVersion((short) 13));
                keys.add(new ApiVersionsResponseData.ApiVersion().setApiKey(ApiKeys.METADATA.id)
                        .setMinVersion((short) 0).setMaxVersion((short) 99));
                keys.add(new ApiVersionsResponseData.ApiVersion().setApiKey((short) 999).setMaxVersion((short) 1));
                yield new ApiVersionsResponseData().setApiKeys(keys);
            }
            default -> throw new IllegalArgumentException(api.name);
        };
    }

    private static IntFunction<ApiMessage> plain(ApiKeys api) {
        return version -> api.messageType.newResponse();
    }

    private static byte[] firstThatWrites(ApiKeys api, short version, List<IntFunction<ApiMessage>> bodies) {
        for (IntFunction<ApiMessage> body : bodies) {
            try {
                return KafkaMessages.response(api, version, 7, body.apply(version));
            } catch (RuntimeException cannotWriteThisVersion) {
                // Try the next, simpler body.
            }
        }
        return null;
    }

    private static byte[] request(ApiKeys api, short version) {
        try {
            return KafkaMessages.request(api, version, "client-1", 7, requestBody(api, version));
        } catch (RuntimeException cannotWriteThisVersion) {
            try {
                return KafkaMessages.request(api, version, "client-1", 7, api.messageType.newRequest());
            } catch (RuntimeException stillNot) {
                // An API kafka-clients lists but can no longer write.
                return null;
            }
        }
    }

    private static ApiMessage requestBody(ApiKeys api, short version) {
        return switch (api) {
            case PRODUCE -> {
                ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData()
                        .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)
                                .setRecords(records())));
                if (version >= 13) {
                    topic.setTopicId(Uuid.randomUuid());
                } else {
                    topic.setName("orders");
                }
                ProduceRequestData.TopicProduceDataCollection topics =
                        new ProduceRequestData.TopicProduceDataCollection();
                topics.add(topic);
                yield new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000).setTransactionalId("tx")
                        .setTopicData(topics);
            }
            case METADATA -> new MetadataRequestData().setTopics(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setName("orders")
                            .setTopicId(version >= 10 ? Uuid.randomUuid() : Uuid.ZERO_UUID)));
            case API_VERSIONS -> new ApiVersionsRequestData().setClientSoftwareName("kanal-fuzz")
                    .setClientSoftwareVersion("1.0");
            default -> api.messageType.newRequest();
        };
    }

    private static MemoryRecords records() {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("key".getBytes(), "value".getBytes()));
    }

    private void seed(String method, String name, byte[] content) {
        Path file = inputs.resolve(method).resolve("seed-" + name);
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String name(ApiKeys api) {
        return api.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static List<Short> range(short first, short last) {
        return java.util.stream.IntStream.rangeClosed(first, last).mapToObj(v -> (short) v).toList();
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer all = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(part -> part.length).sum());
        for (byte[] part : parts) {
            all.put(part);
        }
        return all.array();
    }
}
