package io.kanal.it.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.it.Clients;
import io.kanal.it.Consuming;
import io.kanal.it.KanalProcess;
import io.kanal.it.Names;
import io.kanal.proxy.testing.FreePorts;
import io.kanal.proxy.tls.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS from kanal.jar to a broker that speaks only TLS and requires client certificates (a one-broker cluster of this
 * class's own): plaintext clients produce and consume through the proxy, {@code /readyz} reaches the broker with the
 * same TLS settings, and a broker addressed by a name its certificate does not carry is refused with a log line that
 * says so.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UpstreamTlsTest {

    private static final String PASSWORD = "broker-store-password";
    private static final int RECORDS = 100;

    @TempDir
    static Path directory;
    private static TestPki pki;
    private static Path proxyKeyStore;
    private static TestPki.Issued proxyIdentity;
    private static Path trustStore;
    private static SslKafkaCluster broker;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = TestPki.create(directory, "Kanal Broker CA");
        // Only the IP address: a proxy that connects to "localhost" must refuse this certificate.
        Path brokerKeyStore = pki.pkcs12(pki.issue("broker", "/CN=broker", "IP:127.0.0.1"), PASSWORD);
        proxyIdentity = pki.issue("kanal", "/CN=kanal-proxy");
        proxyKeyStore = pki.pkcs12(proxyIdentity, PASSWORD);
        trustStore = pki.trustStore("PKCS12", PASSWORD);
        broker = SslKafkaCluster.start(brokerKeyStore, trustStore, PASSWORD);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void plaintextClientsProduceAndConsumeThroughAProxyThatSpeaksTlsToTheBroker() throws Exception {
        String topic = Names.unique("upstream-tls");
        try (Admin admin = broker.directAdmin(proxyKeyStore, trustStore, PASSWORD)) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        int port = FreePorts.consecutive(3);
        // The admin server is on: start() waits for /readyz, which needs the target probe to get through TLS.
        try (KanalProcess proxy = start(port, "127.0.0.1", true)) {
            List<String> values = IntStream.range(0, RECORDS).mapToObj(i -> "over-tls-" + i).toList();
            try (KafkaProducer<String, String> producer = Clients.producer(proxy.bootstrapServers(), Map.of())) {
                for (String value : values) {
                    producer.send(new ProducerRecord<>(topic, value, value));
                }
                producer.flush();
            }
            try (KafkaConsumer<String, String> consumer = Clients.consumer(proxy.bootstrapServers(),
                    Map.of(ConsumerConfig.GROUP_ID_CONFIG, Names.unique("upstream-tls")))) {
                consumer.subscribe(List.of(topic));
                List<ConsumerRecord<String, String>> records = Consuming.atLeast(consumer, RECORDS,
                        Duration.ofSeconds(60));
                assertEquals(values.stream().sorted().toList(),
                        records.stream().map(ConsumerRecord::value).sorted().toList());
            }
            assertTrue(proxy.readLog().contains("(TLS) of virtual cluster 'upstream' answered"), proxy::readLog);
        }
    }

    @Test
    void aBrokerAddressedByANameItsCertificateDoesNotCarryIsRefused() throws Exception {
        int port = FreePorts.consecutive(3);
        try (KanalProcess proxy = start(port, "localhost", false);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.bootstrapServers(),
                     AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000,
                     AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000))) {
            assertThrows(ExecutionException.class, () -> admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS));
            String log = proxy.readLog();
            assertTrue(log.contains("broker localhost:" + broker.port() + ": TLS: No name matching localhost found"),
                    log);
        }
    }

    /** Kanal in front of the TLS broker, which it addresses as {@code host}; the admin server only if asked for. */
    private static KanalProcess start(int port, String host, boolean admin) throws Exception {
        Path config = directory.resolve("upstream-" + port + ".yaml");
        Files.writeString(config, """
                virtualClusters:
                  - name: upstream
                    bootstrap: 127.0.0.1:%d
                    nodeIds: { first: 0, last: 0 }
                    target:
                      bootstrapServers: %s:%d
                      tls:
                        trustStore: { file: %s }
                        keyStore: { file: %s, password: "${STORE_PASSWORD}" }
                admin: %s
                """.formatted(port, host, broker.port(), pki.caCertificate(), proxyKeyStore,
                admin ? "{ listen: \"127.0.0.1:" + (port + 2) + "\" }" : "{ enabled: false }"));
        return KanalProcess.start(config, List.of(), Map.of("STORE_PASSWORD", PASSWORD), port);
    }
}
