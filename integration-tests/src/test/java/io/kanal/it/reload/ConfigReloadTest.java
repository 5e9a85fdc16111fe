package io.kanal.it.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.it.Clients;
import io.kanal.it.Consuming;
import io.kanal.it.KafkaCluster;
import io.kanal.it.KanalProcess;
import io.kanal.it.Names;
import io.kanal.it.SharedCluster;
import io.kanal.it.Topics;

import io.kanal.proxy.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kanal.jar} reloading its configuration on SIGHUP while a producer writes through it: a second virtual cluster
 * is added without the producer on the first seeing a single failed send, and the virtual cluster a producer uses is
 * changed with the same result.
 */
@SharedCluster
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConfigReloadTest {

    private static final String HOST = "127.0.0.1";
    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    @Test
    void addingAVirtualClusterOnSighupFailsNotASingleSendOnTheRunningOne(KafkaCluster cluster) throws Exception {
        String topic;
        try (Admin admin = cluster.directAdmin()) {
            topic = Topics.create(admin, "config-reload", 3);
        }
        // One block of ports: blue's bootstrap and broker ports, then green's, then the admin server.
        int perCluster = 1 + KafkaCluster.BROKER_COUNT;
        int blue = FreePorts.consecutive(2 * perCluster + 1);
        int green = blue + perCluster;
        int adminPort = green + perCluster;
        Path config = temp.resolve("kanal.yaml");
        Files.writeString(config, configuration(adminPort, cluster(cluster, "blue", blue)));

        try (KanalProcess kanal = KanalProcess.start(config, List.of(), Map.of(), blue)) {
            Producing producing = new Producing(HOST + ":" + blue, topic);
            producing.awaitAcknowledged(500);

            Files.writeString(config, configuration(adminPort, cluster(cluster, "blue", blue)
                    + cluster(cluster, "green", green)));
            hangUp(kanal);
            String reloaded = awaitLogLine(kanal, "Configuration reloaded");
            assertTrue(reloaded.contains("(SIGHUP): added [green], removed [], changed [], unchanged [blue]"),
                    reloaded);

            producing.awaitAcknowledged(producing.acknowledged.get() + 1_000);
            Set<String> sent = producing.stop();

            // The new virtual cluster serves clients: everything sent through blue is read through green.
            try (KafkaConsumer<String, String> consumer = Clients.consumer(HOST + ":" + green,
                    Map.of(ConsumerConfig.GROUP_ID_CONFIG, Names.unique("config-reload")))) {
                consumer.subscribe(List.of(topic));
                Set<String> received = new HashSet<>();
                Consuming.atLeast(consumer, sent.size(), Duration.ofSeconds(60)).forEach(r -> received.add(r.value()));
                assertEquals(sent, received);
            }
            String log = kanal.readLog();
            assertTrue(log.contains("virtual cluster 'green' listening on /" + HOST + ":" + green), log);
        }
    }

    /**
     * A changed virtual cluster is replaced on its own address: its old listeners close, new ones bind, and its
     * connections drain and close. The producer on it reconnects and retries what was in flight, so not one send
     * fails and every record arrives once.
     */
    @Test
    void changingTheVirtualClusterAProducerUsesFailsNoneOfItsSends(KafkaCluster cluster) throws Exception {
        String topic;
        try (Admin admin = cluster.directAdmin()) {
            topic = Topics.create(admin, "config-reload-changed", 3);
        }
        int perCluster = 1 + KafkaCluster.BROKER_COUNT;
        int blue = FreePorts.consecutive(perCluster + 1);
        int adminPort = blue + perCluster;
        Path config = temp.resolve("kanal.yaml");
        Files.writeString(config, configuration(adminPort, cluster(cluster, "blue", blue)));

        try (KanalProcess kanal = KanalProcess.start(config, List.of(), Map.of(), blue)) {
            Producing producing = new Producing(HOST + ":" + blue, topic);
            producing.awaitAcknowledged(500);

            // A new filter chain for blue: the built-in metrics filter, which only reads.
            Files.writeString(config, configuration(adminPort, cluster(cluster, "blue", blue)
                    + "    filters: [errors]\n" + """
                    filters:
                      - name: errors
                        type: metrics
                    """));
            hangUp(kanal);
            String reloaded = awaitLogLine(kanal, "Configuration reloaded");
            assertTrue(reloaded.contains("(SIGHUP): added [], removed [], changed [blue], unchanged []"), reloaded);

            producing.awaitAcknowledged(producing.acknowledged.get() + 1_000);
            Set<String> sent = producing.stop();

            try (KafkaConsumer<String, String> consumer = Clients.consumer(HOST + ":" + blue,
                    Map.of(ConsumerConfig.GROUP_ID_CONFIG, Names.unique("config-reload-changed")))) {
                consumer.subscribe(List.of(topic));
                List<String> received = Consuming.atLeast(consumer, sent.size(), Duration.ofSeconds(60)).stream()
                        .map(ConsumerRecord::value).toList();
                assertEquals(sent, new HashSet<>(received));
                assertEquals(sent.size(), received.size(), "each record exactly once");
            }
            assertTrue(kanal.readLog().contains("virtual cluster 'blue': every connection from before the "
                    + "reconfiguration has closed"), kanal.readLog());
        }
    }

    /** Sends SIGHUP to Kanal, as {@code kill -HUP <pid>} does. */
    private static void hangUp(KanalProcess kanal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(kanal.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -HUP");
    }

    /**
     * A producer (acks=all, idempotent) sending records as fast as the broker takes them, in the background, each
     * record's value distinct, counting acknowledgements and collecting failures.
     */
    private static final class Producing {
        final AtomicInteger acknowledged = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Queue<String> failures = new ConcurrentLinkedQueue<>();
        private final Set<String> sent = ConcurrentHashMap.newKeySet();
        private final Thread thread;

        Producing(String bootstrapServers, String topic) {
            thread = new Thread(() -> {
                try (KafkaProducer<String, String> client = Clients.producer(bootstrapServers, Map.of())) {
                    for (int i = 0; running.get(); i++) {
                        String value = "record " + i;
                        sent.add(value);
                        client.send(new ProducerRecord<>(topic, Integer.toString(i), value), (metadata, error) -> {
                            if (error == null) {
                                acknowledged.incrementAndGet();
                            } else {
                                failures.add(value + ": " + error);
                            }
                        });
                        if (i % 50 == 0) {
                            Thread.sleep(5);
                        }
                    }
                    client.flush();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    failures.add("producer: " + e);
                }
            }, "producer-through-kanal");
            thread.start();
        }

        void awaitAcknowledged(int target) throws InterruptedException {
            awaitAtLeast(acknowledged, target, "records acknowledged");
        }

        /** Stops sending, waits for every send to end, and checks that none failed; returns what was sent. */
        Set<String> stop() throws InterruptedException {
            running.set(false);
            thread.join(TimeUnit.SECONDS.toMillis(60));
            assertEquals(List.of(), List.copyOf(failures), "sends failed");
            assertEquals(sent.size(), acknowledged.get(), "every record sent was acknowledged");
            return Set.copyOf(sent);
        }
    }

    /** The configuration file: {@code clusters}, no file watching (SIGHUP only), and the admin server. */
    private static String configuration(int adminPort, String clusters) {
        return "virtualClusters:\n" + clusters + """
                reload:
                  watch: false
                admin:
                  listen: %s:%d
                """.formatted(HOST, adminPort);
    }

    private static String cluster(KafkaCluster target, String name, int port) {
        return """
                  - name: %s
                    bootstrap: %s:%d
                    nodeIds: { first: %d, last: %d }
                    target:
                      bootstrapServers: %s
                """.formatted(name, HOST, port, KafkaCluster.FIRST_BROKER_ID, KafkaCluster.LAST_BROKER_ID,
                target.bootstrapServers());
    }

    private static void awaitAtLeast(AtomicInteger count, int target, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (count.get() < target) {
            assertTrue(System.nanoTime() < deadline, "only " + count.get() + " of " + target + " " + what);
            Thread.sleep(20);
        }
    }

    private static String awaitLogLine(KanalProcess kanal, String text) throws InterruptedException {
        long deadline = System.nanoTime() + RELOAD_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : kanal.readLog().split("\n")) {
                if (line.contains(text)) {
                    return line;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no log line containing '" + text + "' within " + RELOAD_TIMEOUT + ":\n"
                + kanal.readLog());
    }
}
