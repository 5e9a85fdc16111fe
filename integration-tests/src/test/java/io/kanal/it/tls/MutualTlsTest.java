package io.kanal.it.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.it.ChildProcess;
import io.kanal.it.KafkaCluster;
import io.kanal.it.KanalProcess;
import io.kanal.it.RoundTrip;
import io.kanal.it.SharedCluster;
import io.kanal.it.Topics;
import io.kanal.proxy.testing.FreePorts;
import io.kanal.proxy.tls.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS between clients and the real kanal.jar in front of the shared cluster: the Java client and kcat
 * (librdkafka) produce and consume with a client certificate, a client without one is refused, and the principal its
 * certificate maps to reaches the filter chain, which writes it into every record (header-inject, {@code from:
 * principal}).
 */
@SharedCluster
@Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MutualTlsTest {

    private static final String KEY_PASSWORD = "kanal-key-password";
    private static final String STORE_PASSWORD = "alice-store-password";
    private static final String PRINCIPAL_HEADER = "x-principal";
    private static final int RECORDS = 200;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path directory;
    private static TestPki pki;
    private static Path aliceKeyStore;
    private static TestPki.Issued kcatClient;
    private static KanalProcess proxy;
    private static String bootstrap;

    @BeforeAll
    static void startProxy(KafkaCluster cluster) throws Exception {
        pki = TestPki.create(directory.resolve("pki"), "Kanal IT CA");
        TestPki.Issued server = pki.issue("kanal", "/CN=kanal", "IP:127.0.0.1", "DNS:localhost");
        Path encryptedKey = pki.encryptedKey(server, KEY_PASSWORD);
        aliceKeyStore = pki.pkcs12(pki.issue("alice", "/O=Kanal IT/CN=alice"), STORE_PASSWORD);
        kcatClient = pki.issue("kcat", "/O=Kanal IT/CN=kcat-client");

        int brokers = KafkaCluster.LAST_BROKER_ID - KafkaCluster.FIRST_BROKER_ID + 1;
        int port = FreePorts.consecutive(1 + brokers + 1);
        Path config = directory.resolve("mtls.yaml");
        Files.writeString(config, """
                virtualClusters:
                  - name: mtls
                    bootstrap: 127.0.0.1:%d
                    nodeIds: { first: %d, last: %d }
                    tls:
                      certificateFile: %s
                      keyFile: %s
                      keyPassword: ${KEY_PASSWORD}
                      clientAuth: required
                      trustStore: { file: %s }
                      principalMappingRules: "RULE:^CN=(.*?),.*$/$1/,DEFAULT"
                    target: { bootstrapServers: "${KAFKA_BOOTSTRAP}" }
                    filters: [principal]
                filters:
                  - name: principal
                    type: header-inject
                    config: { headers: [ { key: %s, from: principal } ] }
                admin: { listen: "127.0.0.1:%d" }
                """.formatted(port, KafkaCluster.FIRST_BROKER_ID, KafkaCluster.LAST_BROKER_ID,
                server.certificateChain(), encryptedKey, pki.caCertificate(), PRINCIPAL_HEADER, port + brokers + 1));
        proxy = KanalProcess.start(config, List.of(), Map.of("KEY_PASSWORD", KEY_PASSWORD,
                "KAFKA_BOOTSTRAP", cluster.bootstrapServers()), port);
        bootstrap = proxy.bootstrapServers();
    }

    @AfterAll
    static void stopProxy() throws Exception {
        if (proxy != null) {
            proxy.close();
            assertTrue(proxy.readLog().contains("TLS provider: "), "the log names the TLS provider");
            proxy.assertLogOmits(KEY_PASSWORD);
        }
    }

    @Test
    void aJavaClientWithACertificateProducesAndConsumesAsItsPrincipal(KafkaCluster cluster) throws Exception {
        String topic;
        try (Admin admin = cluster.directAdmin()) {
            topic = Topics.create(admin, "mtls-java", 1);
        }
        List<String> values = IntStream.range(0, RECORDS).mapToObj(i -> "record-" + i).toList();

        List<ConsumerRecord<String, String>> records = RoundTrip.produceAndConsume(bootstrap, alice(), topic, values);
        assertEquals(values, records.stream().map(ConsumerRecord::value).toList(), "every record, once, in order");
        for (ConsumerRecord<String, String> record : records) {
            Header principal = record.headers().lastHeader(PRINCIPAL_HEADER);
            assertEquals("User:alice", principal == null ? null : new String(principal.value(),
                    StandardCharsets.UTF_8));
        }
    }

    @Test
    void aJavaClientWithoutACertificateIsRefused() {
        Map<String, Object> settings = new HashMap<>(trustOnly());
        settings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        try (Admin admin = Admin.create(settings)) {
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS));
            assertInstanceOf(SslAuthenticationException.class, refused.getCause(), refused::toString);
        }
    }

    @Test
    void kcatWithACertificateProducesAndConsumesAsItsPrincipal(KafkaCluster cluster) throws Exception {
        Path kcat = ChildProcess.kcat();
        String topic;
        try (Admin admin = cluster.directAdmin()) {
            topic = Topics.create(admin, "mtls-kcat", 3);
        }
        List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> "kcat line " + i).toList();

        ChildProcess.Result produced = ChildProcess.run(kcat(kcat, true, "-P", "-t", topic),
                String.join("\n", lines) + "\n", READ_TIMEOUT);
        assertEquals(0, produced.exitCode(), produced::describe);
        // %h: the record's headers as key=value; %s: its value.
        ChildProcess.Result consumed = ChildProcess.run(kcat(kcat, true, "-C", "-t", topic, "-o", "beginning", "-e",
                "-q", "-f", "%h|%s\\n"), "", READ_TIMEOUT);
        assertEquals(0, consumed.exitCode(), consumed::describe);

        List<String> expected = lines.stream().map(line -> PRINCIPAL_HEADER + "=User:kcat-client|" + line).sorted()
                .collect(Collectors.toList());
        assertEquals(expected, consumed.stdoutLines().stream().sorted().collect(Collectors.toList()),
                consumed::describe);
    }

    @Test
    void kcatWithoutACertificateIsRefused() throws Exception {
        ChildProcess.Result listed = ChildProcess.run(kcat(ChildProcess.kcat(), false, "-L", "-m", "10"), "", READ_TIMEOUT);
        assertNotEquals(0, listed.exitCode(), listed::describe);
        assertTrue(listed.stderr().contains("SSL") || listed.stderr().contains("certificate"), listed::describe);
    }

    /** Alice: her certificate in a PKCS12 key store, the proxy's CA as PEM. */
    private static Map<String, Object> alice() {
        Map<String, Object> settings = new HashMap<>(trustOnly());
        settings.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
        settings.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, aliceKeyStore.toString());
        settings.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, STORE_PASSWORD);
        return settings;
    }

    private static Map<String, Object> trustOnly() {
        return Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL",
                SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM",
                SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, pki.caCertificate().toString());
    }

    private static List<String> kcat(Path kcat, boolean withCertificate, String... arguments) {
        List<String> command = new ArrayList<>(List.of(kcat.toString(), "-b", bootstrap,
                "-X", "security.protocol=SSL", "-X", "ssl.ca.location=" + pki.caCertificate()));
        if (withCertificate) {
            command.addAll(List.of("-X", "ssl.certificate.location=" + kcatClient.certificateChain(),
                    "-X", "ssl.key.location=" + kcatClient.key()));
        }
        command.addAll(List.of(arguments));
        return command;
    }
}
