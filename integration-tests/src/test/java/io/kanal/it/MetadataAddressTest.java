package io.kanal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The proxy's central promise: clients are told only proxy addresses. Checked against the real ports the test kit's
 * brokers and controller listen on, first on the raw Metadata response bytes (no client cache or logic in between),
 * then on every node the stock clients hand to an application.
 */
@SharedCluster
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MetadataAddressTest {

    private static String topic;

    @BeforeAll
    static void createTopic(KafkaCluster cluster) throws Exception {
        try (Admin admin = cluster.directAdmin()) {
            topic = Topics.create(admin, "metadata", 3);
        }
    }

    @Test
    void rawMetadataResponseNamesOnlyProxyPorts(KafkaCluster cluster, ProxyFixture proxy) throws Exception {
        MetadataResponse metadata;
        try (RawConnection connection = new RawConnection(proxy.bootstrapPort())) {
            // As every client does: ask which versions are supported, then use the newest both sides know.
            ApiVersionsResponse versions = (ApiVersionsResponse) connection.exchange(new ApiVersionsRequest.Builder().build((short) 3));
            assertEquals(Errors.NONE.code(), versions.data().errorCode(), "ApiVersions error");
            ApiVersion supported = versions.apiVersion(ApiKeys.METADATA.id);
            short version = (short) Math.min(ApiKeys.METADATA.latestVersion(), supported.maxVersion());
            metadata = (MetadataResponse) connection.exchange(MetadataRequest.Builder.allTopics().build(version));
        }

        List<Node> brokers = List.copyOf(metadata.brokers());
        assertEquals(KafkaCluster.BROKER_COUNT, brokers.size(), "brokers in " + metadata);
        assertNoRealPort(cluster, brokers, "raw Metadata brokers");
        brokers.forEach(node -> proxy.assertProxied(node, "raw Metadata brokers"));
        assertTrue(metadata.topicMetadata().stream().anyMatch(t -> t.topic().equals(topic)), "the test topic is listed");
    }

    @Test
    void clientsAreGivenOnlyProxyPorts(KafkaCluster cluster, ProxyFixture proxy) throws Exception {
        List<Node> seen = new ArrayList<>();
        try (Admin admin = Clients.admin(proxy.bootstrapServers())) {
            seen.addAll(admin.describeCluster().nodes().get());
            seen.add(admin.describeCluster().controller().get());
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().forEach(p -> {
                seen.add(p.leader());
                seen.addAll(p.replicas());
                seen.addAll(p.isr());
            });
        }
        try (KafkaProducer<String, String> producer = Clients.producer(proxy.bootstrapServers(), Map.of())) {
            producer.partitionsFor(topic).forEach(p -> addNodes(seen, p));
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(proxy.bootstrapServers(),
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, Names.unique("metadata-group")))) {
            consumer.listTopics().get(topic).forEach(p -> addNodes(seen, p));
        }

        assertFalse(seen.isEmpty());
        assertNoRealPort(cluster, seen, "nodes the clients were given");
        seen.forEach(node -> proxy.assertProxied(node, "nodes the clients were given"));
    }

    private static void addNodes(List<Node> seen, PartitionInfo partition) {
        seen.add(partition.leader());
        seen.addAll(List.of(partition.replicas()));
        seen.addAll(List.of(partition.inSyncReplicas()));
    }

    private static void assertNoRealPort(KafkaCluster cluster, List<Node> nodes, String where) {
        Set<Integer> realPorts = Set.copyOf(cluster.allListeningPorts());
        for (Node node : nodes) {
            assertFalse(realPorts.contains(node.port()), () -> where + ": " + node + " is a real broker port; real ports " + realPorts);
        }
    }

    /** One TCP connection speaking Kafka's framing: a 4-byte size, then header and body. */
    private static final class RawConnection implements AutoCloseable {

        private final Socket socket;
        private final DataOutputStream out;
        private final DataInputStream in;
        private int correlationId;

        RawConnection(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            out = new DataOutputStream(socket.getOutputStream());
            in = new DataInputStream(socket.getInputStream());
        }

        AbstractResponse exchange(AbstractRequest request) throws IOException {
            RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "raw-metadata-check", ++correlationId);
            ByteBuffer frame = request.serializeWithHeader(header);
            out.writeInt(frame.remaining());
            out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
            out.flush();
            byte[] response = new byte[in.readInt()];
            in.readFully(response);
            return AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
