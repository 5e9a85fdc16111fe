package io.kanal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.NodeIdRange;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.server.ProxyServer;

import io.kanal.proxy.testing.FreePorts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One proxy process serving two virtual clusters: each has its own bootstrap and broker ports, each client is told
 * only its own virtual cluster's ports, and records produced through one are read back through the other.
 */
@SharedCluster
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SeveralVirtualClustersTest {

    private static final String HOST = "127.0.0.1";
    private static final int RECORDS = 1_000;

    @Test
    void twoVirtualClustersInOneProcessEachAdvertiseTheirOwnPorts(KafkaCluster cluster) throws Exception {
        String topic;
        try (Admin admin = cluster.directAdmin()) {
            topic = Topics.create(admin, "two-virtual-clusters", 3);
        }
        NodeIdRange nodeIds = new NodeIdRange(KafkaCluster.FIRST_BROKER_ID, KafkaCluster.LAST_BROKER_ID);
        List<HostPort> target = cluster.brokerPorts().values().stream().map(port -> new HostPort(HOST, port)).toList();
        // One block holds both clusters' ports: bootstrap and brokers of the first, then those of the second.
        int perCluster = 1 + nodeIds.size();
        int first = FreePorts.consecutive(2 * perCluster);
        int second = first + perCluster;
        ProxyConfig config = ProxyConfig.of(List.of(
                new VirtualClusterConfig("blue", new HostPort(HOST, first), HOST, nodeIds, target),
                new VirtualClusterConfig("green", new HostPort(HOST, second), HOST, nodeIds, target)));

        try (ProxyServer proxy = ProxyServer.start(config)) {
            List<String> sent = new ArrayList<>();
            try (KafkaProducer<String, String> producer = Clients.producer(HOST + ":" + first, Map.of())) {
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                for (int i = 0; i < RECORDS; i++) {
                    String value = "record " + i;
                    acks.add(producer.send(new ProducerRecord<>(topic, Integer.toString(i), value)));
                    sent.add(value);
                }
                for (Future<RecordMetadata> ack : acks) {
                    ack.get();
                }
                assertPortsWithin(nodesOf(producer, topic), first, perCluster);
            }
            try (KafkaConsumer<String, String> consumer = Clients.consumer(HOST + ":" + second,
                    Map.of(ConsumerConfig.GROUP_ID_CONFIG, Names.unique("two-virtual-clusters")))) {
                consumer.subscribe(List.of(topic));
                List<String> received = Consuming.atLeast(consumer, RECORDS, Duration.ofSeconds(60)).stream()
                        .map(ConsumerRecord::value).toList();
                assertEquals(new HashSet<>(sent), new HashSet<>(received));
                assertEquals(RECORDS, received.size(), "each record exactly once");
                assertPortsWithin(nodesOf(consumer, topic), second, perCluster);
            }
        }
    }

    private static Set<Node> nodesOf(KafkaProducer<?, ?> producer, String topic) {
        Set<Node> nodes = new HashSet<>();
        producer.partitionsFor(topic).forEach(partition -> nodes.addAll(List.of(partition.replicas())));
        return nodes;
    }

    private static Set<Node> nodesOf(KafkaConsumer<?, ?> consumer, String topic) {
        Set<Node> nodes = new HashSet<>();
        consumer.partitionsFor(topic).forEach(partition -> nodes.addAll(List.of(partition.replicas())));
        return nodes;
    }

    private static void assertPortsWithin(Set<Node> nodes, int bootstrapPort, int portCount) {
        assertEquals(3, nodes.size(), "every broker of the cluster: " + nodes);
        for (Node node : nodes) {
            assertEquals(HOST, node.host(), node.toString());
            assertTrue(node.port() > bootstrapPort && node.port() < bootstrapPort + portCount,
                    node + " is not among this virtual cluster's broker ports " + (bootstrapPort + 1) + "-"
                            + (bootstrapPort + portCount - 1));
        }
    }
}
