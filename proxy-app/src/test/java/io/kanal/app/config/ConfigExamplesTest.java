package io.kanal.app.config;

import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.sasl.ClientAuthentication;
import io.kanal.proxy.sasl.CredentialEntry;
import io.kanal.proxy.sasl.SaslMechanism;
import io.kanal.proxy.sasl.UpstreamCredentials;
import io.kanal.proxy.tls.TestPki;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every example shipped in config-examples/ must load as it is, with only the defaults of its variables and what an
 * example cannot default: secrets, a credentials file, and the certificate and key files the TLS examples name, made
 * for the test.
 */
class ConfigExamplesTest {

    private static final Path EXAMPLES = Path.of("..", "config-examples");

    @TempDir
    static Path directory;
    private static Map<String, String> certificateFiles;

    @BeforeAll
    static void makeCertificate() throws Exception {
        TestPki pki = TestPki.create(directory, "Kanal Example CA");
        TestPki.Issued certificate = pki.issue("kanal", "/CN=kanal", "IP:127.0.0.1", "DNS:*.kafka.example.com");
        certificateFiles = Map.of("KANAL_TLS_CERT", certificate.certificateChain().toString(),
                "KANAL_TLS_KEY", certificate.key().toString());
    }

    /** What a user sets for the examples that need secrets and files. */
    private static Map<String, String> environment() throws IOException {
        Path credentials = directory.resolve("credentials");
        if (!Files.exists(credentials)) {
            Files.writeString(credentials, CredentialEntry.create("orders-service", ScramMechanism.SCRAM_SHA_512,
                    "orders-secret", 4096).line() + "\n");
        }
        Map<String, String> environment = new HashMap<>(certificateFiles);
        environment.putAll(Map.of("KANAL_CREDENTIALS", credentials.toString(),
                "KAFKA_SASL_USERNAME", "kanal",
                "KAFKA_SASL_PASSWORD", "kanal-secret"));
        return environment;
    }

    @TestFactory
    Stream<DynamicTest> everyExampleLoads() throws IOException {
        assertTrue(Files.isDirectory(EXAMPLES), "no directory " + EXAMPLES.toAbsolutePath());
        List<Path> examples;
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            examples = files.filter(file -> file.toString().endsWith(".yaml") || file.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        }
        assertFalse(examples.isEmpty(), "no examples in " + EXAMPLES.toAbsolutePath());
        Map<String, String> environment = environment();
        return examples.stream().map(example -> DynamicTest.dynamicTest(example.getFileName().toString(),
                () -> new ConfigLoader(environment::get).load(example)));
    }

    @Test
    void theSaslTerminationExampleChecksClientsWithScramAndLogsInWithTheClustersCredentials() throws Exception {
        ProxyConfig config = new ConfigLoader(environment()::get).load(EXAMPLES.resolve("sasl-termination.yaml"));

        VirtualClusterConfig cluster = config.virtualClusters().get(0);
        ClientAuthentication clients = cluster.sasl().clients().orElseThrow();
        assertEquals(List.of(SaslMechanism.SCRAM_SHA_512, SaslMechanism.SCRAM_SHA_256), clients.mechanisms());
        assertTrue(clients.credentials().scramCredential("orders-service", ScramMechanism.SCRAM_SHA_512)
                .isPresent());
        assertEquals(UpstreamCredentials.password(SaslMechanism.SCRAM_SHA_512, "kanal", "kanal-secret"),
                cluster.sasl().upstream().orElseThrow());
    }
}
