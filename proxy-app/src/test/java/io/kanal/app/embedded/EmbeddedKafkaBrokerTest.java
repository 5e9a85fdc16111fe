package io.kanal.app.embedded;

import io.kanal.proxy.testing.FreePorts;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedKafkaBrokerTest {

    private static final String TOPIC = "embedded-test";

    @Test
    void producesAndConsumesARecordThenDeletesItsData() throws Exception {
        Path dataDirectory;
        int relayListener = FreePorts.consecutive(1);
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()) {
            // A relay would advertise its own address; another name for the listener itself shows the same.
            broker.addListener("RELAY", relayListener, "localhost:" + relayListener);
            // By Kafka's defaults a deleted topic's files stay for a minute, and the task that removes them first runs
            // 30 s after start-up; the test waits 30 s for them to go.
            broker.brokerProperty("log.segment.delete.delay.ms", "1000")
                    .brokerProperty("log.initial.task.delay.ms", "0");
            broker.start();
            dataDirectory = broker.dataDirectory();
            assertTrue(Files.isDirectory(dataDirectory));
            String bootstrapServers = broker.bootstrapServers();
            assertTrue(bootstrapServers.startsWith("127.0.0.1:"), bootstrapServers);

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
                producer.send(new ProducerRecord<>(TOPIC, "key", "hello")).get();
            }

            List<ConsumerRecord<String, String>> records = consumeAtLeastOne(bootstrapServers);

            assertEquals("key", records.get(0).key());
            assertEquals("hello", records.get(0).value());
            // Clients of the added listener are sent to the address it advertises.
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    "127.0.0.1:" + relayListener))) {
                Node node = admin.describeCluster().nodes().get().iterator().next();
                assertEquals("localhost:" + relayListener, node.host() + ":" + node.port());
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
                admin.deleteTopics(List.of(TOPIC)).all().get();
            }
            awaitNoFilesOf(TOPIC, dataDirectory);
        }
        assertFalse(Files.exists(dataDirectory), "data directory left behind: " + dataDirectory);
    }

    private static void awaitNoFilesOf(String topic, Path dataDirectory) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (Stream<Path> entries = Files.list(dataDirectory)) {
                List<String> left = entries.map(entry -> entry.getFileName().toString())
                        .filter(name -> name.startsWith(topic + "-")).toList();
                if (left.isEmpty()) {
                    return;
                }
                assertTrue(System.nanoTime() < deadline, "files of the deleted topic left after 30 s: " + left);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void refusesPropertiesItSetsItself() {
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()) {
            assertThrows(IllegalArgumentException.class, () -> broker.brokerProperty("listeners", "PLAINTEXT://:1"));
            assertThrows(IllegalArgumentException.class,
                    () -> broker.brokerProperty("advertised.listeners", "PLAINTEXT://:1"));
            assertThrows(IllegalArgumentException.class, () -> broker.brokerProperty("log.dirs", "/tmp/elsewhere"));
            assertThrows(IllegalArgumentException.class, () -> broker.brokerProperty("node.id", "7"));
            assertThrows(IllegalArgumentException.class, () -> broker.brokerProperty("process.roles", "broker"));
        }
    }

    @Test
    void hasNoAddressBeforeItStarts() {
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()) {
            assertThrows(IllegalStateException.class, broker::bootstrapServers);
        }
    }

    @Test
    void refusesListenerNamesItUsesItself() {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker();
        assertThrows(IllegalArgumentException.class, () -> broker.addListener("PLAINTEXT", 1, "127.0.0.1:2"));
        assertThrows(IllegalArgumentException.class, () -> broker.addListener("CONTROLLER", 1, "127.0.0.1:2"));
        assertThrows(IllegalArgumentException.class, () -> broker.addListener("relay", 1, "127.0.0.1:2"));
    }

    private static List<ConsumerRecord<String, String>> consumeAtLeastOne(String bootstrapServers) {
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            assertFalse(records.isEmpty(), "no record consumed within 30 s");
            return records;
        }
    }
}
