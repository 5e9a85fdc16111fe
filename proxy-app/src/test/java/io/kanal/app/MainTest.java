package io.kanal.app;

import io.kanal.proxy.testing.FreePorts;
import io.kanal.proxy.tls.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<Runnable> shutdownHooks = new CopyOnWriteArrayList<>();

    @TempDir
    Path directory;

    private Main main(Map<String, String> environment) {
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), environment::get, shutdownHooks::add);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsHelp() {
        assertEquals(Main.EXIT_OK, main(Map.of()).execute("--help"));
        assertTrue(out().startsWith("Usage: kanal [--config FILE]"), out());
        assertEquals("", err());
    }

    @Test
    void exitsWithTwoOnAnUnknownArgument() {
        assertEquals(Main.EXIT_USAGE, main(Map.of()).execute("--bogus"));
        assertEquals("kanal: unknown argument '--bogus'\n" + CommandLine.SYNOPSIS + "\n", err());
    }

    @Test
    void reportsAConfigErrorOnOneLineAndExitsWithTwo() throws IOException {
        Path config = write("""
                virtualClusters:
                  - name: a
                    bootstrp: 127.0.0.1:9192
                """);

        assertEquals(Main.EXIT_USAGE, main(Map.of()).execute("--config", config.toString()));
        assertEquals("kanal: config error: virtualClusters[0].bootstrp: unknown key "
                + "(known: name, bootstrap, advertisedHost, nodeIds, target, filters, tls, sni, sasl)\n", err());
    }

    @Test
    void aWrongKeyPasswordStopsStartUpNamingTheKeyAndNotThePassword() throws Exception {
        TestPki pki = TestPki.create(directory.resolve("pki"), "Kanal Test CA");
        TestPki.Issued certificate = pki.issue("kanal", "/CN=kanal", "IP:127.0.0.1");
        Path key = pki.encryptedKey(certificate, "the-right-one");
        Path config = write("""
                virtualClusters:
                  - name: a
                    bootstrap: 127.0.0.1:9100
                    tls:
                      certificateFile: %s
                      keyFile: %s
                      keyPassword: ${KEY_PASSWORD}
                    target: { bootstrapServers: 127.0.0.1:9092 }
                """.formatted(certificate.certificateChain(), key));

        assertEquals(Main.EXIT_USAGE, main(Map.of("KEY_PASSWORD", "not-the-right-one"))
                .execute("--config", config.toString()));
        assertEquals("kanal: config error: virtualClusters[0].tls.keyPassword: cannot decrypt the private key in "
                + key + ": the password is wrong\n", err());
    }

    @Test
    void reportsAMissingPluginsDirectoryAsAConfigError() throws IOException {
        Path config = write(configOnPort("9100"));
        Path missing = directory.resolve("plugins");

        assertEquals(Main.EXIT_USAGE,
                main(Map.of()).execute("--config", config.toString(), "--plugins", missing.toString()));
        assertEquals("kanal: config error: --plugins: no directory " + missing + "\n", err());
    }

    @Test
    void reportsAMissingConfigFile() {
        Path missing = directory.resolve("missing.yaml");

        assertEquals(Main.EXIT_USAGE, main(Map.of()).execute("--config", missing.toString()));
        assertEquals("kanal: config error: cannot read " + missing + ": no such file\n", err());
    }

    @Test
    void exitsWithOneWhenTheBootstrapPortIsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = write(configOnPort("${KANAL_PORT}"));

            int exitCode = main(Map.of("KANAL_PORT", Integer.toString(taken.getLocalPort())))
                    .execute("--config", config.toString());

            assertEquals(Main.EXIT_CANNOT_START, exitCode);
            assertTrue(err().startsWith("kanal: cannot start: "), err());
            assertEquals(1, err().lines().count(), err());
            assertTrue(shutdownHooks.isEmpty());
        }
    }

    @Test
    void runsUntilTheShutdownHookClosesTheProxy() throws Exception {
        int port = FreePorts.consecutive(2);
        Path config = write(configOnPort(Integer.toString(port)));
        Main main = main(Map.of());

        CompletableFuture<Integer> exitCode =
                CompletableFuture.supplyAsync(() -> main.execute("--config", config.toString()));
        awaitListening(port);
        // Start-up registers the hook once everything runs, a moment after the port listens.
        Runnable shutdownHook = awaitTheShutdownHook();
        assertFalse(exitCode.isDone());
        shutdownHook.run();

        assertEquals(Main.EXIT_OK, exitCode.get(30, TimeUnit.SECONDS));
        assertFalse(FreePorts.accepts(port), "still listening after shutdown");
    }

    @Test
    void aMeshAloneRunsUntilTheShutdownHookClosesIt() throws Exception {
        int port = FreePorts.consecutive(1);
        Path config = write(meshOnPort(port, ""));
        Main main = main(Map.of());

        CompletableFuture<Integer> exitCode =
                CompletableFuture.supplyAsync(() -> main.execute("--config", config.toString()));
        awaitListening(port);
        awaitTheShutdownHook().run();

        assertEquals(Main.EXIT_OK, exitCode.get(30, TimeUnit.SECONDS));
        assertFalse(FreePorts.accepts(port), "the mesh still listens after shutdown");
    }

    @Test
    void aBadMeshProducerSettingStopsStartUpWithTwo() throws IOException {
        Path config = write(meshOnPort(9, "      producer: { linger.ms: soon }\n"));

        assertEquals(Main.EXIT_USAGE, main(Map.of()).execute("--config", config.toString()));
        assertEquals("kanal: config error: mesh.clusters[0].producer.linger.ms: 'soon': not a number of type LONG "
                + "(producer setting of cluster 'c1')\n", err());
        assertTrue(shutdownHooks.isEmpty());
    }

    private static String meshOnPort(int port, String producer) {
        return """
                mesh:
                  listener: { bind: 127.0.0.1:%d }
                  clusters:
                    - name: c1
                      bootstrapServers: 127.0.0.1:1
                %s  defaultCluster: c1
                network:
                  shutdownGrace: 1s
                admin:
                  listen: 127.0.0.1:0
                """.formatted(port, producer);
    }

    private static String configOnPort(String port) {
        return """
                virtualClusters:
                  - name: test
                    bootstrap: 127.0.0.1:%s
                    nodeIds: { first: 0, last: 0 }
                    target:
                      bootstrapServers: 127.0.0.1:1
                network:
                  shutdownGrace: 1s
                admin:
                  listen: 127.0.0.1:0
                """.formatted(port);
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(directory.resolve("kanal.yaml"), yaml);
    }

    /** The one shutdown hook Main registers once it runs; waits up to 10 s for it. */
    private Runnable awaitTheShutdownHook() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (shutdownHooks.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, shutdownHooks.size());
        return shutdownHooks.get(0);
    }

    private static void awaitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!FreePorts.accepts(port)) {
            assertTrue(System.nanoTime() < deadline, "nothing listening on port " + port);
            Thread.sleep(50);
        }
    }
}
