package io.kanal.mesh.produce;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which of a cluster's producers a request's records go through, and that the answer waits for that producer. The
 * producers are kafka-clients' own {@link MockProducer}s: a real single-broker cluster acknowledges acks=1 and
 * acks=all alike, so only the producers themselves can tell which one wrote.
 */
class ClusterProducerTest {

    private final MockProducer<byte[], byte[]> configured = producer();
    private final MockProducer<byte[], byte[]> acksAll = producer();
    private final ClusterProducer cluster = new ClusterProducer("c1", configured, acksAll, 1024 * 1024);

    @AfterEach
    void close() throws InterruptedException {
        cluster.close(Duration.ofSeconds(1));
    }

    @Test
    void anAcksAllRequestGoesThroughTheAcksAllProducerAndWaitsForIt() throws Exception {
        PartitionWrite write = new PartitionWrite("apples", 0, 2);

        cluster.send(write, records("a", "b"), write.attempt(), true);

        awaitSent(acksAll, 2);
        assertEquals(0, configured.history().size(), "a weaker configured acks never carries an acks=all request");
        assertFalse(write.outcome().isDone(), "not answered before the acks=all producer acknowledged");
        acksAll.completeNext();
        acksAll.completeNext();
        assertTrue(write.outcome().get(5, TimeUnit.SECONDS).succeeded());
    }

    @Test
    void anAcksOneRequestGoesThroughTheConfiguredProducer() throws Exception {
        PartitionWrite write = new PartitionWrite("apples", 0, 1);

        cluster.send(write, records("a"), write.attempt(), false);

        awaitSent(configured, 1);
        assertEquals(0, acksAll.history().size());
        configured.errorNext(new NotEnoughReplicasException("fewer in-sync replicas than required"));
        assertEquals(Errors.NOT_ENOUGH_REPLICAS, write.outcome().get(5, TimeUnit.SECONDS).error());
    }

    @Test
    void aRetrySendsOnlyTheRecordsThatFailed() throws Exception {
        PartitionWrite write = new PartitionWrite("apples", 0, 3);
        List<ProducerRecord<byte[], byte[]>> records = records("a", "b", "c");
        cluster.send(write, records, write.attempt(), true);
        awaitSent(acksAll, 3);
        acksAll.completeNext();
        acksAll.errorNext(new NotEnoughReplicasException("not yet"));
        acksAll.completeNext();
        assertFalse(write.outcome().get(5, TimeUnit.SECONDS).succeeded());

        cluster.send(write, records, write.retryIfFailed(), true);

        awaitSent(acksAll, 4);
        assertEquals("b", new String(acksAll.history().get(3).value()));
        acksAll.completeNext();
        assertTrue(write.outcome().get(5, TimeUnit.SECONDS).succeeded());
    }

    @Test
    void recordHeadersCountTowardsTheBytesWaitingForTheProducer() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        MockProducer<byte[], byte[]> blocked = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record,
                                                            Callback callback) {
                try {
                    unblock.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.send(record, callback);
            }
        };
        ClusterProducer small = new ClusterProducer("c2", blocked, blocked, 1000);
        try {
            PartitionWrite first = new PartitionWrite("apples", 0, 1);
            small.send(first, List.of(withHeader(600)), first.attempt(), true);
            PartitionWrite second = new PartitionWrite("apples", 0, 1);

            small.send(second, List.of(withHeader(600)), second.attempt(), true);

            assertEquals(Errors.REQUEST_TIMED_OUT, second.outcome().get(5, TimeUnit.SECONDS).error(),
                    "1,200 bytes of headers exceed the 1,000 bytes that may wait");
            unblock.countDown();
            assertTrue(first.outcome().get(5, TimeUnit.SECONDS).succeeded());
        } finally {
            unblock.countDown();
            small.close(Duration.ofSeconds(1));
        }
    }

    private static ProducerRecord<byte[], byte[]> withHeader(int headerBytes) {
        return new ProducerRecord<>("apples", 0, null, null, "v".getBytes(),
                List.of(new RecordHeader("h", new byte[headerBytes])));
    }

    private static MockProducer<byte[], byte[]> producer() {
        return new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static List<ProducerRecord<byte[], byte[]>> records(String... values) {
        return List.of(values).stream()
                .map(value -> new ProducerRecord<byte[], byte[]>("apples", 0, null, value.getBytes()))
                .toList();
    }

    /** Records reach the producer on the cluster's own thread. */
    private static void awaitSent(MockProducer<byte[], byte[]> producer, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (producer.history().size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(count, producer.history().size());
    }
}
