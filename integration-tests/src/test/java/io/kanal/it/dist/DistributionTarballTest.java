package io.kanal.it.dist;

import io.kanal.it.Clients;
import io.kanal.it.Consuming;
import io.kanal.it.Topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanal.it.ChildProcess.Result;
import io.kanal.it.KafkaCluster;
import io.kanal.it.Readyz;
import io.kanal.it.SharedCluster;
import io.kanal.proxy.testing.FreePorts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The binary distribution as a user installs it: {@code proxy-app/target/kanal-<version>-bin.tar.gz}, which the
 * proxy-app module's package phase builds before these tests, unpacked into an empty directory and run through its
 * {@code bin/kanal} launcher with nothing but a Java runtime ({@code JAVA_HOME} is this test JVM's). Also checks the
 * JSON log format and the Docker image's health check script against the running process.
 */
@SharedCluster
@Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DistributionTarballTest {

    private static final Path PROJECT_ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));
    /** The launcher's own tools (ls), tar and bash; tests that want java from the PATH put JAVA_HOME/bin first. */
    private static final String SYSTEM_PATH = "/usr/bin:/bin";
    private static final Duration SHORT_RUN = Duration.ofSeconds(60);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    /** The unpacked {@code kanal-<version>} directory. */
    private static Path home;

    @BeforeAll
    static void unpackTheTarball() throws Exception {
        String version = projectVersion();
        Path tarball = PROJECT_ROOT.resolve("proxy-app/target/kanal-" + version + "-bin.tar.gz");
        assertTrue(Files.isRegularFile(tarball), () -> tarball + " is missing: run the tests with `mvn verify`, "
                + "whose package phase builds it");
        Path unpacked = Files.createDirectory(temp.resolve("unpacked"));
        Result tar = run(List.of("tar", "-xzf", tarball.toString(), "-C", unpacked.toString()), unpacked, Map.of());
        assertEquals(0, tar.exitCode(), tar::describe);
        try (Stream<Path> entries = Files.list(unpacked)) {
            List<Path> top = entries.toList();
            assertEquals(1, top.size(), () -> "one top-level directory in the tarball: " + top);
            home = top.get(0);
        }
        assertEquals("kanal-" + version, home.getFileName().toString());
    }

    /** The version in the root pom.xml, which the tarball's name carries. */
    private static String projectVersion() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element project = factory.newDocumentBuilder().parse(PROJECT_ROOT.resolve("pom.xml").toFile())
                .getDocumentElement();
        for (Node child = project.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element && element.getTagName().equals("version")) {
                return element.getTextContent().trim();
            }
        }
        throw new AssertionError("no <version> in the root pom.xml");
    }

    @Test
    void holdsTheLauncherTheJarTheExampleConfigurationsTheLicenseAndTheReadme() throws IOException {
        Path launcher = home.resolve("bin/kanal");
        assertTrue(Files.isRegularFile(launcher) && Files.isExecutable(launcher), "bin/kanal, executable");
        assertTrue(Files.getPosixFilePermissions(launcher).contains(PosixFilePermission.OTHERS_EXECUTE));
        assertTrue(Files.readString(launcher).startsWith("#!/bin/sh\n"), "a POSIX sh script with Unix line ends");
        assertFalse(Files.readString(launcher).contains("\r"));
        assertTrue(Files.size(home.resolve("lib/kanal.jar")) > 1_000_000, "lib/kanal.jar, with its libraries");
        assertEquals(Files.readString(PROJECT_ROOT.resolve("config-examples/passthrough.yaml")),
                Files.readString(home.resolve("config/passthrough.yaml")));
        assertTrue(Files.isRegularFile(home.resolve("config/filters.yaml")));
        assertEquals(Files.readString(PROJECT_ROOT.resolve("LICENSE")), Files.readString(home.resolve("LICENSE")));
        assertTrue(Files.isRegularFile(home.resolve("README.md")));
    }

    @Test
    void helpExitsZeroWithJavaFromJavaHome() throws Exception {
        Result help = run(List.of(home.resolve("bin/kanal").toString(), "--help"), temp,
                Map.of("JAVA_HOME", JAVA_HOME.toString()));
        assertEquals(0, help.exitCode(), help::describe);
        assertTrue(help.stdout().startsWith("Usage: kanal "), help::describe);
    }

    @Test
    void usesJavaOnThePathWithoutJavaHome() throws Exception {
        Result help = run(List.of(home.resolve("bin/kanal").toString(), "--help"), temp,
                Map.of("PATH", JAVA_HOME.resolve("bin") + ":" + SYSTEM_PATH));
        assertEquals(0, help.exitCode(), help::describe);
        assertTrue(help.stdout().startsWith("Usage: kanal "), help::describe);
    }

    @Test
    void saysSoWhenJavaHomeHasNoJava() throws Exception {
        Path notJava = Files.createDirectories(temp.resolve("not-a-jdk"));
        Result help = run(List.of(home.resolve("bin/kanal").toString(), "--help"), temp,
                Map.of("JAVA_HOME", notJava.toString(), "PATH", JAVA_HOME.resolve("bin") + ":" + SYSTEM_PATH));
        assertEquals(1, help.exitCode(), help::describe);
        assertTrue(help.stderr().contains("JAVA_HOME is " + notJava), help::describe);
    }

    @Test
    void findsItsInstallationThroughSymlinks() throws Exception {
        // /usr/local/bin/kanal -> /opt/kanal/bin/kanal, and a relative link to that link.
        Path links = Files.createDirectories(temp.resolve("links/bin"));
        Path absolute = Files.createSymbolicLink(links.resolve("kanal"), home.resolve("bin/kanal"));
        Path relative = Files.createSymbolicLink(temp.resolve("links/kanal-relative"), Path.of("bin/kanal"));
        for (Path link : List.of(absolute, relative)) {
            Result help = run(List.of(link.toString(), "--help"), temp, Map.of("JAVA_HOME", JAVA_HOME.toString()));
            assertEquals(0, help.exitCode(), help::describe);
            assertTrue(help.stdout().startsWith("Usage: kanal "), help::describe);
        }
    }

    @Test
    void passesKanalPluginsDirAsPluginsUnlessTheCommandLineNamesADirectory() throws Exception {
        // Missing directories make Kanal stop with a config error naming the directory it was given.
        Path fromEnvironment = temp.resolve("plugins-from-environment");
        Path fromCommandLine = temp.resolve("plugins-from-command-line");
        Map<String, String> environment = Map.of("JAVA_HOME", JAVA_HOME.toString(),
                "KANAL_PLUGINS_DIR", fromEnvironment.toString());
        String launcher = home.resolve("bin/kanal").toString();

        Result fromEnv = run(List.of(launcher, "--config", "config/passthrough.yaml"), home, environment);
        assertEquals(2, fromEnv.exitCode(), fromEnv::describe);
        assertTrue(fromEnv.stderr().contains("--plugins: no directory " + fromEnvironment), fromEnv::describe);

        Result given = run(List.of(launcher, "--config=config/passthrough.yaml", "--plugins=" + fromCommandLine),
                home, environment);
        assertEquals(2, given.exitCode(), given::describe);
        assertTrue(given.stderr().contains("--plugins: no directory " + fromCommandLine), given::describe);

        // --plugins applies with --config only, so the launcher leaves other command lines alone.
        Result help = run(List.of(launcher, "--help"), home, environment);
        assertEquals(0, help.exitCode(), help::describe);
    }

    @Test
    void proxiesTheClusterLogsJsonLinesAndStopsCleanlyOnSigterm(KafkaCluster cluster) throws Exception {
        // config/passthrough.yaml: node ids 0-31 take the 32 ports after the bootstrap port; the admin server the next.
        int bootstrapPort = FreePorts.consecutive(34);
        int adminPort = bootstrapPort + 33;
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        Path stdout = temp.resolve("kanal-stdout.txt");
        Path stderr = temp.resolve("kanal-stderr.txt");
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/kanal").toString(),
                "--config", "config/passthrough.yaml")
                .directory(home.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        cleanEnvironment(builder.environment());
        builder.environment().putAll(Map.of(
                "JAVA_HOME", JAVA_HOME.toString(),
                "JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC",
                "KANAL_PORT", Integer.toString(bootstrapPort),
                "KANAL_ADMIN_PORT", Integer.toString(adminPort),
                "KAFKA_BOOTSTRAP", cluster.bootstrapServers(),
                "KANAL_PLUGINS_DIR", plugins.toString(),
                "KANAL_LOG_FORMAT", "json"));
        Process kanal = builder.start();
        try {
            awaitReady(kanal, adminPort, stderr);
            // The launcher exec'd the JVM: the process started is Java itself, so signals go straight to it.
            Optional<String> command = kanal.info().command();
            assertTrue(command.isPresent() && command.get().endsWith("/java"), "the launcher execs java: " + command);

            assertEquals(0, healthcheck(adminPort).exitCode(), "docker/healthcheck.sh against a live Kanal");
            produceAndConsumeOneRecord(cluster, "127.0.0.1:" + bootstrapPort);

            kanal.destroy();
            assertTrue(kanal.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                    () -> "kanal ignored SIGTERM:\n" + read(stderr));
            assertEquals(143, kanal.exitValue(), () -> "exit code after SIGTERM:\n" + read(stderr));
        } finally {
            kanal.destroyForcibly();
        }
        assertNotEquals(0, healthcheck(adminPort).exitCode(), "docker/healthcheck.sh once Kanal has stopped");

        // Every line Kanal logged is one JSON object, and they tell the story of the run.
        String log = read(stderr);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : log.split("\n")) {
            if (!line.isBlank()) {
                JsonNode event;
                try {
                    event = JSON.readTree(line);
                } catch (IOException e) {
                    throw new AssertionError("not a JSON line: " + line + "\n--- the whole log ---\n" + log, e);
                }
                assertTrue(event.isObject() && event.hasNonNull("level") && event.hasNonNull("loggerName")
                        && event.has("formattedMessage") && event.hasNonNull("timestamp"), line);
                lines.add(event);
            }
        }
        assertTrue(lines.stream().anyMatch(event -> event.path("formattedMessage").asText()
                .matches("virtual cluster 'passthrough' listening on .*:" + bootstrapPort + "\\b.*")), log);
        assertTrue(lines.stream().anyMatch(event -> event.path("formattedMessage").asText()
                .equals("No plugin jars in " + plugins)), () -> "KANAL_PLUGINS_DIR became --plugins:\n" + log);
        assertTrue(lines.stream().anyMatch(event -> event.path("formattedMessage").asText()
                .startsWith("stopped accepting;")), () -> "no graceful shutdown:\n" + log);
    }

    private static void produceAndConsumeOneRecord(KafkaCluster cluster, String bootstrapServers) throws Exception {
        String topic;
        try (Admin admin = cluster.directAdmin()) {
            topic = Topics.create(admin, "dist-tarball", 1);
        }
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrapServers, Map.of())) {
            producer.send(new ProducerRecord<>(topic, "key", "from the tarball")).get(60, TimeUnit.SECONDS);
        }
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrapServers, Map.of())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<ConsumerRecord<String, String>> received = Consuming.atLeast(consumer, 1, Duration.ofSeconds(60));
            assertEquals(1, received.size(), "the one record, read back through the proxy");
            assertEquals("key", received.get(0).key());
            assertEquals("from the tarball", received.get(0).value());
        }
    }

    /** Waits for {@code /readyz} to answer 200: every listener bound and the target cluster reached. */
    private static void awaitReady(Process kanal, int adminPort, Path stderr) throws Exception {
        Readyz readyz = new Readyz();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!kanal.isAlive()) {
                throw new AssertionError("kanal exited with " + kanal.exitValue() + ":\n" + read(stderr));
            }
            Optional<String> notReady = readyz.notReady("http://127.0.0.1:" + adminPort);
            if (notReady.isEmpty()) {
                return;
            }
            last = notReady.get();
            Thread.sleep(200);
        }
        throw new AssertionError("kanal was not ready within " + START_TIMEOUT + " (/readyz: " + last + "):\n"
                + read(stderr));
    }

    /** docker/healthcheck.sh, the Docker image's HEALTHCHECK, pointed at the admin port. */
    private static Result healthcheck(int adminPort) throws Exception {
        return run(List.of("bash", PROJECT_ROOT.resolve("docker/healthcheck.sh").toString()), temp,
                Map.of("KANAL_ADMIN_PORT", Integer.toString(adminPort)));
    }

    /** Runs a short command in {@code directory} with a clean environment plus {@code environment}. */
    private static Result run(List<String> command, Path directory, Map<String, String> environment)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(temp, "stdout-", ".txt");
        Path err = Files.createTempFile(temp, "stderr-", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        cleanEnvironment(builder.environment());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(SHORT_RUN.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("timed out after " + SHORT_RUN + ": " + command + "\n" + read(err));
        }
        return new Result(command, process.exitValue(), read(out), read(err));
    }

    /** Nothing the launcher or Kanal reads comes from the environment the tests run in; no java on the PATH. */
    private static void cleanEnvironment(Map<String, String> environment) {
        environment.keySet().removeIf(name -> name.startsWith("KANAL_") || name.startsWith("KAFKA_")
                || name.equals("JAVA_HOME") || name.equals("JAVA_OPTS") || name.equals("JAVA_TOOL_OPTIONS"));
        environment.put("PATH", SYSTEM_PATH);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
