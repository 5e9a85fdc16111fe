package io.kanal.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kanal.app.admin.EffectiveConfig;
import io.kanal.app.admin.SecretRedaction;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.sasl.ClientAuthentication;
import io.kanal.proxy.sasl.CredentialEntry;
import io.kanal.proxy.sasl.SaslMechanism;
import io.kanal.proxy.sasl.SaslSettings;
import io.kanal.proxy.sasl.UpstreamCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code virtualClusters[].sasl} and {@code target.sasl}: what they turn into, and errors that name the key. */
class SaslConfigTest {

    private static final String PASSWORD = "hunter2-broker-password";
    private static final String TOKEN = "hunter2-token";

    @TempDir
    Path directory;
    private Path credentials;

    @BeforeEach
    void writeCredentials() throws Exception {
        credentials = directory.resolve("credentials");
        Files.writeString(credentials, CredentialEntry.create("alice", ScramMechanism.SCRAM_SHA_512, "a", 4096).line()
                + "\n");
    }

    private VirtualClusterConfig load(String clusterSasl, String targetSasl) throws ConfigException {
        return new ConfigLoader(Map.of("PASSWORD", PASSWORD, "CREDENTIALS", credentials.toString())::get)
                .parse(yaml(clusterSasl, targetSasl)).virtualClusters().get(0);
    }

    private static String yaml(String clusterSasl, String targetSasl) {
        return "virtualClusters:\n"
                + "  - name: vc\n"
                + "    bootstrap: 127.0.0.1:9192\n"
                + (clusterSasl == null ? "" : "    sasl: " + clusterSasl + "\n")
                + "    target:\n"
                + "      bootstrapServers: kafka:9092\n"
                + (targetSasl == null ? "" : "      sasl: " + targetSasl + "\n");
    }

    private String error(String clusterSasl, String targetSasl) {
        return assertThrows(ConfigException.class, () -> load(clusterSasl, targetSasl)).getMessage();
    }

    @Test
    void withoutSaslSectionsSaslPassesThrough() throws Exception {
        assertEquals(SaslSettings.NONE, load(null, null).sasl());
    }

    @Test
    void terminationTakesTheDefaultsAndReadsTheCredentialsFile() throws Exception {
        ClientAuthentication clients = load("{ credentialsFile: \"${CREDENTIALS}\" }", null).sasl().clients()
                .orElseThrow();
        assertEquals(List.of(SaslMechanism.SCRAM_SHA_512, SaslMechanism.SCRAM_SHA_256), clients.mechanisms());
        assertEquals(Duration.ofSeconds(10), clients.timeout());
        assertEquals(Duration.ofSeconds(1), clients.failureDelay());
        assertTrue(clients.credentials().scramCredential("alice", ScramMechanism.SCRAM_SHA_512).isPresent());
    }

    @Test
    void terminationSettingsAsWritten() throws Exception {
        ClientAuthentication clients = load("{ mechanisms: [PLAIN, SCRAM-SHA-256], credentialsFile: \"${CREDENTIALS}\","
                + " authenticationTimeout: 3s, failureDelay: 0s }", null).sasl().clients().orElseThrow();
        assertEquals(List.of(SaslMechanism.PLAIN, SaslMechanism.SCRAM_SHA_256), clients.mechanisms());
        assertEquals(Duration.ofSeconds(3), clients.timeout());
        assertEquals(Duration.ZERO, clients.failureDelay());
        assertEquals(List.of(SaslMechanism.SCRAM_SHA_512, SaslMechanism.PLAIN), load("{ mechanisms: "
                + "\"SCRAM-SHA-512, PLAIN\", credentialsFile: \"${CREDENTIALS}\" }", null).sasl().clients()
                .orElseThrow().mechanisms(), "one comma-separated string, as an environment variable gives it");
    }

