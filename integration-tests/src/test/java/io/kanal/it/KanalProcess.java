package io.kanal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Kanal as a user runs it: {@code java -jar proxy-app/target/kanal.jar --config FILE} in its own process, with the
 * configuration's {@code ${VAR}} values given through the environment. Closing it sends SIGTERM and expects the
 * graceful shutdown to run to its end.
 *
 * <p>The jar is built by the proxy-app module's package phase, which {@code mvn verify} runs before these tests.
 */
final class KanalProcess implements AutoCloseable {

    private static final Path PROJECT_ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path JAR = PROJECT_ROOT.resolve("proxy-app/target/kanal.jar");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path log;
    private final int bootstrapPort;

    private KanalProcess(Process process, Path log, int bootstrapPort) {
        this.process = process;
        this.log = log;
        this.bootstrapPort = bootstrapPort;
    }

    /**
     * Starts Kanal with a file from {@code config-examples/} and waits until its bootstrap port accepts connections.
     *
     * @param environment the variables the example reads, besides the inherited environment
     */
    static KanalProcess start(String example, Map<String, String> environment, int bootstrapPort)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run the tests with `mvn verify`, which builds it");
        }
        Path dir = Files.createDirectories(Path.of("target", "child-processes"));
        Path log = Files.createTempFile(dir, "kanal-", ".log");
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-jar", JAR.toString(), "--config", PROJECT_ROOT.resolve("config-examples").resolve(example).toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        KanalProcess kanal = new KanalProcess(builder.start(), log, bootstrapPort);
        kanal.awaitListening();
        return kanal;
    }

    /** Kanal exactly as {@code config-examples/passthrough.yaml} describes it, moved to free ports. */
    static KanalProcess passthroughExample(KafkaCluster cluster) throws IOException, InterruptedException {
        // The example gives node ids 0-31 a port each after the bootstrap port.
        int bootstrapPort = FreePorts.consecutive(33);
        return start("passthrough.yaml",
                Map.of("KANAL_PORT", Integer.toString(bootstrapPort), "KAFKA_BOOTSTRAP", cluster.bootstrapServers()),
                bootstrapPort);
    }

    String bootstrapServers() {
        return "127.0.0.1:" + bootstrapPort;
    }

    private void awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("kanal exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", bootstrapPort), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        process.destroyForcibly();
        throw new AssertionError("kanal did not listen on " + bootstrapServers() + " within " + START_TIMEOUT
                + ":\n" + Files.readString(log));
    }

    /**
     * Sends SIGTERM and checks that Kanal shut down cleanly: its shutdown hook logged the end of the drain, and the
     * JVM ended with 143, the exit code of a Java process stopped by SIGTERM.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kanal ignored SIGTERM for " + STOP_TIMEOUT + ":\n" + Files.readString(log));
        }
        String output = readLog();
        assertEquals(143, process.exitValue(), () -> "kanal's exit code after SIGTERM; its output:\n" + output);
        assertTrue(output.contains("stopped accepting;"), () -> "no graceful shutdown in kanal's output:\n" + output);
    }

    private String readLog() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}
