package io.kanal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.proxy.testing.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kanal as a user runs it: {@code java -jar proxy-app/target/kanal.jar --config FILE} in its own process, with the
 * configuration's {@code ${VAR}} values given through the environment. Closing it sends SIGTERM and expects the
 * graceful shutdown to run to its end.
 *
 * <p>The jar is built by the proxy-app module's package phase, which {@code mvn verify} runs before these tests.
 */
public final class KanalProcess implements AutoCloseable {

    private static final Path PROJECT_ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path JAR = PROJECT_ROOT.resolve("proxy-app/target/kanal.jar");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    /** What the admin server logs once it listens; it starts before the proxy's listeners. */
    private static final Pattern ADMIN_LISTENING = Pattern.compile("admin server listening on (http://\\S+)");
    /** What the proxy logs for each virtual cluster once its bootstrap port listens. */
    private static final String CLUSTER_LISTENING = "' listening on ";

    private final Process process;
    private final Path log;
    private final int bootstrapPort;
    private volatile String adminUrl;

    private KanalProcess(Process process, Path log, int bootstrapPort) {
        this.process = process;
        this.log = log;
        this.bootstrapPort = bootstrapPort;
    }

    /**
     * Starts Kanal with a file from {@code config-examples/} and waits until it is ready (see {@link #awaitReady}).
     *
     * @param environment the variables the example reads, besides the inherited environment
     */
    public static KanalProcess start(String example, Map<String, String> environment, int bootstrapPort)
            throws IOException, InterruptedException {
        return start(example(example), List.of(), environment, bootstrapPort);
    }

    /**
     * Starts Kanal with any configuration file, such as one a test wrote, and further command-line arguments, such
     * as {@code --plugins DIR}; waits until it is ready (see {@link #awaitReady}).
     */
    public static KanalProcess start(Path configFile, List<String> extraArguments, Map<String, String> environment,
                                     int bootstrapPort) throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run the tests with `mvn verify`, which builds it");
        }
        Path dir = Files.createDirectories(Path.of("target", "child-processes"));
        Path log = Files.createTempFile(dir, "kanal-", ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-jar", JAR.toString(), "--config", configFile.toString()));
        command.addAll(extraArguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        KanalProcess kanal = new KanalProcess(builder.start(), log, bootstrapPort);
        kanal.awaitReady();
        return kanal;
    }

    /**
     * Runs {@code java -jar kanal.jar ARGUMENTS} to its end, such as {@code credentials add ...}, with {@code stdin} as
     * its standard input.
     */
    public static ChildProcess.Result command(List<String> arguments, String stdin)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run the tests with `mvn verify`, which builds it");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(arguments);
        return ChildProcess.run(command, stdin, START_TIMEOUT);
    }

    /** A file of {@code config-examples/}. */
    public static Path example(String name) {
        return PROJECT_ROOT.resolve("config-examples").resolve(name);
    }

    /** Kanal exactly as {@code config-examples/passthrough.yaml} describes it, moved to free ports. */
    static KanalProcess passthroughExample(KafkaCluster cluster) throws IOException, InterruptedException {
        // The example gives node ids 0-31 a port each after the bootstrap port; the admin server takes the next.
        int bootstrapPort = FreePorts.consecutive(34);
        return start("passthrough.yaml",
                Map.of("KANAL_PORT", Integer.toString(bootstrapPort), "KAFKA_BOOTSTRAP", cluster.bootstrapServers(),
                        "KANAL_ADMIN_PORT", Integer.toString(bootstrapPort + 33)),
                bootstrapPort);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + bootstrapPort;
    }

    /** The process id, for sending it signals such as SIGHUP. */
    public long pid() {
        return process.pid();
    }

    /** The admin server's {@code http://host:port}, unless the configuration turned it off. */
    public Optional<String> adminUrl() {
        return Optional.ofNullable(adminUrl);
    }

    /**
     * Waits until the admin server's {@code /readyz} answers 200: every listener bound and the target cluster
     * reached. A configuration without an admin server is ready once its bootstrap port accepts connections.
     */
    private void awaitReady() throws IOException, InterruptedException {
        Readyz readyz = new Readyz();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String lastAnswer = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("kanal exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            String output = Files.readString(log);
            Matcher admin = ADMIN_LISTENING.matcher(output);
            if (admin.find()) {
                Optional<String> notReady = readyz.notReady(admin.group(1));
                if (notReady.isEmpty()) {
                    adminUrl = admin.group(1);
                    return;
                }
                lastAnswer = notReady.get();
            } else if (output.contains(CLUSTER_LISTENING) && FreePorts.accepts(bootstrapPort)) {
                return;
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new AssertionError("kanal was not ready on " + bootstrapServers() + " within " + START_TIMEOUT
                + " (/readyz: " + lastAnswer + "):\n" + Files.readString(log));
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

    /**
     * Stops {@code kanal}, unless it never started, as {@link #close()} does and checks with {@link #assertLogOmits}
     * that its log holds none of {@code secrets}; then closes {@code next} (such as the broker it stood in front of),
     * whatever happened before.
     */
    public static void stop(KanalProcess kanal, AutoCloseable next, String... secrets) throws Exception {
        try {
            if (kanal != null) {
                kanal.close();
                kanal.assertLogOmits(secrets);
            }
        } finally {
            if (next != null) {
                next.close();
            }
        }
    }

    /** Fails when anything Kanal has written so far holds one of {@code secrets}, such as a password it was given. */
    public void assertLogOmits(String... secrets) {
        String output = readLog();
        for (String secret : secrets) {
            assertFalse(output.contains(secret), () -> "kanal logged the secret '" + secret + "':\n" + output);
        }
    }

    /** Everything Kanal has written to stdout and stderr so far. */
    public String readLog() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}
