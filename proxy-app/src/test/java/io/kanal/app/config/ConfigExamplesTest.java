package io.kanal.app.config;

import io.kanal.proxy.tls.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every example shipped in config-examples/ must load as it is, with only the defaults of its variables, and the
 * certificate and key files the TLS examples name made for the test.
 */
class ConfigExamplesTest {

    private static final Path EXAMPLES = Path.of("..", "config-examples");

    @TempDir
    static Path directory;
    private static Map<String, String> environment;

    @BeforeAll
    static void makeCertificate() throws Exception {
        TestPki pki = TestPki.create(directory, "Kanal Example CA");
        TestPki.Issued certificate = pki.issue("kanal", "/CN=kanal", "IP:127.0.0.1", "DNS:*.kafka.example.com");
        environment = Map.of("KANAL_TLS_CERT", certificate.certificateChain().toString(),
                "KANAL_TLS_KEY", certificate.key().toString());
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
        return examples.stream().map(example -> DynamicTest.dynamicTest(example.getFileName().toString(),
                () -> new ConfigLoader(environment::get).load(example)));
    }
}
