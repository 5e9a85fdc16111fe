package io.kanal.proxy.server;

import static io.kanal.proxy.protocol.KafkaMessages.request;
import static io.kanal.proxy.protocol.KafkaMessages.response;
import static io.kanal.proxy.server.FakeBroker.echoOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.config.NodeIdRange;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.testing.FreePorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBrokerCollection;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ProxyServer#reconfigure}: a raw socket client and a scripted fake broker on either side of a proxy whose
 * virtual clusters are added, removed and changed while connections are open.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReconfigureTest {

    private static final int MAX_FRAME_BYTES = 1024 * 1024;
    private static final short HEARTBEAT_VERSION = 4;
    private static final short METADATA_VERSION = 12;
    /** Ports per virtual cluster: the bootstrap port and node ids 0-3. */
    private static final int PORTS = 5;
    private static final NodeIdRange NODE_IDS = new NodeIdRange(0, 3);
    private static final Duration GRACE = Duration.ofSeconds(5);

    private FakeBroker broker;
    private ProxyServer proxy;
    /** The first of a block of ports for three virtual clusters: a, b and c, in that order. */
    private int firstPort;

    @BeforeEach
    void startBroker() throws IOException {
        broker = FakeBroker.start();
    }

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        broker.close();
    }

    @Test
    void anUnchangedClustersConnectionKeepsWorkingAndANewClusterStartsListening() throws Exception {
        start(cluster("a", 0), cluster("b", 1));
        try (RawKafkaClient a = RawKafkaClient.connect(port(0)); RawKafkaClient b = RawKafkaClient.connect(port(1))) {
            assertRoundTrip(a, 1);
            assertRoundTrip(b, 2);
            int brokerConnections = broker.connectionCount();

            ReloadResult result = proxy.reconfigure(config(cluster("a", 0), cluster("b", 1), cluster("c", 2)));

            assertEquals(List.of("c"), result.added());
            assertEquals(List.of("a", "b"), result.unchanged());
            assertEquals(List.of(), result.changed());
            assertEquals(List.of(), result.removed());
            assertTrue(result.retired().toCompletableFuture().isDone(), "nothing to retire");
            // The same sockets, on both sides of the proxy, still carry requests.
            assertRoundTrip(a, 3);
            assertRoundTrip(b, 4);
            assertEquals(brokerConnections, broker.connectionCount(), "no broker connection was replaced");
            try (RawKafkaClient c = RawKafkaClient.connect(port(2))) {
                assertRoundTrip(c, 5);
            }
            assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), port(2)),
                    proxy.bootstrapAddress("c"));
        }
    }

    @Test
    void aRemovedClusterStopsListeningAndItsIdleConnectionIsClosed() throws Exception {
        start(cluster("a", 0), cluster("b", 1));
        try (RawKafkaClient a = RawKafkaClient.connect(port(0)); RawKafkaClient b = RawKafkaClient.connect(port(1))) {
            assertRoundTrip(a, 1);
            assertRoundTrip(b, 2);

            ReloadResult result = proxy.reconfigure(config(cluster("a", 0)));

            assertEquals(List.of("b"), result.removed());
            assertEquals(List.of("a"), result.unchanged());
            b.assertClosedByProxy();
            assertRefused(port(1));
            result.retired().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertRoundTrip(a, 3);
            assertThrows(IllegalArgumentException.class, () -> proxy.bootstrapAddress("b"));
        }
    }

    @Test
    void aRemovedClustersOutstandingRequestIsAnsweredBeforeItsConnectionCloses() throws Exception {
        broker.script((request, peer) -> {
            Thread.sleep(300);
            FakeBroker.ECHO.answer(request, peer);
        });
        start(cluster("a", 0), cluster("b", 1));
        try (RawKafkaClient b = RawKafkaClient.connect(port(1))) {
            byte[] heartbeat = heartbeat(7);
            b.send(heartbeat);
            broker.nextRequest();

            ReloadResult result = proxy.reconfigure(config(cluster("a", 0)));

            assertFalse(result.retired().toCompletableFuture().isDone(), "a request is still outstanding");
            assertArrayEquals(echoOf(heartbeat), b.readFrame());
            b.assertClosedByProxy();
            result.retired().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aChangedFilterChainAppliesToNewConnectionsWhileOldOnesFinishWithTheOldChainAndClose() throws Exception {
        broker.script((request, peer) -> {
            Thread.sleep(300);
            FakeBroker.ECHO.answer(request, peer);
        });
        NamedFilter passing = named("passing", hooks -> hooks.onRequest(KafkaApi.HEARTBEAT,
                (context, request) -> context.pass()));
        NamedFilter refusing = named("refusing", hooks -> hooks.onRequest(KafkaApi.HEARTBEAT,
                (context, request) -> context.respond(new HeartbeatResponseData().setErrorCode((short) 42))));
        start(cluster("a", 0, passing), cluster("b", 1));
        try (RawKafkaClient old = RawKafkaClient.connect(port(0)); RawKafkaClient b = RawKafkaClient.connect(port(1))) {
            assertRoundTrip(old, 1);
            byte[] outstanding = heartbeat(2);
            old.send(outstanding);
            broker.nextRequest();
            broker.nextRequest();

            ReloadResult result = proxy.reconfigure(config(cluster("a", 0, refusing), cluster("b", 1)));

            assertEquals(List.of("a"), result.changed());
            assertEquals(List.of("b"), result.unchanged());
            // The old connection finishes what it had outstanding, with the old chain, and is closed.
            assertArrayEquals(echoOf(outstanding), old.readFrame());
            old.assertClosedByProxy();
            // New connections to the same address get the new chain.
            try (RawKafkaClient fresh = RawKafkaClient.connect(port(0))) {
                fresh.send(heartbeat(3));
                byte[] answer = fresh.readFrame();
                assertEquals(42, heartbeatError(answer));
            }
            result.retired().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertRoundTrip(b, 4);
        }
    }

    @Test
    void aReplacedClusterInFrontOfTheSameTargetListensOnTheBrokerPortsTheOldOneHadOpened() throws Exception {
        broker.script(metadataNamingBrokers(0, 2));
        start(cluster("a", 0));
        try (RawKafkaClient client = RawKafkaClient.connect(port(0))) {
            client.send(request(ApiKeys.METADATA, METADATA_VERSION, "client", 1, new MetadataRequestData()));
            client.readFrame();
        }
        try (RawKafkaClient toBroker2 = RawKafkaClient.connect(port(0) + 3)) {
            assertRoundTrip(toBroker2, 2);

            // A changed filter chain replaces the cluster; its broker ports must not wait for the next metadata.
            NamedFilter passing = named("passing", hooks -> hooks.onRequest(KafkaApi.HEARTBEAT,
                    (context, request) -> context.pass()));
            proxy.reconfigure(config(cluster("a", 0, passing)));

            toBroker2.assertClosedByProxy();
        }
        for (int node : new int[] {0, 2}) {
            try (RawKafkaClient client = RawKafkaClient.connect(port(0) + 1 + node)) {
                assertRoundTrip(client, 10 + node);
            }
        }
        assertRefused(port(0) + 2);
    }

    @Test
    void aBindFailureLeavesTheRunningConfigurationExactlyAsItWas() throws Exception {
        NamedFilter passing = named("passing", hooks -> hooks.onRequest(KafkaApi.HEARTBEAT,
                (context, request) -> context.pass()));
        NamedFilter refusing = named("refusing", hooks -> hooks.onRequest(KafkaApi.HEARTBEAT,
                (context, request) -> context.respond(new HeartbeatResponseData().setErrorCode((short) 42))));
        start(cluster("a", 0, passing), cluster("b", 1));
        try (RawKafkaClient a = RawKafkaClient.connect(port(0)); RawKafkaClient b = RawKafkaClient.connect(port(1));
             ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port(2)));
            assertRoundTrip(a, 1);

            // a changes on its own address and b goes, so their listeners are closed before a's new one binds; then c
            // cannot bind.
            ProxyStartException failure = assertThrows(ProxyStartException.class, () -> proxy.reconfigure(
                    config(cluster("a", 0, refusing), cluster("c", 2))));

            assertTrue(failure.getMessage().startsWith("virtual cluster 'c': cannot listen on 127.0.0.1:" + port(2)),
                    failure.getMessage());
            // No connection was drained, and the old listeners are back, a's with the old chain.
            assertRoundTrip(a, 2);
            assertRoundTrip(b, 3);
            try (RawKafkaClient again = RawKafkaClient.connect(port(0))) {
                assertRoundTrip(again, 4);
            }
            try (RawKafkaClient again = RawKafkaClient.connect(port(1))) {
                assertRoundTrip(again, 5);
            }
        }
        // After the failure, the same change succeeds once the port is free.
        ReloadResult result = proxy.reconfigure(config(cluster("a", 0, refusing), cluster("c", 2)));
        assertEquals(List.of("c"), result.added());
        assertEquals(List.of("b"), result.removed());
        assertEquals(List.of("a"), result.changed());
    }

    @Test
    void aChangedSettingEveryConnectionCarriesChangesEveryClusterWhileTheShutdownGraceChangesNone() throws Exception {
        start(cluster("a", 0), cluster("b", 1));
        try (RawKafkaClient a = RawKafkaClient.connect(port(0))) {
            assertRoundTrip(a, 1);

            List<VirtualClusterConfig> clusters = config(cluster("a", 0), cluster("b", 1)).virtualClusters();
            ReloadResult graceOnly = proxy.reconfigure(new ProxyConfig(clusters, MAX_FRAME_BYTES,
                    Duration.ofSeconds(5), Duration.ofSeconds(1)));
            assertEquals(List.of("a", "b"), graceOnly.unchanged());
            assertRoundTrip(a, 2);

            ReloadResult frameLimit = proxy.reconfigure(new ProxyConfig(clusters, MAX_FRAME_BYTES * 2,
                    Duration.ofSeconds(5), Duration.ofSeconds(1)));
            assertEquals(List.of("a", "b"), frameLimit.changed());
            a.assertClosedByProxy();
        }
        try (RawKafkaClient a = RawKafkaClient.connect(port(0))) {
            assertRoundTrip(a, 3);
        }
    }

    @Test
    void aClusterCanTakeOverThePortsOfOneRemovedInTheSameReconfiguration() throws Exception {
        start(cluster("a", 0), cluster("b", 1));
        try (RawKafkaClient b = RawKafkaClient.connect(port(1))) {
            assertRoundTrip(b, 1);

            ReloadResult result = proxy.reconfigure(config(cluster("a", 0), cluster("renamed", 1)));

            assertEquals(List.of("renamed"), result.added());
            assertEquals(List.of("b"), result.removed());
            b.assertClosedByProxy();
        }
        try (RawKafkaClient renamed = RawKafkaClient.connect(port(1))) {
            assertRoundTrip(renamed, 2);
        }
    }

    @Test
    void aProxyWithoutVirtualClustersRunsAndAReloadCanAddOne() throws Exception {
        start();
        firstPort = FreePorts.consecutive(3 * PORTS);

        ReloadResult result = proxy.reconfigure(config(cluster("a", 0)));

        assertEquals(List.of("a"), result.added());
        try (RawKafkaClient a = RawKafkaClient.connect(port(0))) {
            assertRoundTrip(a, 1);
        }
    }

    @Test
    void reconfiguringAClosedProxyIsRefused() throws Exception {
        start(cluster("a", 0));
        proxy.close();
        assertThrows(IllegalStateException.class, () -> proxy.reconfigure(config(cluster("a", 0))));
    }

    // ---- Helpers ----

    /** Starts the proxy on a free block of ports for three virtual clusters, retrying if one is taken meanwhile. */
    private void start(VirtualClusterConfig... clustersAtOffsets) {
        for (int attempt = 1; ; attempt++) {
            firstPort = FreePorts.consecutive(3 * PORTS);
            List<VirtualClusterConfig> clusters = List.of(clustersAtOffsets).stream().map(this::placed).toList();
            try {
                proxy = ProxyServer.start(new ProxyConfig(clusters, MAX_FRAME_BYTES, Duration.ofSeconds(5), GRACE),
                        new SimpleMeterRegistry());
                return;
            } catch (ProxyStartException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private ProxyConfig config(VirtualClusterConfig... clustersAtOffsets) {
        return new ProxyConfig(List.of(clustersAtOffsets).stream().map(this::placed).toList(), MAX_FRAME_BYTES,
                Duration.ofSeconds(5), GRACE);
    }

    /**
     * A virtual cluster in front of the fake broker at the {@code slot}th block of ports; the port is filled in by
     * {@link #placed}, once the block is known.
     */
    private static VirtualClusterConfig cluster(String name, int slot, NamedFilter... filters) {
        return new VirtualClusterConfig(name, new HostPort("127.0.0.1", slot), "127.0.0.1", NODE_IDS,
                List.of(new HostPort("127.0.0.1", 1)), List.of(filters));
    }

    /** The cluster with its slot turned into a real port and its target into the fake broker. */
    private VirtualClusterConfig placed(VirtualClusterConfig cluster) {
        return new VirtualClusterConfig(cluster.name(), new HostPort("127.0.0.1", port(cluster.bootstrap().port())),
                cluster.advertisedHost(), cluster.nodeIds(), List.of(broker.address()), cluster.filters());
    }

    private int port(int slot) {
        return firstPort + slot * PORTS;
    }

    private static NamedFilter named(String name, Filter filter) {
        return new NamedFilter(name, filter);
    }

    private static void assertRoundTrip(RawKafkaClient client, int correlationId) throws IOException {
        byte[] heartbeat = heartbeat(correlationId);
        client.send(heartbeat);
        assertArrayEquals(echoOf(heartbeat), client.readFrame());
    }

    private static void assertRefused(int port) {
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                "port " + port + " still listens");
    }

    private static byte[] heartbeat(int correlationId) {
        return request(ApiKeys.HEARTBEAT, HEARTBEAT_VERSION, "client", correlationId,
                new HeartbeatRequestData().setGroupId("group").setGenerationId(3).setMemberId("member-1"));
    }

    private static short heartbeatError(byte[] frame) {
        ByteBufferAccessor accessor = new ByteBufferAccessor(ByteBuffer.wrap(frame, 4, frame.length - 4).slice());
        new ResponseHeaderData(accessor, ApiKeys.HEARTBEAT.responseHeaderVersion(HEARTBEAT_VERSION));
        return new HeartbeatResponseData(accessor, HEARTBEAT_VERSION).errorCode();
    }

    /** Answers Metadata with brokers at the fake broker's own address, and echoes the rest. */
    private FakeBroker.Script metadataNamingBrokers(int... nodeIds) {
        return (request, peer) -> {
            if (request.api() != ApiKeys.METADATA) {
                peer.send(echoOf(request.frame()));
                return;
            }
            HostPort real = broker.address();
            MetadataResponseBrokerCollection brokers = new MetadataResponseBrokerCollection();
            for (int nodeId : nodeIds) {
                brokers.add(new MetadataResponseBroker().setNodeId(nodeId).setHost(real.host()).setPort(real.port()));
            }
            peer.send(response(ApiKeys.METADATA, request.apiVersion(), request.correlationId(),
                    new MetadataResponseData().setBrokers(brokers).setClusterId("fake").setControllerId(0)));
        };
    }
}
