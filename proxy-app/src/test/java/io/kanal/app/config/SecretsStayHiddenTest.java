package io.kanal.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.kanal.app.admin.AdminServer;
import io.kanal.app.admin.EffectiveConfig;
import io.kanal.app.admin.Readiness;
import io.kanal.app.admin.SecretRedaction;
import io.kanal.app.metrics.KanalMetrics;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.FilterFactory;
import io.kanal.proxy.filter.FilterFactoryContext;
import io.kanal.proxy.tls.TestPki;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Secrets written in the configuration — under the key names {@code /config} redacts — appear in no configuration
 * error, no log line and not in {@code /config}, whatever else is wrong with the file. Each broken configuration
 * holds the same secrets next to the mistake, and goes through the real loader.
 */
class SecretsStayHiddenTest {

    private static final String PASSWORD = "hunter2-password";
    private static final String JAAS_SECRET = "s3cr3t-in-jaas";
    private static final String API_KEY = "hunter2-api-key";
    private static final String FROM_ENVIRONMENT = "hunter2-from-env";
    private static final List<String> SECRETS = List.of(PASSWORD, JAAS_SECRET, API_KEY, FROM_ENVIRONMENT, "hunter2");

    private static final Map<String, String> ENVIRONMENT = Map.of("DB_PASSWORD", FROM_ENVIRONMENT);

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Logger kanal = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("io.kanal");
    private Level kanalLevel;
    private ConfigLoader loader;

    @BeforeEach
    void captureLogs() {
        // Everything Kanal logs, debug lines included.
        kanalLevel = kanal.getLevel();
        kanal.setLevel(Level.DEBUG);
        logs.start();
        root.addAppender(logs);
        loader = new ConfigLoader(ENVIRONMENT::get, new SimpleMeterRegistry(), Optional.empty());
    }

    @AfterEach
    void stopCapturing() {
        loader.close();
        root.detachAppender(logs);
        logs.stop();
        kanal.setLevel(kanalLevel);
    }

    /** A virtual cluster using filter {@code secret}, whose config is {@code config} (flow style). */
    private static String withFilterConfig(String config) {
        return """
                virtualClusters:
                  - name: vc
                    bootstrap: 127.0.0.1:9192
                    target: { bootstrapServers: kafka:9092 }
                    filters: [secret]
                filters:
                  - name: secret
                    type: test-with-secrets
                    config: %s
                """.formatted(config);
    }

    /** The secrets as they are written next to every mistake below. */
    private static final String SECRET_SETTINGS = "password: " + PASSWORD + ", properties: { sasl.jaas.config: "
            + "\"org.apache.kafka.common.security.plain.PlainLoginModule required username=\\\"u\\\" password=\\\""
            + JAAS_SECRET + "\\\";\" }, apiKey: 12345";

