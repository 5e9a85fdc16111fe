package io.kanal.mesh.server;

import io.kanal.mesh.api.MeshApis;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.api.SessionKey;
import io.kanal.mesh.api.VersionRange;
import io.kanal.mesh.config.MeshListenerConfig;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.metrics.ProxyMetrics;
import io.kanal.proxy.net.Transport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mesh's connections and handler table, with test handlers in place of the produce and metadata modules and a
 * raw client that shows every byte the mesh answers.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MeshServerTest {

    private static final short HEARTBEAT = 4;

    /** Heartbeats the test handler took, with the stage it answers each through. */
    private record Taken(MeshSession session, HeartbeatRequestData request,
                         CompletableFuture<HeartbeatResponseData> answer) {
    }

    private final BlockingQueue<Taken> taken = new LinkedBlockingQueue<>();
    private final EventLoopGroup acceptGroup = Transport.nio().newEventLoopGroup(1);
    private final EventLoopGroup workerGroup = Transport.nio().newEventLoopGroup(2);
    private MeshServer server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close(Duration.ZERO);
        }
        acceptGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void apiVersionsListsOnlyWhatTheMeshServes() throws IOException {
        start(apis().handle(ApiKeys.LIST_GROUPS, ListGroupsRequestData.class,
                (session, request) -> CompletableFuture.completedFuture(new ListGroupsResponseData()),
                VersionRange.of(2, 3)));
        try (WireClient client = connect()) {
            ApiVersionsResponseData answer = (ApiVersionsResponseData) client.call(ApiKeys.API_VERSIONS, (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("test").setClientSoftwareVersion("1"));

            assertEquals(Errors.NONE.code(), answer.errorCode());
            Map<ApiKeys, String> listed = listed(answer);
            assertEquals(List.of(ApiKeys.FETCH, ApiKeys.FIND_COORDINATOR, ApiKeys.HEARTBEAT, ApiKeys.LIST_GROUPS,
                    ApiKeys.API_VERSIONS), List.copyOf(listed.keySet()));
            assertEquals("2-3", listed.get(ApiKeys.LIST_GROUPS));
            assertEquals(range(ApiKeys.HEARTBEAT), listed.get(ApiKeys.HEARTBEAT));
        }
    }

    @Test
    void anApiVersionsRequestNewerThanTheMeshKnowsIsAnsweredInVersionZero() throws IOException {
        start(apis());
        try (WireClient client = connect()) {
            client.sendRaw(apiVersionsRequest((short) 99, 7));

            WireClient.Response response = client.receive(ApiKeys.API_VERSIONS, (short) 0);
            assertEquals(7, response.correlationId());
            ApiVersionsResponseData answer = (ApiVersionsResponseData) response.body();
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), answer.errorCode());
            assertTrue(listed(answer).containsKey(ApiKeys.HEARTBEAT));
        }
    }

    @Test
    void answersGoOutInRequestOrderWhateverOrderTheHandlersFinishIn() throws Exception {
        start(apis());
        try (WireClient client = connect()) {
            int first = client.send(ApiKeys.HEARTBEAT, HEARTBEAT, heartbeat("g1"));
            int second = client.send(ApiKeys.HEARTBEAT, HEARTBEAT, heartbeat("g2"));
            int third = client.send(ApiKeys.HEARTBEAT, HEARTBEAT, heartbeat("g3"));
            List<Taken> all = List.of(take(), take(), take());

            // Last first, each from a thread of its own.
            for (int i = 2; i >= 0; i--) {
                Taken one = all.get(i);
                int marker = i + 1;
                Thread answering = new Thread(() -> one.answer().complete(
                        new HeartbeatResponseData().setThrottleTimeMs(marker)));
                answering.start();
                answering.join();
            }

            for (int[] expected : new int[][]{{first, 1}, {second, 2}, {third, 3}}) {
                WireClient.Response response = client.receive(ApiKeys.HEARTBEAT, HEARTBEAT);
                assertEquals(expected[0], response.correlationId());
                assertEquals(expected[1], ((HeartbeatResponseData) response.body()).throttleTimeMs());
            }
        }
    }

    @Test
    void anApiWithoutAHandlerGetsItsOwnErrorResponseAndTheConnectionStaysOpen() throws Exception {
        start(apis());
        try (WireClient client = connect()) {
            ListGroupsResponseData answer = (ListGroupsResponseData) client.call(ApiKeys.LIST_GROUPS, (short) 4,
                    new ListGroupsRequestData());

            assertEquals(Errors.UNSUPPORTED_VERSION.code(), answer.errorCode());
            assertHeartbeatAnswered(client);
        }
    }

    @Test
    void aVersionTheHandlerDoesNotAcceptIsUnsupported() throws Exception {
        start(apis().handle(ApiKeys.LIST_GROUPS, ListGroupsRequestData.class,
                (session, request) -> CompletableFuture.completedFuture(new ListGroupsResponseData()),
                VersionRange.of(4, 5)));
        try (WireClient client = connect()) {
            ListGroupsResponseData answer = (ListGroupsResponseData) client.call(ApiKeys.LIST_GROUPS, (short) 3,
                    new ListGroupsRequestData());

            assertEquals(Errors.UNSUPPORTED_VERSION.code(), answer.errorCode());
        }
    }

    @Test
    void aHandlerThatFailsAnswersUnknownServerErrorAndTheConnectionStaysOpen() throws Exception {
        start(apis().handle(ApiKeys.LIST_GROUPS, ListGroupsRequestData.class, (session, request) -> {
            throw new IllegalStateException("broken on purpose");
        }));
        try (WireClient client = connect()) {
            ListGroupsResponseData answer = (ListGroupsResponseData) client.call(ApiKeys.LIST_GROUPS, (short) 4,
                    new ListGroupsRequestData());

            assertEquals(Errors.UNKNOWN_SERVER_ERROR.code(), answer.errorCode());
            assertHeartbeatAnswered(client);
        }
    }

    @Test
    void aMalformedFrameClosesThatConnectionOnly() throws Exception {
        start(apis());
        try (WireClient broken = connect(); WireClient healthy = connect()) {
            // A frame of 6 bytes: too short for a request header.
            broken.sendRaw(new byte[]{0, 0, 0, 6, 0, 18, 0, 3, 0, 0});

            broken.assertClosedByServer();
            assertHeartbeatAnswered(healthy);
        }
    }

    @Test
    void aClientWithTooManyRequestsOutstandingIsNotReadUntilOneIsAnswered() throws Exception {
        start(apis(), 2, Long.MAX_VALUE);
        try (WireClient client = connect()) {
            client.send(ApiKeys.HEARTBEAT, HEARTBEAT, heartbeat("g1"));
            client.send(ApiKeys.HEARTBEAT, HEARTBEAT, heartbeat("g2"));
            client.send(ApiKeys.HEARTBEAT, HEARTBEAT, heartbeat("g3"));
            Taken first = take();
            take();

            assertNull(taken.poll(500, TimeUnit.MILLISECONDS), "a third request was read while two were outstanding");
            first.answer().complete(new HeartbeatResponseData());
            assertEquals("g3", take().request().groupId());
        }
    }

    @Test
    void aClientWithTooManyBytesOutstandingIsNotReadUntilTheyAreAnswered() throws Exception {
        start(apis(), 100, 1);
        try (WireClient client = connect()) {
            client.send(ApiKeys.HEARTBEAT, HEARTBEAT, heartbeat("g1"));
            client.send(ApiKeys.HEARTBEAT, HEARTBEAT, heartbeat("g2"));
            Taken first = take();

            assertNull(taken.poll(500, TimeUnit.MILLISECONDS), "a second request was read past the byte limit");
            first.answer().complete(new HeartbeatResponseData());
            assertEquals("g2", take().request().groupId());
        }
    }

    @Test
    void stateLivesPerConnectionAndCloseCallbacksRunWhenTheClientHangsUp() throws Exception {
        SessionKey<AtomicInteger> counter = new SessionKey<>("counter", session -> new AtomicInteger());
        CountDownLatch closed = new CountDownLatch(1);
        List<AtomicInteger> seen = new ArrayList<>();
        start(apis().handle(ApiKeys.LIST_GROUPS, ListGroupsRequestData.class, (session, request) -> {
            AtomicInteger count = session.state(counter);
            if (count.getAndIncrement() == 0) {
                session.onClose(closed::countDown);
            }
            seen.add(count);
            return CompletableFuture.completedFuture(new ListGroupsResponseData());
        }));
        try (WireClient one = connect(); WireClient other = connect()) {
            one.call(ApiKeys.LIST_GROUPS, (short) 4, new ListGroupsRequestData());
            one.call(ApiKeys.LIST_GROUPS, (short) 4, new ListGroupsRequestData());
            other.call(ApiKeys.LIST_GROUPS, (short) 4, new ListGroupsRequestData());

            assertSame(seen.get(0), seen.get(1), "one connection keeps its state");
            assertEquals(2, seen.get(0).get());
            assertEquals(1, seen.get(2).get(), "another connection has its own");
            assertEquals(1, closed.getCount());
            one.close();
            assertTrue(closed.await(5, TimeUnit.SECONDS), "the close callback ran");
        }
    }

    @Test
    void findCoordinatorAsksTheResolverOfTheKeyTypeInEveryVersion() throws Exception {
        start(apis().coordinator(CoordinatorType.TRANSACTION, (session, key) -> CompletableFuture.completedFuture(
                new Coordinator().setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())
                        .setErrorMessage("no transactions for " + key).setNodeId(-1).setHost("").setPort(-1))));
        try (WireClient client = connect()) {
            FindCoordinatorResponseData single = (FindCoordinatorResponseData) client.call(ApiKeys.FIND_COORDINATOR,
                    (short) 3, new FindCoordinatorRequestData().setKey("tx-1")
                            .setKeyType(CoordinatorType.TRANSACTION.id()));
            assertEquals(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code(), single.errorCode());
            assertEquals("no transactions for tx-1", single.errorMessage());

            FindCoordinatorResponseData batched = (FindCoordinatorResponseData) client.call(ApiKeys.FIND_COORDINATOR,
                    (short) 4, new FindCoordinatorRequestData().setCoordinatorKeys(List.of("tx-2", "tx-3"))
                            .setKeyType(CoordinatorType.TRANSACTION.id()));
            assertEquals(List.of("tx-2", "tx-3"), batched.coordinators().stream().map(Coordinator::key).toList());
            assertEquals("no transactions for tx-3", batched.coordinators().get(1).errorMessage());

            FindCoordinatorResponseData group = (FindCoordinatorResponseData) client.call(ApiKeys.FIND_COORDINATOR,
                    (short) 4, new FindCoordinatorRequestData().setCoordinatorKeys(List.of("g"))
                            .setKeyType(CoordinatorType.GROUP.id()));
            assertEquals(Errors.INVALID_REQUEST.code(), group.coordinators().get(0).errorCode());
        }
    }

    @Test
    void closeAnswersWhatFinishesWithinTheGraceAndClosesTheRestAfterIt() throws Exception {
        start(apis());
        try (WireClient finishing = connect(); WireClient stuck = connect(); WireClient idle = connect()) {
            int asked = finishing.send(ApiKeys.HEARTBEAT, HEARTBEAT, heartbeat("answered"));
            stuck.send(ApiKeys.HEARTBEAT, HEARTBEAT, heartbeat("never answered"));
            Map<String, Taken> byGroup = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                Taken one = take();
                byGroup.put(one.request().groupId(), one);
            }
            CompletableFuture<Integer> forced = new CompletableFuture<>();
            Thread closer = new Thread(() -> {
                try {
                    forced.complete(server.close(Duration.ofSeconds(2)));
                } catch (InterruptedException e) {
                    forced.completeExceptionally(e);
                }
            }, "mesh-close");
            closer.start();

            idle.assertClosedByServer();
            byGroup.get("answered").answer().complete(new HeartbeatResponseData().setThrottleTimeMs(7));
            WireClient.Response response = finishing.receive(ApiKeys.HEARTBEAT, HEARTBEAT);
            assertEquals(asked, response.correlationId());
            assertEquals(7, ((HeartbeatResponseData) response.body()).throttleTimeMs());
            finishing.assertClosedByServer();
            assertEquals(1, forced.get(10, TimeUnit.SECONDS), "only the unanswered connection was forced");
            stuck.assertClosedByServer();
        }
    }

    @Test
    void whatAnAnswerHoldsIsReleasedOnceTheAnswerHasBeenWrittenAndNotBefore() throws Exception {
        CompletableFuture<ListGroupsResponseData> answer = new CompletableFuture<>();
        CountDownLatch handled = new CountDownLatch(1);
        AtomicInteger releases = new AtomicInteger();
        CountDownLatch released = new CountDownLatch(1);
        start(apis().handle(ApiKeys.LIST_GROUPS, ListGroupsRequestData.class, (session, request) -> {
            request.releaseAfterAnswer(() -> {
                releases.incrementAndGet();
                released.countDown();
            });
            handled.countDown();
            return answer;
        }));
        try (WireClient client = connect()) {
            int asked = client.send(ApiKeys.LIST_GROUPS, (short) 4, new ListGroupsRequestData());
            assertTrue(handled.await(5, TimeUnit.SECONDS));
            assertFalse(released.await(200, TimeUnit.MILLISECONDS), "released while the answer was still to come");

            answer.complete(new ListGroupsResponseData().setThrottleTimeMs(3));

            assertEquals(asked, client.receive(ApiKeys.LIST_GROUPS, (short) 4).correlationId());
            assertTrue(released.await(5, TimeUnit.SECONDS), "released after the answer was written");
            assertHeartbeatAnswered(client);
            assertEquals(1, releases.get(), "released once");
        }
    }

    @Test
    void whatAnAnswerHoldsIsReleasedWhenTheAnswerWillNeverBeWritten() throws Exception {
        CompletableFuture<ListGroupsResponseData> late = new CompletableFuture<>();
        CountDownLatch failedReleased = new CountDownLatch(1);
        CountDownLatch clientGone = new CountDownLatch(1);
        CountDownLatch goneReleased = new CountDownLatch(1);
        start(apis().handle(ApiKeys.LIST_GROUPS, ListGroupsRequestData.class, (session, request) -> {
            if (request.body().statesFilter().contains("fail")) {
                request.releaseAfterAnswer(failedReleased::countDown);
                return CompletableFuture.failedFuture(new IllegalStateException("broken on purpose"));
            }
            request.releaseAfterAnswer(goneReleased::countDown);
            session.onClose(clientGone::countDown);
            return late;
        }));
        try (WireClient client = connect()) {
            ListGroupsResponseData failed = (ListGroupsResponseData) client.call(ApiKeys.LIST_GROUPS, (short) 4,
                    new ListGroupsRequestData().setStatesFilter(List.of("fail")));
            assertEquals(Errors.UNKNOWN_SERVER_ERROR.code(), failed.errorCode());
            assertTrue(failedReleased.await(5, TimeUnit.SECONDS), "released when the handler failed");

            client.send(ApiKeys.LIST_GROUPS, (short) 4, new ListGroupsRequestData());
            client.close();
            assertTrue(clientGone.await(5, TimeUnit.SECONDS));
            assertEquals(1, goneReleased.getCount(), "not released before the handler finished");
            late.complete(new ListGroupsResponseData());
            assertTrue(goneReleased.await(5, TimeUnit.SECONDS), "released when the client was gone");
        }
    }

    // ---- Helpers ----

    private MeshApis.Builder apis() {
        return MeshApis.builder().handle(ApiKeys.HEARTBEAT, HeartbeatRequestData.class,
                (MeshSession session, MeshRequest<HeartbeatRequestData> request) -> {
                    CompletableFuture<HeartbeatResponseData> answer = new CompletableFuture<>();
                    taken.add(new Taken(session, request.body(), answer));
                    return answer;
                });
    }

    private void start(MeshApis.Builder apis) {
        start(apis, ProxyConfig.Limits.DEFAULT_MAX_IN_FLIGHT_REQUESTS, Long.MAX_VALUE);
    }

    private void start(MeshApis.Builder apis, int maxInFlightRequests, long maxPendingBytes) {
        ProxyConfig network = ProxyConfig.of(List.of())
                .withLimits(ProxyConfig.Limits.DEFAULT.withMaxInFlightRequests(maxInFlightRequests));
        server = MeshServer.bind(new MeshListenerConfig(new HostPort("127.0.0.1", 0), "127.0.0.1", 0, 0), network,
                maxPendingBytes, new ProxyMetrics(new SimpleMeterRegistry(), "mesh"), Transport.nio(), acceptGroup,
                workerGroup);
        server.accept(apis.build());
    }

    private WireClient connect() throws IOException {
        return WireClient.connect(server.boundAddress());
    }

    private Taken take() throws InterruptedException {
        Taken next = taken.poll(5, TimeUnit.SECONDS);
        assertNotNull(next, "the handler was not called");
        return next;
    }

    /** A heartbeat goes through and is answered: the connection still works. */
    private void assertHeartbeatAnswered(WireClient client) throws Exception {
        int correlationId = client.send(ApiKeys.HEARTBEAT, HEARTBEAT, heartbeat("alive"));
        take().answer().complete(new HeartbeatResponseData().setThrottleTimeMs(42));
        WireClient.Response response = client.receive(ApiKeys.HEARTBEAT, HEARTBEAT);
        assertEquals(correlationId, response.correlationId());
        assertEquals(42, ((HeartbeatResponseData) response.body()).throttleTimeMs());
    }

    private static HeartbeatRequestData heartbeat(String group) {
        return new HeartbeatRequestData().setGroupId(group).setGenerationId(1).setMemberId("m");
    }

    private static Map<ApiKeys, String> listed(ApiVersionsResponseData answer) {
        return answer.apiKeys().stream().collect(Collectors.toMap(version -> ApiKeys.forId(version.apiKey()),
                (ApiVersion version) -> version.minVersion() + "-" + version.maxVersion(), (a, b) -> a,
                java.util.LinkedHashMap::new));
    }

    private static String range(ApiKeys api) {
        return MeshApis.clientRange(api).orElseThrow().toString();
    }

    /** An ApiVersions request in {@code version}, written by hand as no kafka-clients class writes unknown versions. */
    private static byte[] apiVersionsRequest(short version, int correlationId) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(body);
        byte[] clientId = "wire-client".getBytes(StandardCharsets.UTF_8);
        out.writeShort(ApiKeys.API_VERSIONS.id);
        out.writeShort(version);
        out.writeInt(correlationId);
        out.writeShort(clientId.length);
        out.write(clientId);
        out.writeByte(0);
        out.writeByte(0);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        new DataOutputStream(frame).writeInt(body.size());
        frame.write(body.toByteArray());
        return frame.toByteArray();
    }
}
