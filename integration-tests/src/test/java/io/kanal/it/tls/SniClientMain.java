package io.kanal.it.tls;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A stock Java client run in a JVM of its own by {@link SniRoutingTest}, whose host names resolve to 127.0.0.1 through
 * {@code -Djdk.net.hosts.file} (a JVM-wide setting, read once at start-up, hence the separate JVM): it describes the
 * cluster, produces, and consumes what it produced, through an SNI-routed virtual cluster, and prints what it saw.
 *
 * <p>Arguments: bootstrap server, CA certificate file (PEM), topic, number of records, consumer group. Output lines:
 * {@code node <id> <host>:<port>} for every broker the client was told of, then {@code consumed <n>} and
 * {@code values <same|different>}.
 */
public final class SniClientMain {

    private SniClientMain() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        Map<String, Object> tls = Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL",
                SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM",
                SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, args[1]);
        String topic = args[2];
        int records = Integer.parseInt(args[3]);

        List<Node> nodes = new ArrayList<>();
        Map<String, Object> adminSettings = new HashMap<>(tls);
        adminSettings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(adminSettings)) {
            nodes.addAll(admin.describeCluster().nodes().get(60, TimeUnit.SECONDS));
        }

        List<String> sent = new ArrayList<>();
        Map<String, Object> producerSettings = new HashMap<>(tls);
        producerSettings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerSettings.put(ProducerConfig.ACKS_CONFIG, "all");
        producerSettings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerSettings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerSettings)) {
            for (int i = 0; i < records; i++) {
                String value = "sni-" + i;
                producer.send(new ProducerRecord<>(topic, value, value));
                sent.add(value);
            }
            producer.flush();
            for (PartitionInfo partition : producer.partitionsFor(topic)) {
                nodes.add(partition.leader());
                nodes.addAll(List.of(partition.replicas()));
            }
        }

        List<String> received = new ArrayList<>();
        Map<String, Object> consumerSettings = new HashMap<>(tls);
        consumerSettings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerSettings.put(ConsumerConfig.GROUP_ID_CONFIG, args[4]);
        consumerSettings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerSettings.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        consumerSettings.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerSettings)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received.size() < records && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    received.add(record.value());
                }
            }
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                received.add(record.value());
            }
        }

        new TreeSet<>(nodes.stream().map(node -> "node " + node.id() + " " + node.host() + ":" + node.port()).toList())
                .forEach(System.out::println);
        System.out.println("consumed " + received.size());
        System.out.println("values " + (new TreeSet<>(sent).equals(new TreeSet<>(received)) ? "same" : "different"));
    }
}
