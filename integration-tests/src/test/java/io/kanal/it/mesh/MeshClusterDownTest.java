package io.kanal.it.mesh;

import io.kanal.it.Await;
import io.kanal.it.Clients;
import io.kanal.it.KanalProcess;
import io.kanal.testkafka.KraftTestCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RetriableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One cluster behind the mesh goes down: producing to its topics fails with a retriable error within the producer's
 * delivery timeout, the other clusters' topics keep working meanwhile, and once it is back every record the mesh
 * acknowledged is there, once.
 */
@WithMeshClusters
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MeshClusterDownTest {

    private static final int REQUEST_TIMEOUT_MS = 15_000;
    private static final int DELIVERY_TIMEOUT_MS = 45_000;
    /** What the failure may take beyond the delivery timeout: the producer checks for expired batches now and then. */
    private static final Duration MARGIN = Duration.ofSeconds(15);
    private static final int BATCH = 20;

    @Test
    void aStoppedClustersTopicsFailRetriablyWhileOthersWorkAndNothingAcknowledgedIsLost(MeshClusters clusters)
            throws Exception {
        String cherries = MeshExampleProcessTest.create(clusters.cherries(), "cherries.z", 1);
        String apples = MeshExampleProcessTest.create(clusters.apples(), "apples.x", 1);
        List<String> ackedCherries = new ArrayList<>();
        List<String> ackedApples = new ArrayList<>();
        try (KanalProcess kanal = MeshExampleProcessTest.start(clusters);
             KafkaProducer<String, String> toCherries = Clients.producer(kanal.bootstrapServers(), Map.of(
                     ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS,
                     ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS));
             KafkaProducer<String, String> toApples = Clients.producer(kanal.bootstrapServers(), Map.of())) {
            sendAll(toCherries, cherries, "before", ackedCherries);
            sendAll(toApples, apples, "before", ackedApples);

            int cherriesBroker = clusters.cherries().brokerIds().get(0);
            clusters.cherries().stopBroker(cherriesBroker);
            try {
                long started = System.nanoTime();
                Future<RecordMetadata> stranded = toCherries.send(new ProducerRecord<>(cherries, 0, "k", "during"));

                sendAll(toApples, apples, "during", ackedApples);

                ExecutionException failure = assertThrows(ExecutionException.class, () -> stranded.get(
                        DELIVERY_TIMEOUT_MS + MARGIN.toMillis(), TimeUnit.MILLISECONDS));
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                assertInstanceOf(RetriableException.class, failure.getCause(), failure::toString);
                assertTrue(took.compareTo(Duration.ofMillis(DELIVERY_TIMEOUT_MS).plus(MARGIN)) < 0,
                        "failed after " + took);
            } finally {
                clusters.cherries().startBroker(cherriesBroker);
            }

            // The cluster is back: the mesh's producer reconnects by itself.
            Await.result(Duration.ofSeconds(90), () -> "a record to " + cherries + " acknowledged again", () -> {
                try {
                    toCherries.send(new ProducerRecord<>(cherries, 0, "k", "probe")).get(30, TimeUnit.SECONDS);
                    return "acknowledged";
                } catch (ExecutionException notYet) {
                    return notYet.getCause().toString();
                }
            }, "acknowledged"::equals);
            sendAll(toCherries, cherries, "after", ackedCherries);
            sendAll(toApples, apples, "after", ackedApples);
        }

        assertEquals(ackedApples, values(clusters.apples(), apples, ackedApples.size()),
                "every acknowledged apple, once and in order");
        List<String> found = values(clusters.cherries(), cherries, ackedCherries.size());
        assertEquals(ackedCherries, found.stream().filter(ackedCherries::contains).toList(),
                "every acknowledged cherry, once and in order");
        assertTrue(found.stream().filter("during"::equals).count() <= 1, "the stranded record at most once: " + found);
    }

    /** Sends {@link #BATCH} records and waits for each acknowledgement, recording the values acknowledged. */
    private static void sendAll(KafkaProducer<String, String> producer, String topic, String phase,
                                List<String> acknowledged) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            sent.add(producer.send(new ProducerRecord<>(topic, 0, "k", phase + "-" + i)));
        }
        for (int i = 0; i < BATCH; i++) {
            sent.get(i).get(60, TimeUnit.SECONDS);
            acknowledged.add(phase + "-" + i);
        }
    }

    private static List<String> values(KraftTestCluster cluster, String topic, int atLeast) {
        return MeshProduceTest.consumeAll(cluster, topic, atLeast).stream().map(ConsumerRecord::value)
                .filter(value -> !value.equals("probe")).toList();
    }
}
