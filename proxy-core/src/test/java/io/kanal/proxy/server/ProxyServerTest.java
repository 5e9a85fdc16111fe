package io.kanal.proxy.server;

import static io.kanal.proxy.protocol.KafkaMessages.request;
import static io.kanal.proxy.protocol.KafkaMessages.response;
import static io.kanal.proxy.server.FakeBroker.echoOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.NodeIdRange;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.protocol.KafkaMessages;
import io.kanal.proxy.testing.FreePorts;
import io.netty.buffer.ByteBufAllocator;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBrokerCollection;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real proxy between a raw socket client and a scripted fake broker. Every socket read has a timeout, and every
 * test a hard limit, so a proxy that hangs fails fast.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyServerTest {

    private static final String CLUSTER = "test";
    private static final int MAX_FRAME_BYTES = 4 * 1024 * 1024;
    private static final short HEARTBEAT_VERSION = 4;
    /** Produce below v10 carries no broker addresses, so the proxy passes its responses through unread. */
    private static final short PASS_THROUGH_PRODUCE_VERSION = 9;

    private FakeBroker broker;
    private ProxyServer proxy;
    private int bootstrapPort;

    @BeforeEach
    void start() throws IOException {
        broker = FakeBroker.start();
        startProxy();
    }

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        broker.close();
    }

    // ---- Pass-through ----

    @Test
    void passThroughFramesArriveByteIdenticalOnBothSides() throws Exception {
        try (RawKafkaClient client = connect()) {
            byte[] heartbeat = heartbeat(1);
            // Large enough to arrive at the proxy in several reads.
            byte[] produce = produce(PASS_THROUGH_PRODUCE_VERSION, (short) 1, 2, 600_000);

            client.send(heartbeat);
            assertArrayEquals(heartbeat, broker.nextRequest().frame());
            assertArrayEquals(echoOf(heartbeat), client.readFrame());

            client.send(produce);
            assertArrayEquals(produce, broker.nextRequest().frame());
            assertArrayEquals(echoOf(produce), client.readFrame());
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInRequestOrder() throws Exception {
        try (RawKafkaClient client = connect()) {
            for (int id = 1; id <= 50; id++) {
                client.send(heartbeat(id));
            }
            for (int id = 1; id <= 50; id++) {
                assertEquals(id, client.readCorrelationId());
            }
        }
    }

    @Test
    void aResponseHeldForRewritingKeepsItsPlaceAheadOfLaterPassThroughResponses() throws Exception {
        // The broker sends all three answers in one write, so the proxy reads them together: the Metadata answer is
        // then still being rewritten (it waits for the broker ports to open) when the heartbeat answers are ready.
        List<byte[]> answers = new ArrayList<>();
        broker.script((request, peer) -> {
            answers.add(request.api() == ApiKeys.METADATA ? metadataAnswer(request, 0, 1, 2) : echoOf(request.frame()));
            if (answers.size() == 3) {
                peer.send(concat(answers));
            }
        });
        try (RawKafkaClient client = connect()) {
            client.send(metadataRequest((short) 12, 1), heartbeat(2), heartbeat(3));

            assertEquals(1, client.readCorrelationId());
            assertEquals(2, client.readCorrelationId());
            assertEquals(3, client.readCorrelationId());
        }
    }

    @Test
    void aLargeAnswerReachesTheClientWhileTheBrokerIsStillSendingIt() throws Exception {
        CountDownLatch headerSeen = new CountDownLatch(1);
        broker.script((request, peer) -> {
            byte[] answer = echoOf(request.frame());
            peer.send(Arrays.copyOf(answer, 100_000));
            if (headerSeen.await(RawKafkaClient.READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                peer.send(Arrays.copyOfRange(answer, 100_000, answer.length));
            }
        });
        try (RawKafkaClient client = connect()) {
            byte[] produce = produce(PASS_THROUGH_PRODUCE_VERSION, (short) 1, 7, 600_000);
            byte[] expected = echoOf(produce);
            client.send(produce);

            DataInputStream in = new DataInputStream(client.socket().getInputStream());
            byte[] head = new byte[8];
            in.readFully(head);
            headerSeen.countDown();
            byte[] rest = new byte[expected.length - head.length];
            in.readFully(rest);

            assertArrayEquals(expected, concat(List.of(head, rest)));
        }
    }

    @Test
    void aStreamedAnswerWaitsBehindAnEarlierAnswerStillBeingRewritten() throws Exception {
        List<byte[]> answers = new ArrayList<>();
        broker.script((request, peer) -> {
            answers.add(request.api() == ApiKeys.METADATA ? metadataAnswer(request, 0, 1, 2) : echoOf(request.frame()));
            if (answers.size() == 2) {
                byte[] both = concat(answers);
                // The Metadata answer and the start of the large one in one write, the rest a moment later.
                int split = answers.get(0).length + 50_000;
                peer.send(Arrays.copyOf(both, split));
                Thread.sleep(100);
                peer.send(Arrays.copyOfRange(both, split, both.length));
            }
        });
        try (RawKafkaClient client = connect()) {
            byte[] produce = produce(PASS_THROUGH_PRODUCE_VERSION, (short) 1, 2, 400_000);
            client.send(metadataRequest((short) 12, 1), produce);

            assertEquals(1, client.readCorrelationId());
            assertArrayEquals(echoOf(produce), client.readFrame());
        }
    }

    @Test
    void aLocalAnswerWaitsForAnEarlierDelayedBrokerAnswer() throws Exception {
        broker.script((request, peer) -> {
            Thread.sleep(200);
            FakeBroker.ECHO.answer(request, peer);
        });
        try (RawKafkaClient client = connect()) {
            client.send(heartbeat(1), apiVersionsNewerThanKafkaClients(2));

            assertEquals(1, client.readCorrelationId());
            assertEquals(2, client.readCorrelationId());
        }
    }

    // ---- Address rewriting ----

    @ParameterizedTest(name = "metadata v{0}")
    @ValueSource(shorts = {0, 9, 12})
    void metadataNamesTheProxysBrokerPortsAndThosePortsReachTheBroker(short version) throws Exception {
        broker.script(metadataNamingBrokers(0, 1, 2));
        try (RawKafkaClient client = connect()) {
            client.send(metadataRequest(version, 5));
            MetadataResponseData metadata = ((MetadataResponse) parse(client.readFrame(), ApiKeys.METADATA, version,
                    5)).data();

            List<String> advertised = new ArrayList<>();
            metadata.brokers().forEach(b -> advertised.add(b.nodeId() + "@" + b.host() + ":" + b.port()));
            assertEquals(List.of(
                    "0@127.0.0.1:" + (bootstrapPort + 1),
                    "1@127.0.0.1:" + (bootstrapPort + 2),
                    "2@127.0.0.1:" + (bootstrapPort + 3)), advertised);
        }
        for (int node = 0; node <= 2; node++) {
            int connectionsBefore = broker.connectionCount();
            try (RawKafkaClient client = connect(bootstrapPort + 1 + node)) {
                byte[] heartbeat = heartbeat(100 + node);
                client.send(heartbeat);
                assertArrayEquals(echoOf(heartbeat), client.readFrame());
                assertEquals(connectionsBefore + 1, broker.connectionCount());
            }
        }
        // Node 3 is in the range but no response named it, so its port has not opened.
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), bootstrapPort + 4).close());
    }

    @Test
    void aBrokerOutsideTheNodeIdRangeIsLeftOutOfMetadata() throws Exception {
        // Node 7 has no port in the range 0-3: a client told about it could only reach it directly, around the proxy.
        broker.script(metadataNamingBrokers(1, 7));
        try (RawKafkaClient client = connect()) {
            client.send(metadataRequest((short) 12, 1));
            MetadataResponseData metadata = ((MetadataResponse) parse(client.readFrame(), ApiKeys.METADATA, (short) 12,
                    1)).data();

            assertEquals(1, metadata.brokers().size());
            MetadataResponseBroker only = metadata.brokers().iterator().next();
            assertEquals(1, only.nodeId());
            assertEquals("127.0.0.1", only.host());
            assertEquals(bootstrapPort + 2, only.port());
        }
    }

    @Test
    void findCoordinatorNamesTheProxysBrokerPort() throws Exception {
        short version = ApiKeys.FIND_COORDINATOR.latestVersion(false);
        HostPort real = broker.address();
        broker.script((request, peer) -> peer.send(request.api() != ApiKeys.FIND_COORDINATOR
                ? echoOf(request.frame())
                : response(ApiKeys.FIND_COORDINATOR, request.apiVersion(), request.correlationId(),
                        new FindCoordinatorResponseData().setCoordinators(List.of(new Coordinator().setKey("group")
                                .setNodeId(2).setHost(real.host()).setPort(real.port()))))));
        try (RawKafkaClient client = connect()) {
            client.send(request(ApiKeys.FIND_COORDINATOR, version, "client", 8, new FindCoordinatorRequestData()
                    .setCoordinatorKeys(List.of("group"))));
            Coordinator coordinator = ((FindCoordinatorResponse) parse(client.readFrame(), ApiKeys.FIND_COORDINATOR,
                    version, 8)).data().coordinators().get(0);

            assertEquals("127.0.0.1:" + (bootstrapPort + 3), coordinator.host() + ":" + coordinator.port());
        }
        try (RawKafkaClient client = connect(bootstrapPort + 3)) {
            assertRoundTrip(client, 1);
        }
    }

    @Test
    void aBrokerPortThatCouldNotBeBoundIsTriedAgainOnTheNextMetadata() throws Exception {
        // Done for three brokers: how the failed bind and the proxy's bookkeeping interleave varies from run to run.
        for (int node = 0; node <= 2; node++) {
            broker.script(metadataNamingBrokers(node));
            int port = bootstrapPort + 1 + node;
            try (RawKafkaClient client = connect()) {
                try (ServerSocket squatter = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    client.send(metadataRequest((short) 12, 1));
                    assertEquals(1, client.readCorrelationId());
                }
                // The port is free now; the next answer naming the broker must open it.
                client.send(metadataRequest((short) 12, 2));
                assertEquals(2, client.readCorrelationId());
            }
            try (RawKafkaClient client = connect(port)) {
                assertRoundTrip(client, 3);
            } catch (ConnectException e) {
                throw new AssertionError("broker " + node + "'s port " + port + " never opened", e);
            }
        }
    }

    // ---- Produce acks=0 ----

    @Test
    void produceWithAcks0GetsNoAnswerAndLaterAnswersStillMatch() throws Exception {
        broker.script((request, peer) -> {
            if (request.api() != ApiKeys.PRODUCE) {
                FakeBroker.ECHO.answer(request, peer);
                return;
            }
            ProduceRequestData produce = new ProduceRequestData(new ByteBufferAccessor(request.body()),
                    request.apiVersion());
            if (produce.acks() != 0) {
                peer.send(response(ApiKeys.PRODUCE, request.apiVersion(), request.correlationId(),
                        new ProduceResponseData()));
            }
        });
        try (RawKafkaClient client = connect()) {
            client.send(produce((short) 11, (short) 0, 1, 100), heartbeat(2), produce((short) 11, (short) 0, 3, 100),
                    produce((short) 11, (short) -1, 4, 100), heartbeat(5));

            assertEquals(2, client.readCorrelationId());
            assertEquals(4, client.readCorrelationId());
            assertEquals(5, client.readCorrelationId());
            // Everything reached the broker, the unanswered requests included.
            assertEquals(List.of(1, 2, 3, 4, 5), correlationIdsReceived(5));
        }
    }

    // ---- Misbehaving broker ----

    @Test
    void anAnswerWithAnUnexpectedCorrelationIdClosesTheClient() throws Exception {
        broker.script((request, peer) -> peer.send(KafkaMessages.opaqueResponse(request.correlationId() + 1000,
                new byte[] {1, 2, 3})));
        try (RawKafkaClient client = connect()) {
            client.send(heartbeat(1));

            client.assertClosedByProxy();
        }
    }

    @Test
    void anAnswerNobodyAskedForClosesTheClient() throws Exception {
        // Two answers to one request: the second has nothing to match.
        broker.script((request, peer) -> {
            FakeBroker.ECHO.answer(request, peer);
            FakeBroker.ECHO.answer(request, peer);
        });
        try (RawKafkaClient client = connect()) {
            client.send(heartbeat(1));

            assertEquals(1, client.readCorrelationId());
            client.assertClosedByProxy();
        }
    }

    @Test
    void aBrokerFrameWithANegativeSizeClosesTheClient() throws Exception {
        broker.script((request, peer) -> peer.send(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe}));
        try (RawKafkaClient client = connect()) {
            client.send(heartbeat(1));

            client.assertClosedByProxy();
        }
    }

    @Test
    void anUnreadableMetadataAnswerClosesTheClient() throws Exception {
        // The right correlation id, then bytes that are no Metadata response.
        broker.script((request, peer) -> peer.send(KafkaMessages.opaqueResponse(request.correlationId(),
                new byte[] {0, 0, 0, 1, 127, 127, 127})));
        try (RawKafkaClient client = connect()) {
            client.send(metadataRequest((short) 12, 1));

            client.assertClosedByProxy();
        }
    }

    @Test
    void theBrokerClosingItsConnectionClosesTheClient() throws Exception {
        broker.script((request, peer) -> peer.close());
        try (RawKafkaClient client = connect()) {
            client.send(heartbeat(1));

            client.assertClosedByProxy();
        }
    }

    @Test
    void anUnreachableBrokerClosesTheClient() throws Exception {
        broker.close();
        try (RawKafkaClient client = connect()) {
            client.assertClosedByProxy();
        }
    }

    // ---- Misbehaving client ----

    @Test
    void anUnknownApiKeyClosesOnlyThatConnection() throws Exception {
        byte[] unknownApi = ByteBuffer.allocate(16).putInt(12).putShort((short) 999).putShort((short) 0).putInt(1)
                .putShort((short) -1).array();
        assertOnlyTheOffendingConnectionCloses(unknownApi);
    }

    @Test
    void aFrameAboveTheSizeLimitClosesOnlyThatConnection() throws Exception {
        // Just the size prefix: the proxy must refuse on it alone, without waiting for (or buffering) the body.
        byte[] oversized = ByteBuffer.allocate(4).putInt(MAX_FRAME_BYTES + 1).array();
        assertOnlyTheOffendingConnectionCloses(oversized);
    }

    private void assertOnlyTheOffendingConnectionCloses(byte[] offendingBytes) throws Exception {
        try (RawKafkaClient offender = connect(); RawKafkaClient bystander = connect()) {
            assertRoundTrip(bystander, 1);
            assertRoundTrip(offender, 1);

            offender.send(offendingBytes);

            offender.assertClosedByProxy();
            assertRoundTrip(bystander, 2);
        }
        // And the proxy still takes new connections.
        try (RawKafkaClient newcomer = connect()) {
            assertRoundTrip(newcomer, 3);
        }
    }

    @Test
    void aRequestNewerThanKafkaClientsWhoseAnswerNeedsNoRewritingPassesThrough() throws Exception {
        byte[] futureHeartbeat = ByteBuffer.allocate(18).putInt(14).putShort(ApiKeys.HEARTBEAT.id)
                .putShort((short) 99).putInt(6).putShort((short) 0).put((byte) 0).put(new byte[] {1, 2, 3}).array();
        try (RawKafkaClient client = connect()) {
            client.send(futureHeartbeat);

            assertArrayEquals(futureHeartbeat, broker.nextRequest().frame());
            assertArrayEquals(echoOf(futureHeartbeat), client.readFrame());
        }
    }

    @Test
    void aMetadataRequestNewerThanTheProxyCanRewriteClosesTheConnection() throws Exception {
        // Its answer would name brokers in a form the proxy cannot read, so it must not reach the client unrewritten.
        byte[] futureMetadata = ByteBuffer.allocate(16).putInt(12).putShort(ApiKeys.METADATA.id)
                .putShort((short) (ApiKeys.METADATA.latestVersion() + 1)).putInt(6).putShort((short) 0).put((byte) 0)
                .put((byte) 0).array();
        try (RawKafkaClient client = connect()) {
            client.send(futureMetadata);

            client.assertClosedByProxy();
        }
        assertTrue(broker.pendingRequests().isEmpty(), "the request was forwarded");
    }

    // ---- ApiVersions ----

    @Test
    void anApiVersionsRequestNewerThanTheProxyGetsALocalVersion0Answer() throws Exception {
        try (RawKafkaClient client = connect()) {
            client.send(apiVersionsNewerThanKafkaClients(9));

            byte[] frame = client.readFrame();
            ByteBuffer buffer = ByteBuffer.wrap(frame, 4, frame.length - 4);
            assertEquals(9, buffer.getInt(), "correlation id in a v0 response header");
            ApiVersionsResponseData answer = new ApiVersionsResponseData(new ByteBufferAccessor(buffer), (short) 0);
            assertEquals(0, buffer.remaining(), "bytes after the v0 body");
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), answer.errorCode());
            assertNotNull(answer.apiKeys().find(ApiKeys.API_VERSIONS.id));

            // The broker never saw it: the next thing it receives is the next request.
            assertRoundTrip(client, 10);
            assertEquals(ApiKeys.HEARTBEAT, broker.nextRequest().api());
        }
    }

    @Test
    void theBrokersApiVersionsAnswerIsNarrowedToWhatTheProxyHandles() throws Exception {
        short version = ApiKeys.API_VERSIONS.latestVersion(false);
        broker.script((request, peer) -> peer.send(response(ApiKeys.API_VERSIONS, request.apiVersion(),
                request.correlationId(), new ApiVersionsResponseData().setFinalizedFeaturesEpoch(42).setApiKeys(apiKeys(
                        new ApiVersion().setApiKey((short) 9999).setMinVersion((short) 0).setMaxVersion((short) 3),
                        new ApiVersion().setApiKey(ApiKeys.METADATA.id).setMinVersion((short) 0).setMaxVersion((short) 99),
                        new ApiVersion().setApiKey(ApiKeys.HEARTBEAT.id).setMinVersion((short) 1).setMaxVersion((short) 2))))));
        try (RawKafkaClient client = connect()) {
            client.send(request(ApiKeys.API_VERSIONS, version, "client", 4, new ApiVersionsRequestData()
                    .setClientSoftwareName("test").setClientSoftwareVersion("1")));

            ApiVersionsResponseData answer = ((ApiVersionsResponse) parse(client.readFrame(), ApiKeys.API_VERSIONS,
                    version, 4)).data();

            assertNull(answer.apiKeys().find((short) 9999), "an API key the proxy does not know must not be offered");
            assertEquals(ApiKeys.METADATA.latestVersion(false), answer.apiKeys().find(ApiKeys.METADATA.id).maxVersion());
            ApiVersion heartbeat = answer.apiKeys().find(ApiKeys.HEARTBEAT.id);
            assertEquals(1, heartbeat.minVersion());
            assertEquals(2, heartbeat.maxVersion());
            assertEquals(2, answer.apiKeys().size());
            assertEquals(42, answer.finalizedFeaturesEpoch(), "fields besides the API keys stay as the broker sent them");
        }
    }

    // ---- Shutdown ----

    @Test
    void closeLetsAnOutstandingRequestFinishThenClosesAndRefusesNewConnections() throws Exception {
        broker.script((request, peer) -> {
            Thread.sleep(300);
            FakeBroker.ECHO.answer(request, peer);
        });
        try (RawKafkaClient client = connect()) {
            byte[] heartbeat = heartbeat(1);
            client.send(heartbeat);
            broker.nextRequest();

            // close() blocks until connections finish, so it runs beside the client.
            Thread closer = new Thread(proxy::close, "proxy-close");
            closer.start();

            assertArrayEquals(echoOf(heartbeat), client.readFrame());
            client.assertClosedByProxy();
            closer.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(closer.isAlive(), "close() did not return");
        }
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), bootstrapPort).close());
    }

    @Test
    void closeWithNothingOutstandingClosesIdleConnectionsAtOnce() throws Exception {
        try (RawKafkaClient client = connect()) {
            assertRoundTrip(client, 1);

            proxy.close();

            client.assertClosedByProxy();
        }
    }

    // ---- Backpressure ----

    @Test
    void aClientThatDoesNotReadMakesTheProxyStopReadingTheBroker() throws Exception {
        int responses = 128;
        int responseBytes = 1024 * 1024;
        AtomicLong bytesWritten = new AtomicLong();
        CountDownLatch allWritten = new CountDownLatch(responses);
        broker.script((request, peer) -> {
            // A small send buffer, so that the broker feels the proxy stop reading soon after it does.
            peer.socket().setSendBufferSize(64 * 1024);
            byte[] answer = KafkaMessages.opaqueResponse(request.correlationId(), new byte[responseBytes]);
            peer.send(answer);
            bytesWritten.addAndGet(answer.length);
            allWritten.countDown();
        });
        try (RawKafkaClient client = RawKafkaClient.connect(bootstrapPort, 64 * 1024)) {
            for (int id = 0; id < responses; id++) {
                client.send(heartbeat(id));
            }

            // Unbounded buffering would let the broker write all 128 MiB in well under this time.
            assertFalse(allWritten.await(3, TimeUnit.SECONDS), "the broker wrote everything while the client slept");
            // What did get written sits in socket buffers (kernel-sized, up to tens of MiB) and the proxy's
            // bounded outbound queue; without backpressure it would be all of it.
            long stalledAt = bytesWritten.get();
            assertTrue(stalledAt < (long) responses * responseBytes / 2,
                    "the broker wrote " + stalledAt + " bytes before it blocked");

            // Once the client reads, everything flows again, in order.
            for (int id = 0; id < responses; id++) {
                byte[] frame = client.readFrame();
                assertEquals(id, ByteBuffer.wrap(frame, 4, 4).getInt());
                assertEquals(4 + 4 + responseBytes, frame.length);
            }
            assertTrue(allWritten.await(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aClientFarAheadOfTheBrokersAnswersIsNotReadFurther() throws Exception {
        int limit = ProxyConfig.Limits.DEFAULT_MAX_IN_FLIGHT_REQUESTS;
        int requests = 3_000;
        // The broker takes every request and answers none, until the test says so.
        List<FakeBroker.Peer> peers = new ArrayList<>();
        broker.script((request, peer) -> {
            synchronized (peers) {
                if (peers.isEmpty()) {
                    peers.add(peer);
                }
            }
        });
        try (RawKafkaClient client = connect()) {
            // Sent from another thread: once the proxy stops reading, the client's writes block.
            Thread sender = new Thread(() -> {
                try {
                    for (int id = 0; id < requests; id++) {
                        client.send(heartbeat(id));
                    }
                } catch (IOException ignored) {
                    // The test failed elsewhere and closed the socket.
                }
            }, "sender");
            sender.setDaemon(true);
            sender.start();

            List<FakeBroker.Request> taken = new ArrayList<>();
            while (taken.size() < limit) {
                taken.add(broker.nextRequest());
            }
            // Give the proxy time to read further if it were going to.
            Thread.sleep(500);
            taken.addAll(broker.pendingRequests());
            // The proxy checks the limit per read, so a read's worth of requests may pass it, but not all of them.
            assertTrue(taken.size() < requests, "all " + requests + " requests reached the broker unanswered");

            // Answer what has arrived; from then on the broker answers at once, and everything completes in order.
            // One write, which holds the peer: the echoes of requests the proxy forwards once answers free its
            // in-flight limit must not overtake the answers still being written.
            List<byte[]> answers = taken.stream().map(request -> echoOf(request.frame())).toList();
            broker.script(FakeBroker.ECHO);
            peers.get(0).send(concat(answers));
            for (int id = 0; id < requests; id++) {
                assertEquals(id, client.readCorrelationId());
            }
        }
    }

    // ---- Buffer leaks ----

    /** How long a leak check waits for Netty to report; every passing check takes this long. */
    private static final Duration LEAK_PATIENCE = Duration.ofSeconds(3);

    @Test
    void theLeakWatchReportsADeliberateLeak() throws Exception {
        // The control for the leak checks below: without it they could pass by never seeing anything.
        try (LeakWatch watch = new LeakWatch()) {
            ByteBufAllocator.DEFAULT.directBuffer(64).writeLong(1);

            assertFalse(watch.leaks(Duration.ofSeconds(10)).isEmpty());
        }
    }

    @Test
    void aMetadataAnswerWithAnImpossiblePortClosesTheClientAndLeaksNothing() throws Exception {
        broker.script((request, peer) -> {
            MetadataResponseBrokerCollection brokers = new MetadataResponseBrokerCollection();
            brokers.add(new MetadataResponseBroker().setNodeId(0).setHost("127.0.0.1").setPort(70_000));
            peer.send(response(ApiKeys.METADATA, request.apiVersion(), request.correlationId(),
                    new MetadataResponseData().setBrokers(brokers)));
        });
        try (LeakWatch watch = new LeakWatch()) {
            try (RawKafkaClient client = connect()) {
                client.send(metadataRequest((short) 12, 1));

                client.assertClosedByProxy();
            }
            assertEquals(List.of(), watch.leaks(LEAK_PATIENCE));
        }
    }

    @Test
    void aClientThatHangsUpBeforeTheBrokerConnectionStandsLeaksNothing() throws Exception {
        try (UnresponsiveListener slowBroker = UnresponsiveListener.start(); LeakWatch watch = new LeakWatch()) {
            proxy.close();
            startProxy(slowBroker.address());

            // The proxy is still connecting to the broker when these requests and the hang-up arrive.
            try (RawKafkaClient client = connect()) {
                client.send(heartbeat(1), heartbeat(2));
            }

            assertEquals(List.of(), watch.leaks(LEAK_PATIENCE));
        }
    }

    @Test
    void trafficAndFailedConnectionsLeakNothing() throws Exception {
        try (LeakWatch watch = new LeakWatch()) {
            // Ordinary traffic, pass-through and rewritten.
            broker.script(metadataNamingBrokers(0));
            try (RawKafkaClient client = connect()) {
                client.send(metadataRequest((short) 12, 1), heartbeat(2), apiVersionsNewerThanKafkaClients(3));
                for (int id = 1; id <= 3; id++) {
                    assertEquals(id, client.readCorrelationId());
                }
            }
            // A client that leaves with answers on their way (once connected: hanging up earlier is its own test).
            try (RawKafkaClient client = connect()) {
                assertRoundTrip(client, 1);
                client.send(metadataRequest((short) 12, 2), heartbeat(3));
            }
            // A malformed request and an oversized one.
            try (RawKafkaClient client = connect()) {
                client.send(heartbeat(1), ByteBuffer.allocate(12).putInt(8).putShort((short) 999).array());
                client.assertClosedByProxy();
            }
            // A broker answering out of turn, and one answering nonsense.
            broker.script((request, peer) -> peer.send(KafkaMessages.opaqueResponse(request.correlationId() + 1,
                    new byte[] {1})));
            try (RawKafkaClient client = connect()) {
                client.send(heartbeat(1), heartbeat(2));
                client.assertClosedByProxy();
            }
            broker.script((request, peer) -> peer.send(KafkaMessages.opaqueResponse(request.correlationId(),
                    new byte[] {1, 2, 3})));
            try (RawKafkaClient client = connect()) {
                client.send(metadataRequest((short) 12, 1));
                client.assertClosedByProxy();
            }

            assertEquals(List.of(), watch.leaks(LEAK_PATIENCE));
        }
    }

    // ---- Helpers ----

    /** Starts the proxy on a free block of five ports (bootstrap and brokers 0-3), retrying if one is taken meanwhile. */
    private void startProxy() {
        startProxy(broker.address());
    }

    private void startProxy(HostPort target) {
        for (int attempt = 1; ; attempt++) {
            bootstrapPort = FreePorts.consecutive(5);
            VirtualClusterConfig cluster = new VirtualClusterConfig(CLUSTER, new HostPort("127.0.0.1", bootstrapPort),
                    "127.0.0.1", new NodeIdRange(0, 3), List.of(target));
            try {
                proxy = ProxyServer.start(new ProxyConfig(List.of(cluster), MAX_FRAME_BYTES, Duration.ofSeconds(5),
                        Duration.ofSeconds(5)));
                return;
            } catch (ProxyStartException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private RawKafkaClient connect() throws IOException {
        return connect(bootstrapPort);
    }

    private static RawKafkaClient connect(int port) throws IOException {
        return RawKafkaClient.connect(port);
    }

    /** Sends a heartbeat and checks the echo comes back unchanged. */
    private static void assertRoundTrip(RawKafkaClient client, int correlationId) throws IOException {
        byte[] heartbeat = heartbeat(correlationId);
        client.send(heartbeat);
        assertArrayEquals(echoOf(heartbeat), client.readFrame());
    }

    private List<Integer> correlationIdsReceived(int count) throws InterruptedException {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(broker.nextRequest().correlationId());
        }
        return ids;
    }

    /** A script that answers Metadata with brokers at the fake broker's own address, and echoes the rest. */
    private FakeBroker.Script metadataNamingBrokers(int... nodeIds) {
        return (request, peer) -> peer.send(request.api() == ApiKeys.METADATA
                ? metadataAnswer(request, nodeIds)
                : echoOf(request.frame()));
    }

    /** A Metadata response naming these brokers, all at the fake broker's own address. */
    private byte[] metadataAnswer(FakeBroker.Request request, int... nodeIds) {
        HostPort real = broker.address();
        MetadataResponseBrokerCollection brokers = new MetadataResponseBrokerCollection();
        for (int nodeId : nodeIds) {
            brokers.add(new MetadataResponseBroker().setNodeId(nodeId).setHost(real.host()).setPort(real.port()));
        }
        return response(ApiKeys.METADATA, request.apiVersion(), request.correlationId(),
                new MetadataResponseData().setBrokers(brokers).setClusterId("fake").setControllerId(0));
    }

    private static byte[] concat(List<byte[]> frames) {
        ByteBuffer all = ByteBuffer.allocate(frames.stream().mapToInt(frame -> frame.length).sum());
        frames.forEach(all::put);
        return all.array();
    }

    /** Parses a response frame the way kafka-clients does, checking its correlation id. */
    private static AbstractResponse parse(byte[] frame, ApiKeys api, short version, int correlationId) {
        ByteBuffer buffer = ByteBuffer.wrap(frame, 4, frame.length - 4).slice();
        return AbstractResponse.parseResponse(buffer, new RequestHeader(api, version, "client", correlationId));
    }

    private static byte[] heartbeat(int correlationId) {
        return request(ApiKeys.HEARTBEAT, HEARTBEAT_VERSION, "client", correlationId,
                new HeartbeatRequestData().setGroupId("group").setGenerationId(3).setMemberId("member-1"));
    }

    private static byte[] metadataRequest(short version, int correlationId) {
        return request(ApiKeys.METADATA, version, "client", correlationId, new MetadataRequestData());
    }

    /** A produce request whose one record carries {@code valueBytes} random bytes. */
    private static byte[] produce(short version, short acks, int correlationId, int valueBytes) {
        byte[] value = new byte[valueBytes];
        new Random(correlationId).nextBytes(value);
        TopicProduceDataCollection topics = new TopicProduceDataCollection();
        topics.add(new TopicProduceData().setName("orders").setPartitionData(List.of(new PartitionProduceData()
                .setIndex(0).setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value))))));
        return request(ApiKeys.PRODUCE, version, "client", correlationId,
                new ProduceRequestData().setAcks(acks).setTimeoutMs(1000).setTopicData(topics));
    }

    /** An ApiVersions request one version past what kafka-clients knows, written by hand: a flexible header. */
    private static byte[] apiVersionsNewerThanKafkaClients(int correlationId) {
        byte[] clientId = "future".getBytes();
        ByteBuffer content = ByteBuffer.allocate(64).putShort(ApiKeys.API_VERSIONS.id)
                .putShort((short) (ApiKeys.API_VERSIONS.latestVersion() + 1)).putInt(correlationId)
                .putShort((short) clientId.length).put(clientId)
                .put((byte) 0) // no tagged fields in the header
                .put(new byte[] {1, 1, 0}); // a body the proxy never needs to read
        return KafkaMessages.sizePrefixed(content.flip());
    }

    private static ApiVersionCollection apiKeys(ApiVersion... versions) {
        ApiVersionCollection collection = new ApiVersionCollection();
        for (ApiVersion version : versions) {
            collection.add(version);
        }
        return collection;
    }
}