    @Test
    void upstreamCredentialsOfEachMechanism() throws Exception {
        assertEquals(UpstreamCredentials.password(SaslMechanism.SCRAM_SHA_256, "kanal", PASSWORD),
                load(null, "{ mechanism: SCRAM-SHA-256, username: kanal, password: \"${PASSWORD}\" }").sasl()
                        .upstream().orElseThrow());
        assertEquals(UpstreamCredentials.token(TOKEN),
                load(null, "{ mechanism: OAUTHBEARER, token: " + TOKEN + " }").sasl().upstream().orElseThrow());
        Path tokenFile = Files.writeString(directory.resolve("token"), TOKEN);
        assertEquals(UpstreamCredentials.tokenFile(tokenFile),
                load(null, "{ mechanism: OAUTHBEARER, tokenFile: " + tokenFile + " }").sasl().upstream()
                        .orElseThrow());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            { mechanisms: [SCRAM-SHA-512, GSSAPI], credentialsFile: x } | virtualClusters[0].sasl.mechanisms[1]: 'GSSAPI' is not a SASL mechanism Kanal knows (known: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)
            { mechanisms: OAUTHBEARER, credentialsFile: x }             | virtualClusters[0].sasl.mechanisms: the proxy cannot check clients' OAUTHBEARER tokens; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
            { mechanisms: [PLAIN, PLAIN], credentialsFile: x }          | virtualClusters[0].sasl.mechanisms[1]: PLAIN is listed twice
            { mechanisms: [], credentialsFile: x }                      | virtualClusters[0].sasl.mechanisms: at least one mechanism is required; leave the key out for SCRAM-SHA-512 and SCRAM-SHA-256
            { mechanisms: [PLAIN] }                                     | virtualClusters[0].sasl.credentialsFile: missing required key
            { credentialsFile: /nonexistent/credentials }               | virtualClusters[0].sasl.credentialsFile: cannot read /nonexistent/credentials: no such file
            { credentialsFile: "${CREDENTIALS}", authenticationTimeout: 0s } | virtualClusters[0].sasl.authenticationTimeout: must be longer than 0
            { credentialsFile: "${CREDENTIALS}", failureDelay: soon }   | virtualClusters[0].sasl.failureDelay: 'soon' is not a duration (write e.g. 500ms, 10s, 1m or 2h)
            { credentialsFile: "${CREDENTIALS}", users: [alice] }       | virtualClusters[0].sasl.users: unknown key (known: mechanisms, credentialsFile, authenticationTimeout, failureDelay)
            """)
    void aWrongTerminationSettingNamesItsKey(String section, String expected) {
        assertEquals(expected, error(section, null));
    }

    @Test
    void aBadLineOfTheCredentialsFileIsNamedWithItsKey() throws Exception {
        Files.writeString(credentials, "alice SCRAM-SHA-512 salt=only\n");
        assertEquals("virtualClusters[0].sasl.credentialsFile: " + credentials + " line 1: the credential must have "
                + "exactly salt, stored_key, server_key and iterations; it has salt",
                error("{ credentialsFile: \"${CREDENTIALS}\" }", null));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            { username: kanal, password: "${PASSWORD}" }                     | virtualClusters[0].target.sasl.mechanism: missing required key
            { mechanism: SCRAM-SHA-1, username: k, password: p }              | virtualClusters[0].target.sasl.mechanism: 'SCRAM-SHA-1' is not a SASL mechanism Kanal knows (known: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)
            { mechanism: PLAIN, username: kanal }                             | virtualClusters[0].target.sasl.password: missing required key
            { mechanism: SCRAM-SHA-512, password: "${PASSWORD}" }            | virtualClusters[0].target.sasl.username: missing required key
            { mechanism: SCRAM-SHA-512, username: kanal, password: "" }       | virtualClusters[0].target.sasl.password: must not be empty
            { mechanism: PLAIN, username: k, password: "${PASSWORD}", token: t } | virtualClusters[0].target.sasl.token: applies to OAUTHBEARER only
            { mechanism: OAUTHBEARER, token: t, password: "${PASSWORD}" }    | virtualClusters[0].target.sasl.password: applies to PLAIN and SCRAM only; OAUTHBEARER logs in with token or tokenFile
            { mechanism: OAUTHBEARER }                                        | virtualClusters[0].target.sasl: OAUTHBEARER needs exactly one of token and tokenFile
            { mechanism: OAUTHBEARER, token: t, tokenFile: /t }               | virtualClusters[0].target.sasl: OAUTHBEARER needs exactly one of token and tokenFile
            { mechanism: OAUTHBEARER, tokenFile: /nonexistent/token }         | virtualClusters[0].target.sasl.tokenFile: cannot read the token file /nonexistent/token: no such file
            """)
    void aWrongUpstreamSettingNamesItsKeyAndNeverThePassword(String section, String expected) {
        String message = error(null, section);
        assertEquals(expected, message);
        assertFalse(message.contains(PASSWORD), message);
    }

    @Test
    void configShowsTheEffectiveTerminationSettingsAndHidesTheSecrets() throws Exception {
        KanalConfig config = new ConfigLoader(Map.of("PASSWORD", PASSWORD, "CREDENTIALS", credentials.toString())::get)
                .parseAll(yaml("{ credentialsFile: \"${CREDENTIALS}\" }",
                        "{ mechanism: SCRAM-SHA-512, username: kanal, password: \"${PASSWORD}\" }"));
        JsonNode shown = SecretRedaction.redact(EffectiveConfig.of(config));

        JsonNode sasl = shown.path("virtualClusters").path(0).path("sasl");
        assertEquals("[\"SCRAM-SHA-512\",\"SCRAM-SHA-256\"]", sasl.path("mechanisms").toString());
        assertEquals("10s", sasl.path("authenticationTimeout").asText());
        assertEquals("1s", sasl.path("failureDelay").asText());
        JsonNode target = shown.path("virtualClusters").path(0).path("target").path("sasl");
        assertEquals("kanal", target.path("username").asText());
        assertEquals(SecretRedaction.REDACTED, target.path("password").asText());
        assertFalse(shown.toString().contains(PASSWORD), shown.toString());
        assertFalse(config.proxy().toString().contains(PASSWORD), "the engine's configuration prints no password");

        KanalConfig oauth = new ConfigLoader(Map.<String, String>of()::get).parseAll(yaml(null,
                "{ mechanism: OAUTHBEARER, token: " + TOKEN + " }"));
        JsonNode shownToken = SecretRedaction.redact(EffectiveConfig.of(oauth));
        assertEquals(SecretRedaction.REDACTED, shownToken.path("virtualClusters").path(0).path("target").path("sasl")
                .path("token").asText());
        assertFalse(shownToken.toString().contains(TOKEN), shownToken.toString());
        assertFalse(oauth.proxy().toString().contains(TOKEN), "the engine's configuration prints no token");
    }
}
