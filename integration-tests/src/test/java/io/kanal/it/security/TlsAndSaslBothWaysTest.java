package io.kanal.it.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.kanal.it.ChildProcess;
import io.kanal.it.KanalProcess;
import io.kanal.it.RoundTrip;
import io.kanal.it.sasl.SaslClients;
import io.kanal.it.sasl.SaslKafkaBroker;
import io.kanal.proxy.testing.FreePorts;
import io.kanal.proxy.tls.TestPki;

/**
 * TLS and SASL both ways through the real kanal.jar: a Java client connects with a client certificate (mutual TLS)
 * and logs in to Kanal with SCRAM-SHA-512 as a user only Kanal knows; Kanal connects to the broker's SASL_SSL listener
 * with TLS, checking the broker's certificate, and logs in there with SCRAM-SHA-512 as a user only the broker knows.
 * Kanal is ready only once its probe got through both to the broker; records go through exactly once, as the user
 * the client logged in as; and a client that lacks either proof is refused.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsAndSaslBothWaysTest {

    private static final String APP_USER = "alice";
    private static final String APP_PASSWORD = "alice-at-kanal";
    private static final String BROKER_USER = "kanal";
    private static final String BROKER_PASSWORD = "kanal-at-the-broker";
    private static final String STORE_PASSWORD = "store-password";
    private static final String PRINCIPAL_HEADER = "x-principal";
    private static final int RECORDS = 300;

    @TempDir
    static Path directory;
    private static TestPki pki;
    private static Path laptopKeyStore;
    private static SaslKafkaBroker broker;
    private static KanalProcess kanal;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(directory.resolve("pki"), "Kanal IT CA");
        broker = SaslKafkaBroker.startWithTls(Map.of(BROKER_USER, BROKER_PASSWORD),
                pki.pkcs12(pki.issue("broker", "/CN=broker", "IP:127.0.0.1"), STORE_PASSWORD), STORE_PASSWORD);
        TestPki.Issued server = pki.issue("kanal", "/CN=kanal", "IP:127.0.0.1");
        // The certificate names a device; the SASL login names the user, and wins.
        laptopKeyStore = pki.pkcs12(pki.issue("laptop", "/O=Kanal IT/CN=alice-laptop"), STORE_PASSWORD);

        Path credentials = directory.resolve("credentials");
        ChildProcess.Result added = KanalProcess.command(List.of("credentials", "add", "--file",
                credentials.toString(), "--user", APP_USER, "--mechanism", "SCRAM-SHA-512"), APP_PASSWORD + "\n");
        assertEquals(0, added.exitCode(), added::describe);

        int port = FreePorts.consecutive(3);
        Path config = Files.writeString(directory.resolve("kanal.yaml"), """
                virtualClusters:
                  - name: secure
                    bootstrap: 127.0.0.1:%d
                    nodeIds: { first: %d, last: %d }
                    tls:
                      certificateFile: %s
                      keyFile: %s
                      clientAuth: required
                      trustStore: { file: %s }
                      principalMappingRules: "RULE:^CN=(.*?),.*$/$1/,DEFAULT"
                    sasl:
                      mechanisms: [SCRAM-SHA-512]
                      credentialsFile: %s
                    target:
                      bootstrapServers: %s
                      tls:
                        trustStore: { file: %s }
                      sasl: { mechanism: SCRAM-SHA-512, username: %s, password: "${BROKER_PASSWORD}" }
                    filters: [principal]
                filters:
                  - name: principal
                    type: header-inject
                    config: { headers: [ { key: %s, from: principal } ] }
                admin: { listen: "127.0.0.1:%d" }
                """.formatted(port, SaslKafkaBroker.NODE_ID, SaslKafkaBroker.NODE_ID, server.certificateChain(),
                server.key(), pki.caCertificate(), credentials, broker.saslAddress(), pki.caCertificate(),
                BROKER_USER, PRINCIPAL_HEADER, port + 2));
        // Returns once /readyz answers 200, which takes the probe's SASL_SSL login to the broker.
        kanal = KanalProcess.start(config, List.of(), Map.of("BROKER_PASSWORD", BROKER_PASSWORD), port);
    }

    @AfterAll
    static void stop() throws Exception {
        KanalProcess.stop(kanal, broker, APP_PASSWORD, BROKER_PASSWORD);
    }

    @Test
    void recordsGoThroughOnceAsTheUserTheClientLoggedInAs() throws Exception {
        assertEquals(200, get("/readyz").statusCode());
        assertTrue(kanal.readLog().contains("target cluster " + broker.saslAddress()
                + " (TLS) of virtual cluster 'secure' answered"), kanal::readLog);
        String topic = broker.createTopic("tls-and-sasl", 1);
        List<String> values = IntStream.range(0, RECORDS).mapToObj(i -> "secure record " + i).toList();

        List<ConsumerRecord<String, String>> records = RoundTrip.produceAndConsume(kanal.bootstrapServers(),
                client(true, APP_PASSWORD), topic, values);

        assertEquals(values, records.stream().map(ConsumerRecord::value).toList(),
                "one partition: every record once, in order");
        for (ConsumerRecord<String, String> record : records) {
            Header principal = record.headers().lastHeader(PRINCIPAL_HEADER);
            assertEquals("User:" + APP_USER, principal == null ? null
                    : new String(principal.value(), StandardCharsets.UTF_8));
        }
        assertTrue(metric("kanal_authentications_total", "SCRAM-SHA-512", "success") >= 2,
                "the producer and the consumer logged in at Kanal");
        assertTrue(metric("kanal_upstream_authentications_total", "SCRAM-SHA-512", "success") >= 2,
                "Kanal logged in to the broker for each of their connections");
    }

    @Test
    void aClientNeedsBothItsCertificateAndItsPassword() throws Exception {
        ExecutionException wrongPassword = assertThrows(ExecutionException.class,
                () -> describeCluster(client(true, "not-" + APP_PASSWORD)));
        assertInstanceOf(SaslAuthenticationException.class, wrongPassword.getCause(), wrongPassword::toString);

        ExecutionException noCertificate = assertThrows(ExecutionException.class,
                () -> describeCluster(client(false, APP_PASSWORD)));
        assertInstanceOf(SslAuthenticationException.class, noCertificate.getCause(), noCertificate::toString);

        assertFalse(kanal.readLog().contains("not-" + APP_PASSWORD), "a password in Kanal's log");
    }

    /** A client of Kanal: SASL_SSL trusting Kanal's CA, SCRAM-SHA-512 as alice, and the laptop's certificate. */
    private static Map<String, Object> client(boolean withCertificate, String password) {
        Map<String, Object> settings = new HashMap<>(SaslClients.login("SCRAM-SHA-512", APP_USER, password));
        settings.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        settings.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        settings.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, pki.caCertificate().toString());
        if (withCertificate) {
            settings.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
            settings.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, laptopKeyStore.toString());
            settings.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, STORE_PASSWORD);
        }
        return settings;
    }

    private static void describeCluster(Map<String, Object> settings) throws Exception {
        Map<String, Object> config = new HashMap<>(settings);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kanal.bootstrapServers());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(kanal.adminUrl().orElseThrow() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A counter of {@code /metrics} for the virtual cluster, 0 when it was never counted. */
    private static double metric(String name, String mechanism, String result) throws Exception {
        Matcher matcher = Pattern.compile(Pattern.quote(name) + "\\{mechanism=\"" + Pattern.quote(mechanism)
                + "\",result=\"" + result + "\",virtual_cluster=\"secure\"} (\\S+)").matcher(get("/metrics").body());
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }
}
