package io.kanal.mesh.upstream;

import io.kanal.mesh.consume.TestClusters;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.net.Transport;
import io.kanal.testkafka.KraftTestCluster;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connections to upstream brokers: a real broker, and servers that refuse, stay silent or send too much. */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UpstreamConnectionTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private static KraftTestCluster kafka;
    private static UpstreamConnector connector;
    private static BrokerAddress broker;

    @BeforeAll
    static void start() throws Exception {
        kafka = TestClusters.start("upstream", 1);
        connector = new UpstreamConnector(Transport.nio(), 1, CONNECT_TIMEOUT, 1024 * 1024, 64);
        broker = new BrokerAddress("upstream", HostPort.parse(kafka.bootstrapServers()));
        kafka.createTopic("upstream.quiet", 1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (connector != null) {
            connector.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredEachWithItsOwnAnswer() {
        UpstreamConnection connection = connect(broker);
        assertTrue(connection.versions(ApiKeys.FETCH).isPresent(), "learned in the handshake");

        List<CompletableFuture<MetadataResponseData>> answers = new ArrayList<>();
        for (int index = 0; index < 50; index++) {
            MetadataRequestData request = new MetadataRequestData().setTopics(List.of(
                    new MetadataRequestTopic().setName("missing-" + index))).setAllowAutoTopicCreation(false);
            answers.add(connection.<MetadataResponseData>send(ApiKeys.METADATA, (short) 12, request,
                    Duration.ofSeconds(10)).thenApply(Answer::body).toCompletableFuture());
        }

        for (int index = 0; index < 50; index++) {
            assertEquals("missing-" + index, answers.get(index).join().topics().iterator().next().name());
        }
        connection.close();
    }

    @Test
    void fetchedRecordsAreReadWhereTheyArrivedInAnAnswerOfOneReadOrOfMany() throws Exception {
        kafka.createTopic("upstream.records", 1);
        kafka.produce("upstream.records", 0, "record", 20_000);
        UpstreamConnection connection = connect(broker);
        try {
            // One record batch, and half a megabyte of them, which takes many reads.
            for (int maxBytes : new int[]{300, 512 * 1024}) {
                Answer<FetchResponseData> answer = connection.<FetchResponseData>send(ApiKeys.FETCH, (short) 12,
                        fetch("upstream.records", 1_000, maxBytes), Duration.ofSeconds(10)).toCompletableFuture()
                        .join();
                try {
                    List<String> values = new ArrayList<>();
                    MemoryRecords records = (MemoryRecords) answer.body().responses().get(0).partitions().get(0)
                            .records();
                    records.records().forEach(record -> values.add(Utils.utf8(record.value())));
                    int first = values.indexOf("record-1000");
                    assertTrue(first >= 0 && values.size() - first > 1, values.size() + " records");
                    for (int index = first; index < values.size(); index++) {
                        assertEquals("record-" + (1_000 + index - first), values.get(index));
                    }
                } finally {
                    answer.release();
                }
            }
        } finally {
            connection.close();
        }
    }

    @Test
    void aRefusedConnectionFailsAtOnce() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        long started = System.nanoTime();
        CompletionException failure = assertThrows(CompletionException.class, () -> connector.connect(
                new BrokerAddress("gone", new HostPort("127.0.0.1", closedPort)), "test").toCompletableFuture().join());

        assertInstanceOf(UpstreamException.class, failure.getCause());
        assertTrue(System.nanoTime() - started < CONNECT_TIMEOUT.toNanos(), "without waiting for the timeout");
    }

    @Test
    void aServerThatNeverAnswersFailsWithinTheConnectTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<UpstreamConnection> connecting = connector.connect(
                    new BrokerAddress("silent", new HostPort("127.0.0.1", silent.getLocalPort())), "test")
                    .toCompletableFuture();
            try (Socket accepted = silent.accept()) {
                ExecutionException failure = assertThrows(ExecutionException.class,
                        () -> connecting.get(CONNECT_TIMEOUT.toSeconds() * 3, TimeUnit.SECONDS));
                assertInstanceOf(UpstreamException.class, failure.getCause());
            }
        }
    }

    @Test
    void anUnansweredRequestClosesTheConnectionAndFailsWhatWaitsBehindIt() {
        UpstreamConnection connection = connect(broker);
        FetchRequestData longPoll = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(5_000).setMinBytes(1)
                .setMaxBytes(1024).setSessionEpoch(-1).setTopics(List.of(new FetchTopic()
                        .setTopic("upstream.quiet").setPartitions(List.of(new FetchPartition().setPartition(0)
                                .setFetchOffset(0).setPartitionMaxBytes(1024)))));

        CompletableFuture<?> fetch = connection.send(ApiKeys.FETCH, (short) 12, longPoll, Duration.ofMillis(300))
                .toCompletableFuture();
        CompletableFuture<?> behind = connection.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData(),
                Duration.ofSeconds(10)).toCompletableFuture();

        assertInstanceOf(UpstreamException.class, assertThrows(CompletionException.class, fetch::join).getCause());
        assertInstanceOf(UpstreamException.class, assertThrows(CompletionException.class, behind::join).getCause());
        assertFalse(connection.isOpen());
    }

    @Test
    void aResponseOverTheLimitClosesTheConnection() {
        UpstreamConnector small = new UpstreamConnector(Transport.nio(), 1, CONNECT_TIMEOUT, 64, 64);
        try {
            CompletionException failure = assertThrows(CompletionException.class,
                    () -> small.connect(broker, "test").toCompletableFuture().join());
            assertInstanceOf(UpstreamException.class, failure.getCause(), "the ApiVersions answer is too big");
        } finally {
            small.close();
        }
    }

    @Test
    void aPoolKeepsOneConnectionPerBrokerAndReplacesOneThatClosed() {
        UpstreamVersions versions = new UpstreamVersions();
        UpstreamPool pool = new UpstreamPool(connector, "test", versions::learned);
        try {
            UpstreamConnection first = pool.connection(broker).toCompletableFuture().join();
            assertSame(first, pool.connection(broker).toCompletableFuture().join());
            assertTrue(versions.knows("upstream"));

            first.close();
            UpstreamConnection second = pool.connection(broker).toCompletableFuture().join();
            assertNotSame(first, second);
            assertTrue(second.isOpen());
        } finally {
            pool.close();
        }
    }

    @Test
    void aPoolAsksInTheNewestVersionBothSidesAllow() {
        UpstreamPool pool = new UpstreamPool(connector, "test", (address, learned) -> { });
        try {
            Answer<MetadataResponseData> answer = pool.<MetadataResponseData>send(broker,
                    ApiKeys.METADATA, (short) 9, new MetadataRequestData(), Duration.ofSeconds(10))
                    .toCompletableFuture().join();
            assertEquals(9, answer.version());
        } finally {
            pool.close();
        }
    }

    @Test
    void aPoolFailsRequestsToAnUnreachableBrokerAtOnceForAWhile() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        BrokerAddress gone = new BrokerAddress("gone", new HostPort("127.0.0.1", closedPort));
        UpstreamPool pool = new UpstreamPool(connector, "test", (address, learned) -> { });
        try {
            CompletableFuture<UpstreamConnection> first = pool.connection(gone).toCompletableFuture();
            assertThrows(CompletionException.class, first::join);
            assertSame(first, pool.connection(gone).toCompletableFuture(), "not tried again within the backoff");
        } finally {
            pool.close();
        }
    }

    private static FetchRequestData fetch(String topic, long offset, int maxBytes) {
        return new FetchRequestData().setReplicaId(-1).setMaxWaitMs(500).setMinBytes(1).setMaxBytes(maxBytes)
                .setSessionEpoch(-1).setTopics(List.of(new FetchTopic().setTopic(topic).setPartitions(List.of(
                        new FetchPartition().setPartition(0).setFetchOffset(offset).setPartitionMaxBytes(maxBytes)))));
    }

    private static UpstreamConnection connect(BrokerAddress address) {
        return connector.connect(address, "test").toCompletableFuture().join();
    }
}