    static Stream<Arguments> brokenConfigurations() {
        return Stream.of(
                Arguments.of("a wrong value next to the secrets",
                        withFilterConfig("{ " + SECRET_SETTINGS + ", limit: not-a-number }"),
                        "filters[0].config.limit: 'not-a-number' is not a whole number"),
                Arguments.of("a wrong value in a secret",
                        withFilterConfig("{ password: p, apiKey: " + API_KEY + " }"),
                        "filters[0].config.apiKey: the value is not a whole number (not shown: its key names a "
                                + "secret)"),
                Arguments.of("a number too large in a secret",
                        withFilterConfig("{ password: p, apiKey: 99999999999999999999 }"),
                        "filters[0].config.apiKey: cannot be read (the value is not shown: its key names a secret)"),
                Arguments.of("a mapping where a secret string goes",
                        withFilterConfig("{ password: { value: " + PASSWORD + " } }"),
                        "filters[0].config.password: expected a single value"),
                Arguments.of("an unclosed placeholder in a secret",
                        withFilterConfig("{ password: \"" + PASSWORD + "${\" }"),
                        "filters[0].config.password: '${' without a closing '}'"),
                Arguments.of("a placeholder in a secret that names no variable",
                        withFilterConfig("{ password: \"${" + PASSWORD + "!}\" }"),
                        "filters[0].config.password: a '${...}' does not name an environment variable"),
                Arguments.of("a secret under an unknown key",
                        withFilterConfig("{ " + SECRET_SETTINGS + ", secretToken: " + PASSWORD + " }"),
                        "filters[0].config.secretToken: unknown key (known: password, apiKey, properties, limit)"),
                Arguments.of("a filter that refuses its settings",
                        withFilterConfig("{ " + SECRET_SETTINGS + ", limit: -1 }"),
                        "filters[0].config: limit must not be negative"),
                Arguments.of("a secret from the environment next to a wrong network value",
                        withFilterConfig("{ password: \"${DB_PASSWORD}\" }") + "network: { idleTimeout: forever }\n",
                        "network.idleTimeout: 'forever' is not a duration (write e.g. 500ms, 10s, 1m or 2h)"),
                Arguments.of("a YAML syntax error inside a secret",
                        withFilterConfig("{ password: \"" + PASSWORD + "\n  broken: [") + "\n",
                        "filters[0].config.password: line 12, column 1: found unexpected end of stream (while "
                                + "scanning a quoted scalar)"),
                Arguments.of("a duplicate secret key",
                        withFilterConfig("{ password: " + PASSWORD + ", password: " + PASSWORD + " }"),
                        "filters[0].config.password: line 9, column 51: duplicate key 'password'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenConfigurations")
    void aConfigurationErrorNeverRepeatsASecret(String what, String yaml, String expectedMessage) {
        String message = assertThrows(ConfigException.class, () -> loader.parseAll(yaml)).getMessage();

        assertEquals(expectedMessage, message);
        assertNoSecretIn(message, "the error message");
        assertNoSecretInLogs();
    }

    @Test
    void configServesSecretsRedacted() throws Exception {
        KanalConfig config = loader.parseAll(withFilterConfig("{ " + SECRET_SETTINGS.replace("12345", "67890")
                + ", limit: 3 }").replace(PASSWORD, "\"${DB_PASSWORD}\""));
        JsonNode effective = EffectiveConfig.of(config.document(), config.proxy(), config.admin());

        try (KanalMetrics metrics = KanalMetrics.create();
             AdminServer admin = AdminServer.start(new HostPort("127.0.0.1", 0), metrics.registry(), new Readiness(),
                     () -> effective)) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(admin.url() + "/config")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertNoSecretIn(response.body(), "/config");
            assertFalse(response.body().contains("67890"), response.body());
            assertTrue(response.body().contains("[redacted]"), response.body());
        }
        assertNoSecretInLogs();
    }

    @Test
    void tlsPasswordsAreRedactedInConfigWhileFilesStayVisible(@TempDir Path directory) throws Exception {
        TestPki pki = TestPki.create(directory, "Kanal Test CA");
        TestPki.Issued certificate = pki.issue("kanal", "/CN=kanal", "IP:127.0.0.1");
        Path keyStore = pki.pkcs12(certificate, PASSWORD);
        Path trustStore = pki.trustStore("PKCS12", FROM_ENVIRONMENT);
        KanalConfig config = loader.parseAll("""
                virtualClusters:
                  - name: vc
                    bootstrap: 127.0.0.1:9192
                    tls:
                      keyStore: { file: %s, password: %s, keyPassword: %s }
                      clientAuth: required
                      trustStore: { file: %s, password: "${DB_PASSWORD}" }
                    target:
                      bootstrapServers: kafka:9093
                      tls:
                        trustStore: { file: %s, password: "${DB_PASSWORD}" }
                        certificateFile: %s
                        keyFile: %s
                        keyPassword: ""
                """.formatted(keyStore, PASSWORD, PASSWORD, trustStore, trustStore, certificate.certificateChain(),
                certificate.key()));

        JsonNode effective = EffectiveConfig.of(config.document(), config.proxy(), config.admin());
        String served = SecretRedaction.redact(effective).toString();
        assertTrue(effective.toString().contains(PASSWORD), "the test must hide something: " + effective);
        assertNoSecretIn(served, "/config");
        assertTrue(served.contains(keyStore.toString()) && served.contains(certificate.key().toString()), served);
        assertTrue(served.contains("\"keyPassword\":\"[redacted]\""), served);
        assertNoSecretInLogs();
    }

    @Test
    void sectionsAsWrittenShowNoSecretInToString() {
        KeyStoreSection keyStore = new KeyStoreSection("kanal.p12", null, PASSWORD, FROM_ENVIRONMENT, null);
        TrustStoreSection trustStore = new TrustStoreSection("clients.p12", "PKCS12", JAAS_SECRET);
        DownstreamTlsSection tls = new DownstreamTlsSection(null, null, PASSWORD, keyStore, "required", trustStore,
                null, null, null);
        UpstreamTlsSection targetTls = new UpstreamTlsSection(trustStore, "client.pem", "client.key", API_KEY, null,
                null, null, null);
        TargetSaslSection login = new TargetSaslSection("OAUTHBEARER", null, PASSWORD, API_KEY, null);
        VirtualClusterSection cluster = new VirtualClusterSection("vc", "127.0.0.1:9192", null, null,
                new TargetSection(List.of("kafka:9093"), targetTls, login), null, tls, null, null);

        String text = cluster.toString();
        assertNoSecretIn(text, "toString()");
        assertTrue(text.contains("kanal.p12") && text.contains("client.key") && text.contains("OAUTHBEARER"), text);
        assertTrue(text.contains("keyPassword=[redacted]") && text.contains("username=null"), text);
    }

    private void assertNoSecretInLogs() {
        for (ILoggingEvent event : logs.list) {
            String line = event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
            assertNoSecretIn(line, "a log line");
        }
    }

    private static void assertNoSecretIn(String text, String where) {
        for (String secret : SECRETS) {
            assertFalse(text.contains(secret), where + " repeats the secret '" + secret + "': " + text);
        }
    }

    /** Type {@code test-with-secrets}: a filter whose settings hold secrets, and a limit it checks. */
    public static final class WithSecrets implements FilterFactory<WithSecrets.Settings> {

        /** Settings the way a filter that logs in somewhere would have them. */
        public record Settings(String password, Integer apiKey, Map<String, String> properties, Integer limit) {
        }

        @Override
        public String type() {
            return "test-with-secrets";
        }

        @Override
        public Class<Settings> configType() {
            return Settings.class;
        }

        @Override
        public Filter create(Settings config, FilterFactoryContext context) {
            if (config.limit() != null && config.limit() < 0) {
                throw new IllegalArgumentException("limit must not be negative");
            }
            return hooks -> {
            };
        }
    }
}
