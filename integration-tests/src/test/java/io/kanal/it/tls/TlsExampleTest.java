package io.kanal.it.tls;

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
import io.kanal.proxy.tls.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.SslConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code config-examples/tls.yaml} as a user runs it, with a certificate made the way README shows: a Java client
 * that trusts the CA produces and consumes over TLS, is told only the proxy's TLS ports, and the handshakes are
 * counted on {@code /metrics}.
 */
@SharedCluster
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsExampleTest {

    private static final int RECORDS = 100;

    @TempDir
    static Path directory;
    private static TestPki pki;
    private static KanalProcess proxy;
    private static int port;

    @BeforeAll
    static void startProxy(KafkaCluster cluster) throws Exception {
        pki = TestPki.create(directory, "Kanal Example CA");
        TestPki.Issued certificate = pki.issueRsa("kanal", "/CN=kanal", "IP:127.0.0.1");
        // The example gives node ids 0-31 a port each after the bootstrap port; the admin server takes the next.
        port = FreePorts.consecutive(34);
        proxy = KanalProcess.start("tls.yaml", Map.of(
                "KANAL_PORT", Integer.toString(port),
                "KANAL_ADMIN_PORT", Integer.toString(port + 33),
                "KAFKA_BOOTSTRAP", cluster.bootstrapServers(),
                "KANAL_TLS_CERT", certificate.certificateChain().toString(),
                "KANAL_TLS_KEY", certificate.key().toString()), port);
    }

    @AfterAll
    static void stopProxy() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void aClientTrustingTheCaProducesAndConsumesAndSeesOnlyTheProxysPorts(KafkaCluster cluster) throws Exception {
        String topic;
        try (Admin admin = cluster.directAdmin()) {
            topic = Topics.create(admin, "tls-example", 3);
        }
        List<String> values = IntStream.range(0, RECORDS).mapToObj(i -> "value-" + i).toList();
        try (KafkaProducer<String, String> producer = Clients.producer(proxy.bootstrapServers(), tls())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, value, value));
            }
            producer.flush();
        }
        Map<String, Object> consumerSettings = new HashMap<>(tls());
        consumerSettings.put(ConsumerConfig.GROUP_ID_CONFIG, Names.unique("tls-example"));
        try (KafkaConsumer<String, String> consumer = Clients.consumer(proxy.bootstrapServers(), consumerSettings)) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> records = Consuming.atLeast(consumer, RECORDS, Duration.ofSeconds(60));
            assertEquals(values.stream().sorted().toList(), records.stream().map(ConsumerRecord::value).sorted().toList(),
                    "every record exactly once");
        }

        Map<String, Object> adminSettings = new HashMap<>(tls());
        adminSettings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.bootstrapServers());
        try (Admin admin = Admin.create(adminSettings)) {
            for (Node node : admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)) {
                assertEquals("127.0.0.1", node.host(), node::toString);
                assertEquals(port + 1 + node.id(), node.port(), node::toString);
            }
        }
        assertTrue(successfulHandshakes() >= 3, "producer, consumer and admin connected with TLS");
    }

    private static Map<String, Object> tls() {
        return Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL",
                SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM",
                SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, pki.caCertificate().toString());
    }

    private static double successfulHandshakes() throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(proxy.adminUrl().orElseThrow() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher success = Pattern.compile("kanal_tls_handshakes_total\\{[^}]*outcome=\"success\"[^}]*} (\\S+)")
                .matcher(metrics.body());
        assertTrue(success.find(), metrics.body());
        return Double.parseDouble(success.group(1));
    }
}
