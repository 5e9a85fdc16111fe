package io.kanal.proxy.address;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.proxy.config.HostPort;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBrokerCollection;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBrokerCollection;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopicCollection;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponseCollection;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.TaggedFields;
import org.apache.kafka.common.protocol.types.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AddressRewriterTest {

    private static final String PROXY_HOST = "proxy.example";

    /** Every real host ends with this, so a leaked address shows up as these bytes in an encoded response. */
    private static final String REAL_DOMAIN = ".cluster.internal";

    private static final String CLUSTER_ID = "kanal-test-cluster";

    private static final Node BROKER_1 = new Node(1, "b1" + REAL_DOMAIN, 19092, "rack-a");
    private static final Node BROKER_2 = new Node(2, "b2" + REAL_DOMAIN, 29092, null);
    private static final Node OUTSIDE_RANGE = new Node(42, "b42" + REAL_DOMAIN, 39092, "rack-c");
    private static final List<Node> NODES = List.of(BROKER_1, BROKER_2, OUTSIDE_RANGE);

    /** APIs whose responses hold host/port pairs that are not brokers a client connects to. */
    private static final Set<ApiKeys> NOT_BROKER_ADDRESSES = EnumSet.of(
            // KRaft controllers' internal APIs, which never reach a client
            ApiKeys.VOTE, ApiKeys.BEGIN_QUORUM_EPOCH, ApiKeys.END_QUORUM_EPOCH,
            ApiKeys.FETCH_SNAPSHOT, ApiKeys.UPDATE_RAFT_VOTER,
            // Kafka Streams instances' application.server endpoints
            ApiKeys.STREAMS_GROUP_HEARTBEAT, ApiKeys.STREAMS_GROUP_DESCRIBE);

    private static final Carrier<MetadataResponseData> METADATA = new Carrier<>(ApiKeys.METADATA, (short) 1,
            AddressRewriterTest::metadata,
            response -> response.brokers().stream()
                    .map(b -> new Node(b.nodeId(), b.host(), b.port(), b.rack())).toList(),
            response -> response.brokers().clear());

    private static final Carrier<DescribeClusterResponseData> DESCRIBE_CLUSTER = new Carrier<>(
            ApiKeys.DESCRIBE_CLUSTER, (short) 0,
            AddressRewriterTest::describeCluster,
            response -> response.brokers().stream()
                    .map(b -> new Node(b.brokerId(), b.host(), b.port(), b.rack())).toList(),
            response -> response.brokers().clear());

    private static final Carrier<ProduceResponseData> PRODUCE = new Carrier<>(ApiKeys.PRODUCE, (short) 0,
            AddressRewriterTest::produce,
            response -> response.nodeEndpoints().stream()
                    .map(e -> new Node(e.nodeId(), e.host(), e.port(), e.rack())).toList(),
            response -> response.nodeEndpoints().clear());

    private static final Carrier<FetchResponseData> FETCH = new Carrier<>(ApiKeys.FETCH, (short) 0,
            AddressRewriterTest::fetch,
            response -> response.nodeEndpoints().stream()
                    .map(e -> new Node(e.nodeId(), e.host(), e.port(), e.rack())).toList(),
            response -> response.nodeEndpoints().clear());

    private static final Carrier<ShareFetchResponseData> SHARE_FETCH = new Carrier<>(ApiKeys.SHARE_FETCH, (short) 0,
            AddressRewriterTest::shareFetch,
            response -> response.nodeEndpoints().stream()
                    .map(e -> new Node(e.nodeId(), e.host(), e.port(), e.rack())).toList(),
            response -> response.nodeEndpoints().clear());

    private static final Carrier<ShareAcknowledgeResponseData> SHARE_ACKNOWLEDGE = new Carrier<>(
            ApiKeys.SHARE_ACKNOWLEDGE, (short) 0,
            AddressRewriterTest::shareAcknowledge,
            response -> response.nodeEndpoints().stream()
                    .map(e -> new Node(e.nodeId(), e.host(), e.port(), e.rack())).toList(),
            response -> response.nodeEndpoints().clear());

    private static final List<Carrier<?>> NODE_ENDPOINT_CARRIERS =
            List.of(PRODUCE, FETCH, SHARE_FETCH, SHARE_ACKNOWLEDGE);

    private final RecordingMap map = new RecordingMap();
    private final AddressRewriter rewriter = new AddressRewriter(map);

    /**
     * Pins the version cut-offs to the schemas kafka-clients parses with, and fails when an upgrade brings a response
     * with host and port that nobody has decided about yet.
     */
    @Test
    void carriesAddressesMatchesTheResponseSchemas() {
        Set<ApiKeys> withHostAndPort = EnumSet.noneOf(ApiKeys.class);
        for (ApiKeys api : ApiKeys.values()) {
            for (short version : api.allVersions()) {
                boolean schemaHasAddress = hasHostAndPort(api.messageType.responseSchemas()[version]);
                if (schemaHasAddress) {
                    withHostAndPort.add(api);
                }
                boolean expected = schemaHasAddress && !NOT_BROKER_ADDRESSES.contains(api);
                assertEquals(expected, AddressRewriter.carriesAddresses(api, version), api + " v" + version);
            }
        }
        assertTrue(withHostAndPort.containsAll(NOT_BROKER_ADDRESSES), "stale exclusions: " + withHostAndPort);
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("versionsWithAddresses")
    void brokersAreAdvertisedAndUnservableOnesRemoved(Carrier<?> carrier, short version) {
        checkBrokerList(carrier, version);
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("versionsWithoutAddresses")
    void versionsBeforeNodeEndpointsCannotCarryThem(Carrier<?> carrier, short version) {
        ApiMessage withEndpoints = carrier.build().apply(NODES);
        assertThrows(UnsupportedVersionException.class, () -> encode(withEndpoints, version));
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("allNodeEndpointVersions")
    void responseWithoutNodeEndpointsIsUnchanged(Carrier<?> carrier, short version) {
        ApiMessage original = carrier.build().apply(List.of());

        ApiMessage atClient = exchange(carrier.api(), version, original, false);

        assertEquals(decode(original, version, encode(original, version)), atClient);
        assertEquals(List.of(), map.asked);
    }

    @Test
    void metadataKeepsClusterIdControllerAndPartitionLeaders() {
        short version = ApiKeys.METADATA.latestVersion();

        MetadataResponseData atClient = exchange(ApiKeys.METADATA, version, metadata(NODES), true);

        assertEquals(CLUSTER_ID, atClient.clusterId());
        assertEquals(2, atClient.controllerId());
        MetadataResponsePartition partition = atClient.topics().find("orders").partitions().get(0);
        assertEquals(OUTSIDE_RANGE.id(), partition.leaderId());
        assertEquals(List.of(1, 2, 42), partition.replicaNodes());
    }

    @Test
    void addressesAdvertisedUnchangedReportNoChange() {
        AddressRewriter identity = new AddressRewriter((nodeId, upstream) -> upstream);
        short version = ApiKeys.METADATA.latestVersion();
        MetadataResponseData response = decode(metadata(NODES), version, encode(metadata(NODES), version));

        assertFalse(identity.rewrite(ApiKeys.METADATA, version, response));
        assertEquals(3, response.brokers().size());
    }

    @Test
    void apisWithoutAddressesAreLeftAlone() {
        assertFalse(rewriter.rewrite(ApiKeys.API_VERSIONS, (short) 3, metadata(NODES)));
        assertEquals(List.of(), map.asked);
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("findCoordinatorVersions")
    void coordinatorInsideRangeIsAdvertised(short version) {
        Coordinator real = new Coordinator().setKey("group-a").setNodeId(3).setHost("b3" + REAL_DOMAIN).setPort(9092)
                .setErrorMessage(null);

        FindCoordinatorResponseData atClient =
                exchange(ApiKeys.FIND_COORDINATOR, version, findCoordinator(version, real), true);

        assertEquals(List.of(new Found(3, PROXY_HOST, 9003, Errors.NONE, noMessage(version))),
                found(version, atClient));
        assertEquals(Map.of(3, new HostPort("b3" + REAL_DOMAIN, 9092)), map.learned);
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("findCoordinatorVersions")
    void coordinatorOutsideRangeBecomesNotAvailable(short version) {
        Coordinator real = new Coordinator().setKey("group-a").setNodeId(42).setHost("b42" + REAL_DOMAIN).setPort(9092);

        FindCoordinatorResponseData atClient =
                exchange(ApiKeys.FIND_COORDINATOR, version, findCoordinator(version, real), true);

        String message = version == 0 ? noMessage(version) : AddressRewriter.OUTSIDE_RANGE_MESSAGE;
        assertEquals(List.of(new Found(-1, "", -1, Errors.COORDINATOR_NOT_AVAILABLE, message)),
                found(version, atClient));
        assertEquals(List.of(42), map.asked);
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("findCoordinatorVersions")
    void coordinatorErrorIsLeftAlone(short version) {
        Coordinator error = new Coordinator().setKey("group-a").setNodeId(-1).setHost("").setPort(-1)
                .setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code()).setErrorMessage("loading");

        FindCoordinatorResponseData atClient =
                exchange(ApiKeys.FIND_COORDINATOR, version, findCoordinator(version, error), false);

        String message = version == 0 ? noMessage(version) : "loading";
        assertEquals(List.of(new Found(-1, "", -1, Errors.COORDINATOR_LOAD_IN_PROGRESS, message)),
                found(version, atClient));
        assertEquals(List.of(), map.asked);
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("batchedFindCoordinatorVersions")
    void batchedCoordinatorsAreRewrittenOneByOne(short version) {
        FindCoordinatorResponseData fromBroker = new FindCoordinatorResponseData().setThrottleTimeMs(5)
                .setCoordinators(List.of(
                        new Coordinator().setKey("inside").setNodeId(3).setHost("b3" + REAL_DOMAIN).setPort(9092)
                                .setErrorMessage(null),
                        new Coordinator().setKey("outside").setNodeId(42).setHost("b42" + REAL_DOMAIN).setPort(9092),
                        new Coordinator().setKey("failed").setNodeId(-1).setHost("").setPort(-1)
                                .setErrorCode(Errors.NOT_COORDINATOR.code()).setErrorMessage(null)));

        FindCoordinatorResponseData atClient = exchange(ApiKeys.FIND_COORDINATOR, version, fromBroker, true);

        assertEquals(5, atClient.throttleTimeMs());
        assertEquals(List.of("inside", "outside", "failed"),
                atClient.coordinators().stream().map(Coordinator::key).toList());
        assertEquals(List.of(
                new Found(3, PROXY_HOST, 9003, Errors.NONE, null),
                new Found(-1, "", -1, Errors.COORDINATOR_NOT_AVAILABLE, AddressRewriter.OUTSIDE_RANGE_MESSAGE),
                new Found(-1, "", -1, Errors.NOT_COORDINATOR, null)),
                found(version, atClient));
        assertEquals(List.of(3, 42), map.asked);
    }

    private <M extends ApiMessage> void checkBrokerList(Carrier<M> carrier, short version) {
        M original = carrier.build().apply(NODES);
        ByteBuffer wire = encode(original, version);
        assertTrue(text(wire).contains(REAL_DOMAIN), "the broker's response must hold real hosts");
        M beforeRewrite = decode(original, version, wire);

        M atClient = exchange(carrier.api(), version, original, true);

        String rack = version >= carrier.firstRackVersion() ? BROKER_1.rack() : null;
        assertEquals(List.of(new Node(1, PROXY_HOST, 9001, rack), new Node(2, PROXY_HOST, 9002, null)),
                carrier.nodes().apply(atClient));
        assertEquals(Map.of(1, BROKER_1.hostPort(), 2, BROKER_2.hostPort()), map.learned);
        assertEquals(List.of(1, 2, 42), map.asked);
        carrier.clearNodes().accept(beforeRewrite);
        carrier.clearNodes().accept(atClient);
        assertEquals(beforeRewrite, atClient, "only broker entries may change");
    }

    /** Plays the proxy: decodes what the broker sent, rewrites it, re-encodes it and decodes it as the client. */
    private <M extends ApiMessage> M exchange(ApiKeys api, short version, M fromBroker, boolean expectChange) {
        M decoded = decode(fromBroker, version, encode(fromBroker, version));
        assertEquals(expectChange, rewriter.rewrite(api, version, decoded), "rewrite's answer");
        ByteBuffer toClient = encode(decoded, version);
        assertFalse(text(toClient).contains(REAL_DOMAIN), "a real broker host reached the client");
        return decode(fromBroker, version, toClient);
    }

    private static ByteBuffer encode(ApiMessage message, short version) {
        return MessageUtil.toByteBufferAccessor(message, version).buffer();
    }

    /** Decodes {@code bytes} as a response of the same API as {@code like}. */
    private static <M extends ApiMessage> M decode(M like, short version, ByteBuffer bytes) {
        @SuppressWarnings("unchecked")
        M message = (M) ApiMessageType.fromApiKey(like.apiKey()).newResponse();
        ByteBufferAccessor accessor = new ByteBufferAccessor(bytes.duplicate());
        message.read(accessor, version);
        assertEquals(0, accessor.remaining(), "bytes left after decoding");
        return message;
    }

    private static String text(ByteBuffer bytes) {
        ByteBuffer copy = bytes.duplicate();
        byte[] array = new byte[copy.remaining()];
        copy.get(array);
        return new String(array, ISO_8859_1);
    }

    /** Whether a struct anywhere in the schema, tagged fields included, has both a host and a port. */
    private static boolean hasHostAndPort(Type type) {
        if (type instanceof Schema schema) {
            Set<String> names = new HashSet<>();
            boolean nested = false;
            for (var field : schema.fields()) {
                names.add(field.def.name);
                nested |= hasHostAndPort(field.def.type);
            }
            return nested || names.containsAll(List.of("host", "port"));
        }
        if (type instanceof TaggedFields tagged) {
            return tagged.fields().values().stream().anyMatch(field -> hasHostAndPort(field.type));
        }
        return type.arrayElementType().map(AddressRewriterTest::hasHostAndPort).orElse(false);
    }

    /** What FindCoordinator says about one key, in either form. */
    private static List<Found> found(short version, FindCoordinatorResponseData response) {
        if (version >= 4) {
            return response.coordinators().stream()
                    .map(c -> new Found(c.nodeId(), c.host(), c.port(), Errors.forCode(c.errorCode()),
                            c.errorMessage()))
                    .toList();
        }
        return List.of(new Found(response.nodeId(), response.host(), response.port(),
                Errors.forCode(response.errorCode()), response.errorMessage()));
    }

    /** A FindCoordinator response answering one key, in the form {@code version} uses. */
    private static FindCoordinatorResponseData findCoordinator(short version, Coordinator coordinator) {
        if (version >= 4) {
            return new FindCoordinatorResponseData().setCoordinators(List.of(coordinator));
        }
        return new FindCoordinatorResponseData().setNodeId(coordinator.nodeId()).setHost(coordinator.host())
                .setPort(coordinator.port()).setErrorCode(coordinator.errorCode())
                .setErrorMessage(coordinator.errorMessage());
    }

    /** The error message a client decodes when none was sent: v0 has no such field and decodes it as empty. */
    private static String noMessage(short version) {
        return version == 0 ? "" : null;
    }

    private static MetadataResponseData metadata(List<Node> nodes) {
        MetadataResponseBrokerCollection brokers = new MetadataResponseBrokerCollection();
        for (Node node : nodes) {
            brokers.add(new MetadataResponseBroker()
                    .setNodeId(node.id()).setHost(node.host()).setPort(node.port()).setRack(node.rack()));
        }
        MetadataResponseTopicCollection topics = new MetadataResponseTopicCollection();
        topics.add(new MetadataResponseTopic().setName("orders").setTopicId(Uuid.ONE_UUID)
                .setPartitions(List.of(new MetadataResponsePartition().setPartitionIndex(0)
                        .setLeaderId(OUTSIDE_RANGE.id()).setLeaderEpoch(4)
                        .setReplicaNodes(List.of(1, 2, 42)).setIsrNodes(List.of(1, 42)))));
        return new MetadataResponseData().setThrottleTimeMs(7).setClusterId(CLUSTER_ID).setControllerId(2)
                .setBrokers(brokers).setTopics(topics);
    }

    private static DescribeClusterResponseData describeCluster(List<Node> nodes) {
        DescribeClusterBrokerCollection brokers = new DescribeClusterBrokerCollection();
        for (Node node : nodes) {
            brokers.add(new DescribeClusterBroker()
                    .setBrokerId(node.id()).setHost(node.host()).setPort(node.port()).setRack(node.rack()));
        }
        return new DescribeClusterResponseData().setThrottleTimeMs(7).setClusterId(CLUSTER_ID).setControllerId(2)
                .setClusterAuthorizedOperations(0x1f).setBrokers(brokers);
    }

    private static ProduceResponseData produce(List<Node> nodes) {
        ProduceResponseData.NodeEndpointCollection endpoints = new ProduceResponseData.NodeEndpointCollection();
        for (Node node : nodes) {
            endpoints.add(new ProduceResponseData.NodeEndpoint()
                    .setNodeId(node.id()).setHost(node.host()).setPort(node.port()).setRack(node.rack()));
        }
        TopicProduceResponseCollection topics = new TopicProduceResponseCollection();
        topics.add(new TopicProduceResponse().setName("orders").setTopicId(Uuid.ONE_UUID)
                .setPartitionResponses(List.of(new PartitionProduceResponse().setIndex(0)
                        .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()))));
        return new ProduceResponseData().setThrottleTimeMs(7).setResponses(topics).setNodeEndpoints(endpoints);
    }

    private static FetchResponseData fetch(List<Node> nodes) {
        FetchResponseData.NodeEndpointCollection endpoints = new FetchResponseData.NodeEndpointCollection();
        for (Node node : nodes) {
            endpoints.add(new FetchResponseData.NodeEndpoint()
                    .setNodeId(node.id()).setHost(node.host()).setPort(node.port()).setRack(node.rack()));
        }
        return new FetchResponseData().setThrottleTimeMs(7).setErrorCode(Errors.NONE.code())
                .setNodeEndpoints(endpoints);
    }

    private static ShareFetchResponseData shareFetch(List<Node> nodes) {
        ShareFetchResponseData.NodeEndpointCollection endpoints = new ShareFetchResponseData.NodeEndpointCollection();
        for (Node node : nodes) {
            endpoints.add(new ShareFetchResponseData.NodeEndpoint()
                    .setNodeId(node.id()).setHost(node.host()).setPort(node.port()).setRack(node.rack()));
        }
        return new ShareFetchResponseData().setThrottleTimeMs(7).setAcquisitionLockTimeoutMs(30_000)
                .setErrorMessage("partly failed").setNodeEndpoints(endpoints);
    }

    private static ShareAcknowledgeResponseData shareAcknowledge(List<Node> nodes) {
        ShareAcknowledgeResponseData.NodeEndpointCollection endpoints =
                new ShareAcknowledgeResponseData.NodeEndpointCollection();
        for (Node node : nodes) {
            endpoints.add(new ShareAcknowledgeResponseData.NodeEndpoint()
                    .setNodeId(node.id()).setHost(node.host()).setPort(node.port()).setRack(node.rack()));
        }
        return new ShareAcknowledgeResponseData().setThrottleTimeMs(7).setErrorMessage("partly failed")
                .setNodeEndpoints(endpoints);
    }

    static Stream<Arguments> versionsWithAddresses() {
        return Stream.of(METADATA, DESCRIBE_CLUSTER, PRODUCE, FETCH, SHARE_FETCH, SHARE_ACKNOWLEDGE)
                .flatMap(AddressRewriterTest::versions)
                .filter(args -> AddressRewriter.carriesAddresses(api(args), version(args)));
    }

    static Stream<Arguments> versionsWithoutAddresses() {
        return NODE_ENDPOINT_CARRIERS.stream().flatMap(AddressRewriterTest::versions)
                .filter(args -> !AddressRewriter.carriesAddresses(api(args), version(args)));
    }

    static Stream<Arguments> allNodeEndpointVersions() {
        return NODE_ENDPOINT_CARRIERS.stream().flatMap(AddressRewriterTest::versions);
    }

    static Stream<Short> findCoordinatorVersions() {
        return ApiKeys.FIND_COORDINATOR.allVersions().stream();
    }

    static Stream<Short> batchedFindCoordinatorVersions() {
        return findCoordinatorVersions().filter(version -> version >= 4);
    }

    private static Stream<Arguments> versions(Carrier<?> carrier) {
        return carrier.api().allVersions().stream().map(version -> Arguments.of(carrier, version));
    }

    private static ApiKeys api(Arguments args) {
        return ((Carrier<?>) args.get()[0]).api();
    }

    private static short version(Arguments args) {
        return (Short) args.get()[1];
    }

    /** A broker as a response describes it. */
    private record Node(int id, String host, int port, String rack) {
        HostPort hostPort() {
            return new HostPort(host, port);
        }
    }

    /** A FindCoordinator answer for one key. */
    private record Found(int nodeId, String host, int port, Errors error, String errorMessage) {
    }

    /**
     * How to build and read one API's response with a broker list; the generated classes share no interface for it.
     *
     * @param firstRackVersion the first version whose broker entries carry a rack
     */
    private record Carrier<M extends ApiMessage>(ApiKeys api, short firstRackVersion,
                                                 Function<List<Node>, M> build, Function<M, List<Node>> nodes,
                                                 Consumer<M> clearNodes) {
        @Override
        public String toString() {
            return api.name();
        }
    }

    /** A virtual cluster serving node ids 0-9 at proxy.example:9000+id, remembering what it was told. */
    private static final class RecordingMap implements BrokerAddressMap {
        final Map<Integer, HostPort> learned = new HashMap<>();
        final List<Integer> asked = new ArrayList<>();

        @Override
        public HostPort advertise(int nodeId, HostPort upstream) {
            asked.add(nodeId);
            if (nodeId < 0 || nodeId > 9) {
                return null;
            }
            learned.put(nodeId, upstream);
            return new HostPort(PROXY_HOST, 9000 + nodeId);
        }
    }

    @Test
    void describeQuorumKeepsControllerIdsButHidesTheirListeners() {
        DescribeQuorumResponseData response = new DescribeQuorumResponseData();
        DescribeQuorumResponseData.Node controller = new DescribeQuorumResponseData.Node().setNodeId(3000);
        controller.listeners().add(new DescribeQuorumResponseData.Listener()
                .setName("CONTROLLER").setHost("c1" + REAL_DOMAIN).setPort(9093));
        response.nodes().add(controller);

        boolean changed = new AddressRewriter((nodeId, upstream) -> {
            throw new AssertionError("controllers are not brokers: " + nodeId);
        }).rewrite(ApiKeys.DESCRIBE_QUORUM, (short) 2, response);

        assertTrue(changed);
        assertEquals(1, response.nodes().size());
        assertEquals(3000, response.nodes().iterator().next().nodeId());
        assertTrue(response.nodes().iterator().next().listeners().isEmpty());
        assertTrue(AddressRewriter.carriesAddresses(ApiKeys.DESCRIBE_QUORUM, (short) 2));
        assertFalse(AddressRewriter.carriesAddresses(ApiKeys.DESCRIBE_QUORUM, (short) 1));
    }
}
