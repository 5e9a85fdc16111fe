package io.kanal.proxy.server;

import static io.kanal.proxy.protocol.KafkaMessages.request;
import static io.kanal.proxy.protocol.KafkaMessages.response;
import static io.kanal.proxy.server.FakeBroker.echoOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopicCollection;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The filter engine in a real proxy: filters written as small lambdas in front of a scripted fake broker, raw socket
 * clients on the other side, and assertions on exactly what each side receives. Every socket read has a timeout and
 * every test a hard limit, so an engine that hangs fails fast.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FilterEngineTest {

    private static final String CLUSTER = "filtered";
    private static final int MAX_FRAME_BYTES = 4 * 1024 * 1024;
    /** Short, so the timeout tests stay quick; long enough that no healthy hook in these tests comes near it. */
    private static final Duration FILTER_TIMEOUT = Duration.ofMillis(500);
    private static final short HEARTBEAT_VERSION = 4;
    private static final short METADATA_VERSION = 12;
    /** Produce below v10 carries no broker addresses, so nothing but a filter ever decodes its response. */
    private static final short PRODUCE_V9 = 9;
    /** Produce v11's response is decoded by the address rewriter, which leaves it unchanged when it names no node. */
    private static final short PRODUCE_V11 = 11;
    private static final Duration LEAK_PATIENCE = Duration.ofSeconds(3);

    private FakeBroker broker;
    private ProxyServer proxy;
    private SimpleMeterRegistry registry;
    private int bootstrapPort;
    /** Every answer the broker sent, in order. */
    private final BlockingQueue<byte[]> brokerSent = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService later = Executors.newScheduledThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "filter-test-async");
        thread.setDaemon(true);
        return thread;
    });

    @BeforeEach
    void startBroker() throws IOException {
        broker = FakeBroker.start();
        broker.script(answering(0));
    }

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        broker.close();
        later.shutdownNow();
    }

    // ---- 1. pass() ----

    @Test
    void aFilterThatOnlyPassesLeavesEveryByteAsItWas() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        startProxy(named("looker", hooks -> {
            hooks.onRequest(KafkaApi.PRODUCE, (context, request) -> {
                seen.add("produce " + request.topicData().iterator().next().name() + " acks=" + request.acks()
                        + " from " + context.connection().clientId() + " in " + context.connection().virtualCluster());
                return context.pass();
            });
            hooks.onResponse(KafkaApi.METADATA, (context, response) -> {
                seen.add("metadata " + response.clusterId());
                return context.pass();
            });
        }));
        try (RawKafkaClient client = connect()) {
            for (short version : new short[] {PRODUCE_V9, PRODUCE_V11}) {
                // Large enough to reach the proxy in several reads.
                byte[] produce = produce(version, (short) 1, version, 300_000, "orders", 0, 1);
                client.send(produce);

                assertArrayEquals(produce, broker.nextRequest().frame(), "the broker got other bytes than sent");
                assertArrayEquals(brokerSent.poll(5, TimeUnit.SECONDS), client.readFrame(),
                        "produce v" + version + " answer changed on its way");
            }
            byte[] metadata = metadataRequest(20, "orders");
            client.send(metadata);
            assertArrayEquals(metadata, broker.nextRequest().frame());
            // No brokers in the answer, so the address rewriter leaves it as it is too.
            assertArrayEquals(brokerSent.poll(5, TimeUnit.SECONDS), client.readFrame(), "metadata answer changed");
        }
        assertEquals(List.of("produce orders acks=1 from client in " + CLUSTER, "produce orders acks=1 from client in "
                + CLUSTER, "metadata fake"), seen);
    }

    // ---- 2. forward(changed) ----

    @Test
    void changesToRequestsReachTheBrokerAndChangesToResponsesReachTheClient() throws Exception {
        AtomicReference<Map<Errors, Integer>> errorCounts = new AtomicReference<>();
        startProxy(named("changer", hooks -> {
            hooks.onRequest(KafkaApi.METADATA, (context, request) -> {
                request.setTopics(new ArrayList<>(List.of(new MetadataRequestTopic().setName("renamed"))));
                request.setAllowAutoTopicCreation(false);
                return context.forward(request);
            });
            hooks.onResponse(KafkaApi.METADATA, (context, response) -> context.forward(
                    response.setClusterId("changed-" + response.clusterId()).setThrottleTimeMs(42)));
            hooks.onRequest(KafkaApi.PRODUCE, (context, request) -> context.forward(request.setTimeoutMs(4242)));
            hooks.onResponse(KafkaApi.PRODUCE, (context, response) -> {
                errorCounts.set(context.errorCounts());
                response.responses().forEach(topic -> topic.partitionResponses()
                        .forEach(partition -> partition.setBaseOffset(partition.baseOffset() + 1000)));
                return context.forward(response.setThrottleTimeMs(77));
            });
        }));
        try (RawKafkaClient client = connect()) {
            client.send(metadataRequest(1, "original"));

            MetadataRequestData atBroker = metadataAt(broker.nextRequest());
            assertEquals(List.of("renamed"), atBroker.topics().stream().map(MetadataRequestTopic::name).toList());
            assertFalse(atBroker.allowAutoTopicCreation());
            byte[] answer = client.readFrame();
            assertEquals(1, correlationId(answer));
            MetadataResponseData metadata = body(answer, ApiKeys.METADATA, METADATA_VERSION);
            assertEquals("changed-fake", metadata.clusterId());
            assertEquals(42, metadata.throttleTimeMs());
            assertEquals(Set.of("renamed"), topicNames(metadata));

            byte[] produce = produce(PRODUCE_V9, (short) -1, 2, 1000, "orders", 3);
            client.send(produce);

            FakeBroker.Request received = broker.nextRequest();
            ProduceRequestData produceAtBroker = produceAt(received);
            assertEquals(4242, produceAtBroker.timeoutMs());
            assertEquals(-1, produceAtBroker.acks());
            assertEquals(recordsOf(produceAt(produce)), recordsOf(produceAtBroker), "the records changed");
            ProduceResponseData produced = body(client.readFrame(), ApiKeys.PRODUCE, PRODUCE_V9);
            assertEquals(77, produced.throttleTimeMs());
            assertEquals(Map.of(Errors.NONE, 1), errorCounts.get());
            assertEquals(1103, produced.responses().find("orders", org.apache.kafka.common.Uuid.ZERO_UUID)
                    .partitionResponses().get(0).baseOffset());
        }
    }

    // ---- 3. Unfiltered APIs on a filtered connection ----

    @Test
    void apisNoFilterAskedForPassByteIdenticalBesideAFilteredOne() throws Exception {
        startProxy(named("metadata-only", hooks -> {
            hooks.onRequest(KafkaApi.METADATA, (context, request) -> context.forward(
                    request.setTopics(new ArrayList<>(List.of(new MetadataRequestTopic().setName("changed"))))));
            hooks.onResponse(KafkaApi.METADATA, (context, response) -> context.forward(response.setClusterId("x")));
        }));
        try (RawKafkaClient client = connect()) {
            byte[] heartbeat1 = heartbeat(1);
            byte[] produce3 = produce(PRODUCE_V9, (short) 1, 3, 50_000, "orders", 0);
            byte[] heartbeat4 = heartbeat(4);
            client.send(heartbeat1, metadataRequest(2, "asked"), produce3, heartbeat4);

            assertArrayEquals(heartbeat1, broker.nextRequest().frame());
            assertEquals(Set.of("changed"), requestedTopics(metadataAt(broker.nextRequest())));
            assertArrayEquals(produce3, broker.nextRequest().frame());
            assertArrayEquals(heartbeat4, broker.nextRequest().frame());

            List<byte[]> sent = takeBrokerAnswers(4);
            assertArrayEquals(sent.get(0), client.readFrame());
            MetadataResponseData metadata = body(client.readFrame(), ApiKeys.METADATA, METADATA_VERSION);
            assertEquals("x", metadata.clusterId());
            assertArrayEquals(sent.get(2), client.readFrame());
            assertArrayEquals(sent.get(3), client.readFrame());
        }
    }

    // ---- 4. respond() ----

    /**
     * A hook that answers at once does so while the proxy handles the client's read; the answer must still be flushed
     * to the client, not left in the channel until some broker answer happens to flush it. (Tests that need a local
     * answer but are about something else send a forwarded heartbeat behind it, whose answer flushes both.)
     */
    @Test
    void aLocalAnswerReachesTheClientAndTheRequestNeverReachesTheBroker() throws Exception {
        startProxy(named("answerer", hooks -> hooks.onRequest(KafkaApi.METADATA, (context, request) ->
                context.respond(new MetadataResponseData().setClusterId("local").setControllerId(7)))));
        try (RawKafkaClient client = connect()) {
            client.send(metadataRequest(11, "t"));

            byte[] answer = client.readFrame();
            assertEquals(11, correlationId(answer));
            MetadataResponseData metadata = body(answer, ApiKeys.METADATA, METADATA_VERSION);
            assertEquals("local", metadata.clusterId());
            assertEquals(7, metadata.controllerId());

            // The next forwarded request is the first the broker sees.
            assertRoundTrip(client, 12);
            assertEquals(List.of(12), correlationIdsAtBroker());
        }
    }

    @Test
    void aLocalAnswerWaitsForTheBrokersAnswerToAnEarlierRequest() throws Exception {
        broker.script(answering(300));
        startProxy(named("answerer", hooks -> hooks.onRequest(KafkaApi.METADATA, (context, request) ->
                context.respond(new MetadataResponseData().setClusterId("local")))));
        try (RawKafkaClient client = connect()) {
            byte[] heartbeat = heartbeat(1);
            client.send(heartbeat, metadataRequest(2, "t"));

            assertArrayEquals(echoOf(heartbeat), client.readFrame());
            byte[] local = client.readFrame();
            assertEquals(2, correlationId(local));
            assertEquals("local", ((MetadataResponseData) body(local, ApiKeys.METADATA, METADATA_VERSION))
                    .clusterId());
            assertEquals(List.of(1), correlationIdsAtBroker());
        }
    }

    // ---- 5. respondWithError() ----

    @Test
    void respondWithErrorAnswersEveryPartitionOfAProduceWithThatError() throws Exception {
        startProxy(named("deny", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) ->
                context.respondWithError(Errors.TOPIC_AUTHORIZATION_FAILED, "not yours"))));
        try (RawKafkaClient client = connect()) {
            Map<String, int[]> partitions = new LinkedHashMap<>();
            partitions.put("a", new int[] {0, 1, 2});
            partitions.put("b", new int[] {5});
            client.send(produce(PRODUCE_V11, (short) -1, 5, 100, partitions));

            byte[] answer = client.readFrame();
            assertEquals(5, correlationId(answer));
            ProduceResponseData produced = body(answer, ApiKeys.PRODUCE, PRODUCE_V11);
            Set<String> answered = new TreeSet<>();
            for (TopicProduceResponse topic : produced.responses()) {
                for (PartitionProduceResponse partition : topic.partitionResponses()) {
                    answered.add(topic.name() + "-" + partition.index());
                    assertEquals(Errors.TOPIC_AUTHORIZATION_FAILED.code(), partition.errorCode());
                    assertEquals("not yours", partition.errorMessage());
                }
            }
            assertEquals(new TreeSet<>(List.of("a-0", "a-1", "a-2", "b-5")), answered);

            assertRoundTrip(client, 6);
            assertEquals(List.of(6), correlationIdsAtBroker());
        }
    }

    // ---- 6. Asynchronous request hooks ----

    @Test
    void aRequestBehindOneAFilterWorksOnReachesTheBrokerAfterIt() throws Exception {
        startProxy(named("slow", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) ->
                after(300, context::pass))));
        try (RawKafkaClient client = connect()) {
            long sentAt = System.nanoTime();
            client.send(produce(PRODUCE_V9, (short) 1, 1, 100, "orders", 0), heartbeat(2));

            FakeBroker.Request first = broker.nextRequest();
            assertEquals(1, first.correlationId(), "the broker got request 2 while request 1 was still filtered");
            assertTrue(System.nanoTime() - sentAt >= TimeUnit.MILLISECONDS.toNanos(250),
                    "request 1 reached the broker before its hook completed");
            assertEquals(2, broker.nextRequest().correlationId());
            assertEquals(1, client.readCorrelationId());
            assertEquals(2, client.readCorrelationId());
        }
    }

    /**
     * {@link Filter}: "For one connection, hooks are called one at a time, in the order the requests and responses
     * travel." F1 takes its time with request 1 and none with request 2; F2 must still see 1 before 2.
     */
    @Test
    void aLaterFilterSeesRequestsInTheOrderTheyArrived() throws Exception {
        List<Integer> secondSaw = new CopyOnWriteArrayList<>();
        startProxy(
                named("first", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) ->
                        context.header().correlationId() == 1 ? after(300, context::pass) : context.pass())),
                named("second", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) -> {
                    secondSaw.add(context.header().correlationId());
                    return context.pass();
                })));
        try (RawKafkaClient client = connect()) {
            client.send(produce(PRODUCE_V9, (short) 1, 1, 100, "orders", 0),
                    produce(PRODUCE_V9, (short) 1, 2, 100, "orders", 0));

            assertEquals(1, client.readCorrelationId());
            assertEquals(2, client.readCorrelationId());
            assertEquals(List.of(1, 2), correlationIdsAtBroker());
            assertEquals(List.of(1, 2), secondSaw, "filter 'second' saw the requests out of order");
        }
    }

    /** The same promise for responses: F2 (nearer the broker) takes its time with response 1; F1 must see 1 first. */
    @Test
    void anEarlierFilterSeesResponsesInRequestOrder() throws Exception {
        List<Integer> firstSaw = new CopyOnWriteArrayList<>();
        startProxy(
                named("first", hooks -> hooks.onResponse(KafkaApi.PRODUCE, (context, response) -> {
                    firstSaw.add(context.header().correlationId());
                    return context.pass();
                })),
                named("second", hooks -> hooks.onResponse(KafkaApi.PRODUCE, (context, response) ->
                        context.header().correlationId() == 1 ? after(300, context::pass) : context.pass())));
        try (RawKafkaClient client = connect()) {
            client.send(produce(PRODUCE_V9, (short) 1, 1, 100, "orders", 0),
                    produce(PRODUCE_V9, (short) 1, 2, 100, "orders", 0));

            assertEquals(1, client.readCorrelationId());
            assertEquals(2, client.readCorrelationId());
            assertEquals(List.of(1, 2), firstSaw, "filter 'first' saw the responses out of order");
        }
    }

    // ---- 7. Failing request hooks ----

    @ParameterizedTest(name = "a request hook that {0}")
    @ValueSource(strings = {"throws", "fails", "fails-later", "hangs"})
    void aFailingRequestHookAnswersWithUnknownServerErrorAndTheConnectionLivesOn(String failure) throws Exception {
        startProxy(named("faulty", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) ->
                misbehave(request.topicData().iterator().next().name(), context::pass))));
        try (RawKafkaClient client = connect(); RawKafkaClient bystander = connect()) {
            assertRoundTrip(bystander, 1);
            assertRoundTrip(client, 1);

            client.send(produce(PRODUCE_V11, (short) 1, 2, 100, Map.of(failure, new int[] {0, 1})));
            // The other connection is served while this one's hook fails (or hangs).
            assertRoundTrip(bystander, 2);

            byte[] answer = client.readFrame();
            assertEquals(2, correlationId(answer));
            ProduceResponseData produced = body(answer, ApiKeys.PRODUCE, PRODUCE_V11);
            assertEquals(2, produced.responses().find(failure, org.apache.kafka.common.Uuid.ZERO_UUID)
                    .partitionResponses().size());
            produced.responses().forEach(topic -> topic.partitionResponses().forEach(partition ->
                    assertEquals(Errors.UNKNOWN_SERVER_ERROR.code(), partition.errorCode())));

            assertRoundTrip(client, 3);
            assertRoundTrip(bystander, 3);
            assertEquals(1.0, failures("faulty", "request"));
            assertEquals(0.0, failures("faulty", "response"));
            // The failed request never reached the broker.
            assertEquals(List.of(1, 1, 2, 3, 3), sorted(correlationIdsAtBroker()));
        }
    }

    /**
     * {@link io.kanal.proxy.filter.RequestHook}: "A hook that throws ... fails the request: the client receives the
     * API's error response". An {@link Error} is thrown too (a plugin missing a class throws NoClassDefFoundError),
     * and a hook that returns no stage at all is as broken as one whose stage completes with null, which the engine
     * does treat as a failure. The heartbeat behind the produce only makes the proxy flush (see
     * aLocalAnswerReachesTheClient...), so this test is about the failure handling alone.
     */
    @ParameterizedTest(name = "a request hook that {0}")
    @ValueSource(strings = {"throws-error", "returns-null"})
    void aRequestHookThatThrowsAnErrorOrReturnsNoStageFailsOnlyItsRequest(String failure) throws Exception {
        startProxy(named("faulty", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) ->
                misbehave(request.topicData().iterator().next().name(), context::pass))));
        try (RawKafkaClient client = connect()) {
            client.send(produce(PRODUCE_V11, (short) 1, 1, 100, failure, 0), heartbeat(2));

            byte[] answer = client.readFrame();
            assertEquals(1, correlationId(answer));
            ProduceResponseData produced = body(answer, ApiKeys.PRODUCE, PRODUCE_V11);
            assertEquals(Errors.UNKNOWN_SERVER_ERROR.code(),
                    produced.responses().iterator().next().partitionResponses().get(0).errorCode());
            assertEquals(2, client.readCorrelationId());
            assertEquals(1.0, failures("faulty", "request"));
        }
    }

    /**
     * Once a connection closes, its queued request frames are released; a request whose first hook was still at work
     * must not go on to the next filter, whose hook would get a body whose records are views of released (and
     * possibly reused) pooled memory. The broker going away closes the connection for good (a client hanging up does
     * not: what it sent is still forwarded).
     */
    @Test
    void noHookRunsForARequestOfAConnectionThatHasClosed() throws Exception {
        CountDownLatch firstCalled = new CountDownLatch(1);
        List<Integer> secondSaw = new CopyOnWriteArrayList<>();
        startProxy(
                named("first", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) -> {
                    firstCalled.countDown();
                    return after(300, context::pass);
                })),
                named("second", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) -> {
                    secondSaw.add(context.header().correlationId());
                    return context.pass();
                })));
        try (RawKafkaClient client = connect()) {
            client.send(produce(PRODUCE_V9, (short) 1, 1, 10_000, "orders", 0));
            assertTrue(firstCalled.await(5, TimeUnit.SECONDS), "the first filter never saw the request");
            broker.close();
            client.assertClosedByProxy();
        }
        awaitActiveClientConnections(0.0);
        Thread.sleep(600);

        assertEquals(List.of(), secondSaw, "a hook ran for a request of a closed connection");
    }

    /**
     * A graceful close waits for outstanding requests; an acks=0 produce a filter is working on is outstanding until
     * the filter is done, and then nothing is: the connection must close then, not at the end of the grace period.
     */
    @Test
    void aGracefulCloseEndsOnceAFilteredAcks0ProduceIsForwarded() throws Exception {
        CountDownLatch hookCalled = new CountDownLatch(1);
        startProxy(named("slow", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) -> {
            hookCalled.countDown();
            return after(300, context::pass);
        })));
        try (RawKafkaClient client = connect()) {
            assertRoundTrip(client, 1);
            client.send(produce(PRODUCE_V9, (short) 0, 2, 100, "orders", 0));
            assertTrue(hookCalled.await(5, TimeUnit.SECONDS));

            long start = System.nanoTime();
            Thread closer = new Thread(proxy::close, "proxy-close");
            closer.start();
            client.assertClosedByProxy();
            closer.join(TimeUnit.SECONDS.toMillis(10));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertFalse(closer.isAlive(), "close() did not return");
            assertTrue(tookMillis < 2_000, "close() took " + tookMillis + " ms of its 5000 ms grace period");
            assertEquals(List.of(1, 2), correlationIdsAtBroker());
        }
    }

    /**
     * A broker processes every request it received whole, even from a client that hung up right after sending it;
     * so must the proxy, also while a filter still works on the request.
     */
    @Test
    void requestsStillInAFilterWhenTheClientHangsUpAreForwarded() throws Exception {
        CountDownLatch hookCalled = new CountDownLatch(1);
        startProxy(named("slow", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) -> {
            hookCalled.countDown();
            return after(300, context::pass);
        })));
        try (RawKafkaClient client = connect()) {
            assertRoundTrip(client, 1);
            client.send(produce(PRODUCE_V9, (short) 0, 2, 100, "orders", 0));
            client.send(produce(PRODUCE_V9, (short) 0, 3, 100, "orders", 0));
            assertTrue(hookCalled.await(5, TimeUnit.SECONDS));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (correlationIdsAtBroker().size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of(1, 2, 3), correlationIdsAtBroker());
    }

    // ---- 8. Failing response hooks ----

    @ParameterizedTest(name = "a response hook that {0}")
    @ValueSource(strings = {"throws", "fails", "fails-later", "hangs"})
    void aFailingResponseHookClosesOnlyItsConnection(String failure) throws Exception {
        startProxy(named("faulty", hooks -> hooks.onResponse(KafkaApi.METADATA, (context, response) ->
                misbehave(response.topics().iterator().next().name(), context::pass))));
        try (RawKafkaClient client = connect(); RawKafkaClient bystander = connect()) {
            assertRoundTrip(client, 1);
            assertRoundTrip(bystander, 1);

            client.send(metadataRequest(2, failure));
            client.assertClosedByProxy();

            bystander.send(metadataRequest(2, "fine"));
            byte[] answer = bystander.readFrame();
            assertEquals(2, correlationId(answer));
            assertEquals(Set.of("fine"), topicNames(body(answer, ApiKeys.METADATA, METADATA_VERSION)));
            assertRoundTrip(bystander, 3);
            assertEquals(1.0, failures("faulty", "response"));
        }
        try (RawKafkaClient newcomer = connect()) {
            assertRoundTrip(newcomer, 1);
        }
    }

    // ---- 9. forward(request, onResponse) ----

    @Test
    void anInterceptorSeesExactlyItsOwnRequestsResponseAndCanChangeIt() throws Exception {
        List<String> intercepted = new CopyOnWriteArrayList<>();
        startProxy(named("watcher", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) -> {
            if (!request.topicData().iterator().next().name().equals("watched")) {
                return context.pass();
            }
            return context.forward(request, (responseContext, response) -> {
                intercepted.add(responseContext.header().correlationId() + ":"
                        + response.responses().iterator().next().name());
                return responseContext.forward(response.setThrottleTimeMs(99));
            });
        })));
        try (RawKafkaClient client = connect()) {
            client.send(produce(PRODUCE_V9, (short) 1, 1, 100, "plain", 0),
                    produce(PRODUCE_V9, (short) 1, 2, 100, "watched", 0),
                    produce(PRODUCE_V9, (short) 1, 3, 100, "plain", 0));

            List<byte[]> sent = takeBrokerAnswers(3);
            assertArrayEquals(sent.get(0), client.readFrame());
            byte[] watched = client.readFrame();
            assertEquals(2, correlationId(watched));
            assertEquals(99, ((ProduceResponseData) body(watched, ApiKeys.PRODUCE, PRODUCE_V9)).throttleTimeMs());
            assertArrayEquals(sent.get(2), client.readFrame());

            // Each request's own interceptor only: a second watched request gets its own.
            client.send(produce(PRODUCE_V9, (short) 1, 4, 100, "watched", 0));
            assertEquals(4, client.readCorrelationId());
            assertEquals(List.of("2:watched", "4:watched"), intercepted);
        }
    }

    // ---- 10. Chain order ----

    @Test
    void requestsPassTheChainForwardsAndResponsesBackwards() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        AtomicReference<String> f1SawCluster = new AtomicReference<>();
        startProxy(
                named("F1", hooks -> {
                    hooks.onRequest(KafkaApi.METADATA, (context, request) -> {
                        log.add("F1 request");
                        return context.forward(request, (responseContext, response) -> {
                            log.add("F1 interceptor");
                            return responseContext.pass();
                        });
                    });
                    hooks.onResponse(KafkaApi.METADATA, (context, response) -> {
                        log.add("F1 response");
                        f1SawCluster.set(response.clusterId());
                        return context.forward(response.setClusterId(response.clusterId() + "+F1"));
                    });
                }),
                named("F2", hooks -> {
                    hooks.onRequest(KafkaApi.METADATA, (context, request) -> {
                        log.add("F2 request");
                        return request.topics().get(0).name().equals("local")
                                ? context.respond(new MetadataResponseData().setClusterId("from-F2"))
                                : context.pass();
                    });
                    hooks.onResponse(KafkaApi.METADATA, (context, response) -> {
                        log.add("F2 response");
                        return context.pass();
                    });
                }));
        try (RawKafkaClient client = connect()) {
            client.send(metadataRequest(1, "remote"));
            MetadataResponseData remote = body(client.readFrame(), ApiKeys.METADATA, METADATA_VERSION);
            assertEquals("fake+F1", remote.clusterId());
            assertEquals(List.of("F1 request", "F2 request", "F2 response", "F1 interceptor", "F1 response"), log);

            log.clear();
            // The heartbeat behind it only makes the proxy flush: see aLocalAnswerReachesTheClient... for why.
            byte[] heartbeat = heartbeat(3);
            client.send(metadataRequest(2, "local"), heartbeat);
            byte[] answer = client.readFrame();
            assertEquals(2, correlationId(answer));
            assertEquals("from-F2+F1", ((MetadataResponseData) body(answer, ApiKeys.METADATA, METADATA_VERSION))
                    .clusterId());
            assertArrayEquals(echoOf(heartbeat), client.readFrame());
            assertEquals("from-F2", f1SawCluster.get());
            assertEquals(List.of("F1 request", "F2 request", "F1 interceptor", "F1 response"), log);
            assertEquals(List.of(1, 3), correlationIdsAtBroker());
        }
    }

    // ---- 11. Out-of-band requests ----

    @Test
    void anOutOfBandRequestIsAnsweredToTheFilterAndNeverSeenByTheClient() throws Exception {
        AtomicReference<MetadataResponseData> outOfBandAnswer = new AtomicReference<>();
        startProxy(named("asker", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) ->
                context.sendRequest(KafkaApi.METADATA, METADATA_VERSION, new MetadataRequestData()
                                .setTopics(new ArrayList<>(List.of(new MetadataRequestTopic().setName("looked-up")))))
                        .thenCompose(metadata -> {
                            outOfBandAnswer.set(metadata);
                            return context.pass();
                        }))));
        try (RawKafkaClient client = connect()) {
            byte[] produce = produce(PRODUCE_V9, (short) 1, 7, 100, "orders", 0);
            byte[] heartbeat = heartbeat(8);
            client.send(produce, heartbeat);

            FakeBroker.Request outOfBand = broker.nextRequest();
            assertEquals(ApiKeys.METADATA, outOfBand.api());
            assertEquals(METADATA_VERSION, outOfBand.apiVersion());
            assertTrue(outOfBand.correlationId() < 0, "out-of-band correlation id " + outOfBand.correlationId());
            assertEquals("kanal", headerOf(outOfBand).clientId());
            assertEquals(Set.of("looked-up"), requestedTopics(metadataAt(outOfBand)));
            assertArrayEquals(produce, broker.nextRequest().frame());
            assertArrayEquals(heartbeat, broker.nextRequest().frame());

            List<byte[]> sent = takeBrokerAnswers(3);
            assertArrayEquals(sent.get(1), client.readFrame(), "the client got something else than its answer");
            assertArrayEquals(sent.get(2), client.readFrame());
            // Had the out-of-band answer leaked to the client, it would come before this.
            assertRoundTrip(client, 9);

            assertNotNull(outOfBandAnswer.get());
            assertEquals("fake", outOfBandAnswer.get().clusterId());
            assertEquals(Set.of("looked-up"), topicNames(outOfBandAnswer.get()));
        }
    }

    // ---- 12. closeConnection() ----

    @Test
    void closeConnectionFromARequestHookClosesTheClientAndForwardsNothing() throws Exception {
        startProxy(named("bouncer", hooks -> hooks.onRequest(KafkaApi.METADATA, (context, request) ->
                context.closeConnection())));
        try (RawKafkaClient client = connect(); RawKafkaClient bystander = connect()) {
            client.send(metadataRequest(1, "t"), heartbeat(2));

            client.assertClosedByProxy();
            Thread.sleep(200);
            assertEquals(List.of(), broker.pendingRequests(), "something was forwarded");
            assertRoundTrip(bystander, 3);
        }
    }

    // ---- 13. acks=0 ----

    @Test
    void anAcks0ProduceAnsweredLocallyGetsNoAnswerAndLaterAnswersStillMatch() throws Exception {
        AtomicInteger hookCalls = new AtomicInteger();
        startProxy(named("swallow", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) -> {
            hookCalls.incrementAndGet();
            return context.expectsResponse() ? context.pass() : context.respond(new ProduceResponseData());
        })));
        try (RawKafkaClient client = connect()) {
            client.send(produce(PRODUCE_V9, (short) 0, 1, 100, "orders", 0), heartbeat(2),
                    produce(PRODUCE_V9, (short) 0, 3, 100, "orders", 0), produce(PRODUCE_V9, (short) 1, 4, 100,
                            "orders", 0));

            assertEquals(2, client.readCorrelationId());
            assertEquals(4, client.readCorrelationId());
            assertRoundTrip(client, 5);
            assertEquals(List.of(2, 4, 5), correlationIdsAtBroker());
            assertEquals(3, hookCalls.get());
        }
    }

    @Test
    void anAcks0ProduceRefusedWithAnErrorGetsNoAnswerAndTheConnectionLivesOn() throws Exception {
        startProxy(named("deny", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) ->
                context.respondWithError(Errors.TOPIC_AUTHORIZATION_FAILED, "not yours"))));
        try (RawKafkaClient client = connect()) {
            client.send(produce(PRODUCE_V9, (short) 0, 1, 100, "orders", 0), heartbeat(2));

            assertEquals(2, client.readCorrelationId());
            assertRoundTrip(client, 3);
            assertEquals(List.of(2, 3), correlationIdsAtBroker());
        }
    }

    @ParameterizedTest(name = "an acks=0 produce whose hook {0}")
    @ValueSource(strings = {"throws", "fails", "fails-later", "hangs"})
    void anAcks0ProduceWhoseHookFailsGetsNoAnswerAndTheConnectionLivesOn(String failure) throws Exception {
        startProxy(named("faulty", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) ->
                misbehave(request.topicData().iterator().next().name(), context::pass))));
        try (RawKafkaClient client = connect()) {
            client.send(produce(PRODUCE_V9, (short) 0, 1, 100, failure, 0), heartbeat(2));

            assertEquals(2, client.readCorrelationId());
            assertRoundTrip(client, 3);
            assertEquals(List.of(2, 3), correlationIdsAtBroker());
            assertEquals(1.0, failures("faulty", "request"));
        }
    }

    // ---- 14. Metrics ----

    @Test
    void metricsCountRequestsResponsesBytesConnectionsAndHookCalls() throws Exception {
        startProxy(named("counted", hooks -> hooks.onRequest(KafkaApi.PRODUCE, (context, request) ->
                context.pass())));
        int requests = 5;
        long bytesSent = 0;
        try (RawKafkaClient client = connect()) {
            // The proxy counts the connection once it has accepted it, a moment after the client's connect returns.
            awaitActiveClientConnections(1.0);
            for (int id = 1; id <= requests; id++) {
                byte[] produce = produce(PRODUCE_V9, (short) 1, id, 100 * id, "orders", 0);
                bytesSent += produce.length;
                client.send(produce);
                assertEquals(id, client.readCorrelationId());
            }
            assertEquals(requests, registry.get("kanal.requests").tag("virtual_cluster", CLUSTER)
                    .tag("api", ApiKeys.PRODUCE.name).counter().count());
            assertEquals(requests, registry.get("kanal.responses").tag("virtual_cluster", CLUSTER)
                    .tag("api", ApiKeys.PRODUCE.name).counter().count());
            assertEquals(bytesSent, registry.get("kanal.request.bytes").tag("virtual_cluster", CLUSTER)
                    .tag("api", ApiKeys.PRODUCE.name).counter().count());
            assertEquals(requests, registry.get("kanal.filter.duration").tag("virtual_cluster", CLUSTER)
                    .tag("filter", "counted").tag("stage", "request").timer().count());
            assertEquals(0, registry.get("kanal.filter.duration").tag("filter", "counted").tag("stage", "response")
                    .timer().count());
            assertEquals(0.0, failures("counted", "request"));
        }
        awaitActiveClientConnections(0.0);
    }

    private void awaitActiveClientConnections(double expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (activeClientConnections() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, activeClientConnections(), "kanal.connections.active{side=client}");
    }

    // ---- 15. Leaks ----

    @Test
    void everyFilterOutcomeLeaksNothing() throws Exception {
        try (LeakWatch watch = new LeakWatch()) {
            startProxy(named("everything", hooks -> {
                hooks.onRequest(KafkaApi.PRODUCE, (context, request) -> {
                    String topic = request.topicData().iterator().next().name();
                    return switch (topic) {
                        case "pass" -> context.pass();
                        case "change" -> context.forward(request.setTimeoutMs(1234));
                        case "respond" -> context.respond(new ProduceResponseData().setThrottleTimeMs(1));
                        case "deny" -> context.respondWithError(Errors.TOPIC_AUTHORIZATION_FAILED, "no");
                        case "intercept" -> context.forward(request, (responseContext, response) ->
                                responseContext.forward(response.setThrottleTimeMs(5)));
                        case "out-of-band" -> context.sendRequest(KafkaApi.METADATA, METADATA_VERSION,
                                new MetadataRequestData()).thenCompose(ignored -> context.pass());
                        case "slow" -> after(50, context::pass);
                        case "close" -> context.closeConnection();
                        default -> misbehave(topic, context::pass);
                    };
                });
                hooks.onResponse(KafkaApi.METADATA, (context, response) -> response.topics().isEmpty()
                        ? context.pass()
                        : misbehave(response.topics().iterator().next().name(), context::pass));
            }), Duration.ofMillis(300));
            try (RawKafkaClient client = connect()) {
                int id = 0;
                List<String> unanswerable = List.of("pass", "change", "respond", "intercept", "out-of-band", "slow");
                for (String topic : List.of("pass", "change", "respond", "deny", "intercept", "out-of-band", "slow",
                        "throws", "fails", "fails-later", "hangs")) {
                    // Each followed by a forwarded heartbeat, whose answer makes the proxy flush what a hook answered
                    // synchronously (see aLocalAnswerReachesTheClient...): this test is about buffers, not flushing.
                    client.send(produce(PRODUCE_V11, (short) 1, ++id, 20_000, topic, 0, 1), heartbeat(++id));
                    assertEquals(id - 1, client.readCorrelationId(), topic);
                    assertEquals(id, client.readCorrelationId(), topic);
                    if (unanswerable.contains(topic)) {
                        // acks=0 too; failing hooks on acks=0 have tests of their own.
                        client.send(produce(PRODUCE_V11, (short) 0, ++id, 20_000, topic, 0, 1));
                    }
                }
                assertRoundTrip(client, ++id);
            }
            for (String failure : List.of("throws", "hangs")) {
                try (RawKafkaClient client = connect()) {
                    client.send(metadataRequest(1, failure));
                    client.assertClosedByProxy();
                }
            }
            try (RawKafkaClient client = connect()) {
                client.send(produce(PRODUCE_V11, (short) 1, 1, 20_000, "close", 0));
                client.assertClosedByProxy();
            }
            // Leaving with a request still in a hook and answers on their way.
            try (RawKafkaClient client = connect()) {
                client.send(produce(PRODUCE_V11, (short) 1, 1, 20_000, "slow", 0),
                        produce(PRODUCE_V11, (short) 1, 2, 20_000, "hangs", 0), heartbeat(3));
            }
            Thread.sleep(500);

            assertEquals(List.of(), watch.leaks(LEAK_PATIENCE));
        }
    }

    // ---- Filters ----

    private static NamedFilter named(String name, Filter filter) {
        return new NamedFilter(name, filter);
    }

    /** Misbehaves as {@code how} says, or does {@code otherwise} for any other word. */
    private <T> CompletionStage<T> misbehave(String how, Supplier<CompletionStage<T>> otherwise) {
        return switch (how) {
            case "throws" -> throw new IllegalStateException("the hook threw");
            case "fails" -> CompletableFuture.failedFuture(new IllegalStateException("the hook failed"));
            case "fails-later" -> {
                CompletableFuture<T> failing = new CompletableFuture<>();
                later.schedule(() -> failing.completeExceptionally(new IllegalStateException("failed later")), 50,
                        TimeUnit.MILLISECONDS);
                yield failing;
            }
            case "hangs" -> new CompletableFuture<>();
            case "throws-error" -> throw new NoClassDefFoundError("a class the filter's plugin jar lacks");
            case "returns-null" -> null;
            default -> otherwise.get();
        };
    }

    /** The action {@code action} makes, delivered on another thread after {@code millis}. */
    private <T> CompletionStage<T> after(long millis, Supplier<CompletionStage<T>> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        later.schedule(() -> action.get().whenComplete((value, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(value);
            }
        }), millis, TimeUnit.MILLISECONDS);
        return result;
    }

    // ---- The broker ----

    /** Answers Produce and Metadata as a broker would, echoes everything else; delays heartbeats by {@code millis}. */
    private FakeBroker.Script answering(long heartbeatDelayMillis) {
        return (request, peer) -> {
            if (request.api() == ApiKeys.HEARTBEAT && heartbeatDelayMillis > 0) {
                Thread.sleep(heartbeatDelayMillis);
            }
            byte[] answer = answerTo(request);
            if (answer != null) {
                brokerSent.add(answer);
                peer.send(answer);
            }
        };
    }

    private static byte[] answerTo(FakeBroker.Request request) {
        switch (request.api()) {
            case PRODUCE -> {
                ProduceRequestData produce = produceAt(request);
                if (produce.acks() == 0) {
                    return null;
                }
                ProduceResponseData answer = new ProduceResponseData();
                for (TopicProduceData topic : produce.topicData()) {
                    TopicProduceResponse topicAnswer = new TopicProduceResponse().setName(topic.name());
                    for (PartitionProduceData partition : topic.partitionData()) {
                        topicAnswer.partitionResponses().add(new PartitionProduceResponse()
                                .setIndex(partition.index()).setBaseOffset(100 + partition.index()));
                    }
                    answer.responses().add(topicAnswer);
                }
                return response(ApiKeys.PRODUCE, request.apiVersion(), request.correlationId(), answer);
            }
            case METADATA -> {
                MetadataResponseTopicCollection topics = new MetadataResponseTopicCollection();
                MetadataRequestData asked = metadataAt(request);
                if (asked.topics() != null) {
                    asked.topics().forEach(topic -> topics.add(new MetadataResponseTopic().setName(topic.name())));
                }
                // No brokers: the address rewriter then has nothing to change.
                return response(ApiKeys.METADATA, request.apiVersion(), request.correlationId(),
                        new MetadataResponseData().setClusterId("fake").setControllerId(0).setTopics(topics));
            }
            default -> {
                return echoOf(request.frame());
            }
        }
    }

    private List<byte[]> takeBrokerAnswers(int count) throws InterruptedException {
        List<byte[]> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] answer = brokerSent.poll(RawKafkaClient.READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(answer, "the broker sent only " + i + " answers");
            answers.add(answer);
        }
        return answers;
    }

    /** The correlation ids of every request the broker has received and the test not yet taken, in order. */
    private List<Integer> correlationIdsAtBroker() {
        List<Integer> ids = new ArrayList<>();
        for (FakeBroker.Request request : broker.pendingRequests()) {
            ids.add(request.correlationId());
        }
        return ids;
    }

    // ---- The proxy ----

    private void startProxy(NamedFilter... filters) {
        startProxy(List.of(filters), FILTER_TIMEOUT);
    }

    private void startProxy(NamedFilter filter, Duration filterTimeout) {
        startProxy(List.of(filter), filterTimeout);
    }

    private void startProxy(List<NamedFilter> filters, Duration filterTimeout) {
        registry = new SimpleMeterRegistry();
        for (int attempt = 1; ; attempt++) {
            bootstrapPort = FreePorts.consecutive(5);
            VirtualClusterConfig cluster = new VirtualClusterConfig(CLUSTER, new HostPort("127.0.0.1", bootstrapPort),
                    "127.0.0.1", new NodeIdRange(0, 3), List.of(broker.address()), filters);
            try {
                proxy = ProxyServer.start(new ProxyConfig(List.of(cluster), MAX_FRAME_BYTES, Duration.ofSeconds(5),
                        Duration.ofSeconds(5), filterTimeout), registry);
                return;
            } catch (ProxyStartException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private RawKafkaClient connect() throws IOException {
        return RawKafkaClient.connect(bootstrapPort);
    }

    private double failures(String filter, String stage) {
        return registry.get("kanal.filter.failures").tag("virtual_cluster", CLUSTER).tag("filter", filter)
                .tag("stage", stage).counter().count();
    }

    private double activeClientConnections() {
        return registry.get("kanal.connections.active").tag("virtual_cluster", CLUSTER).tag("side", "client")
                .gauge().value();
    }

    /** Sends a heartbeat and checks its echo comes back unchanged: proof the connection still works, in order. */
    private static void assertRoundTrip(RawKafkaClient client, int correlationId) throws IOException {
        byte[] heartbeat = heartbeat(correlationId);
        client.send(heartbeat);
        byte[] answer = client.readFrame();
        if (correlationId(answer) != correlationId) {
            fail("expected the answer to " + correlationId + ", got one with correlation id " + correlationId(answer));
        }
        assertArrayEquals(echoOf(heartbeat), answer);
    }

    // ---- Frames ----

    private static byte[] heartbeat(int correlationId) {
        return request(ApiKeys.HEARTBEAT, HEARTBEAT_VERSION, "client", correlationId,
                new HeartbeatRequestData().setGroupId("group").setGenerationId(3).setMemberId("member-1"));
    }

    private static byte[] metadataRequest(int correlationId, String... topics) {
        List<MetadataRequestTopic> asked = new ArrayList<>();
        for (String topic : topics) {
            asked.add(new MetadataRequestTopic().setName(topic));
        }
        return request(ApiKeys.METADATA, METADATA_VERSION, "client", correlationId,
                new MetadataRequestData().setTopics(asked).setAllowAutoTopicCreation(true));
    }

    private static byte[] produce(short version, short acks, int correlationId, int valueBytes, String topic,
                                  int... partitions) {
        return produce(version, acks, correlationId, valueBytes, Map.of(topic, partitions));
    }

    /** A produce request with one record of {@code valueBytes} random bytes for each partition named. */
    private static byte[] produce(short version, short acks, int correlationId, int valueBytes,
                                  Map<String, int[]> partitions) {
        Random random = new Random(correlationId);
        TopicProduceDataCollection topics = new TopicProduceDataCollection();
        partitions.forEach((topic, indexes) -> {
            List<PartitionProduceData> data = new ArrayList<>();
            for (int index : indexes) {
                byte[] value = new byte[valueBytes];
                random.nextBytes(value);
                data.add(new PartitionProduceData().setIndex(index)
                        .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value))));
            }
            topics.add(new TopicProduceData().setName(topic).setPartitionData(data));
        });
        return request(ApiKeys.PRODUCE, version, "client", correlationId,
                new ProduceRequestData().setAcks(acks).setTimeoutMs(1000).setTopicData(topics));
    }

    private static int correlationId(byte[] frame) {
        return ByteBuffer.wrap(frame, 4, 4).getInt();
    }

    /** A response frame's body, read past its header. */
    @SuppressWarnings("unchecked")
    private static <T extends ApiMessage> T body(byte[] frame, ApiKeys api, short version) {
        ByteBufferAccessor accessor = new ByteBufferAccessor(ByteBuffer.wrap(frame, 4, frame.length - 4).slice());
        new ResponseHeaderData(accessor, api.responseHeaderVersion(version));
        ApiMessage body = api.messageType.newResponse();
        body.read(accessor, version);
        assertEquals(0, accessor.remaining(), "bytes left after the " + api + " response");
        return (T) body;
    }

    private static RequestHeader headerOf(FakeBroker.Request request) {
        return RequestHeader.parse(ByteBuffer.wrap(request.frame(), 4, request.frame().length - 4).slice());
    }

    private static MetadataRequestData metadataAt(FakeBroker.Request request) {
        return new MetadataRequestData(new ByteBufferAccessor(request.body()), request.apiVersion());
    }

    private static ProduceRequestData produceAt(FakeBroker.Request request) {
        return new ProduceRequestData(new ByteBufferAccessor(request.body()), request.apiVersion());
    }

    private static ProduceRequestData produceAt(byte[] frame) {
        return produceAt(new FakeBroker.Request(frame));
    }

    private static List<ByteBuffer> recordsOf(ProduceRequestData produce) {
        List<ByteBuffer> records = new ArrayList<>();
        produce.topicData().forEach(topic -> topic.partitionData().forEach(partition ->
                records.add(((MemoryRecords) partition.records()).buffer())));
        return records;
    }

    private static Set<String> topicNames(MetadataResponseData metadata) {
        Set<String> names = new TreeSet<>();
        metadata.topics().forEach(topic -> names.add(topic.name()));
        return names;
    }

    private static Set<String> requestedTopics(MetadataRequestData metadata) {
        Set<String> names = new TreeSet<>();
        metadata.topics().forEach(topic -> names.add(topic.name()));
        return names;
    }

    private static List<Integer> sorted(List<Integer> ids) {
        List<Integer> copy = new ArrayList<>(ids);
        Collections.sort(copy);
        return copy;
    }
}
