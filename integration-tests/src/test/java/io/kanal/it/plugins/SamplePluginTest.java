package io.kanal.it.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.it.KafkaCluster;
import io.kanal.it.KanalProcess;
import io.kanal.it.SharedCluster;

import io.kanal.proxy.testing.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample plugin as a user installs it: its jar copied into a plugins directory, {@code kanal.jar} started with
 * {@code --plugins DIR} and a configuration that puts {@code topic-prefix-guard} in front of the shared cluster. Topics
 * with the prefix are created; the others fail with the client's {@link PolicyViolationException}.
 */
@SharedCluster
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SamplePluginTest {

    private static final Path SAMPLE_PLUGIN_TARGET = Path.of("..", "sample-plugin", "target");
    private static final String REFUSAL = "topic name must start with 'team-a.'";

    @TempDir
    static Path temp;

    private static KanalProcess proxy;
    private static Admin admin;

    @BeforeAll
    static void startKanalWithThePlugin(KafkaCluster cluster) throws Exception {
        Path plugins = Files.createDirectory(temp.resolve("plugins"));
        Files.copy(samplePluginJar(), plugins.resolve("kanal-sample-plugin.jar"));
        int bootstrapPort = FreePorts.consecutive(1 + KafkaCluster.BROKER_COUNT);
        Path config = Files.writeString(temp.resolve("kanal.yaml"), """
                filters:
                  - name: team-a-only
                    type: topic-prefix-guard
                    config: { prefix: "team-a." }
                virtualClusters:
                  - name: guarded
                    bootstrap: 127.0.0.1:%d
                    nodeIds: { first: %d, last: %d }
                    target: { bootstrapServers: "%s" }
                    filters: [team-a-only]
                network:
                  shutdownGrace: 2s
                admin:
                  enabled: false
                """.formatted(bootstrapPort, KafkaCluster.FIRST_BROKER_ID, KafkaCluster.LAST_BROKER_ID,
                cluster.bootstrapServers()));

        proxy = KanalProcess.start(config, List.of("--plugins", plugins.toString()), Map.of(), bootstrapPort);
        admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000));
    }

    @AfterAll
    static void stopKanal() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void loadsTheFilterTypeFromThePluginsDirectory() {
        String log = proxy.readLog();
        assertTrue(log.contains("Filter type 'topic-prefix-guard' from io.kanal.sample.TopicPrefixGuardFactory ("
                + temp.resolve("plugins").resolve("kanal-sample-plugin.jar").toAbsolutePath()), log);
    }

    @Test
    void createsTopicsWithThePrefixAndRefusesTheOthersInTheSameRequest(KafkaCluster cluster) throws Exception {
        String allowed = "team-a.ok-" + suffix();
        String refused = "other-" + suffix();

        CreateTopicsResult result = admin.createTopics(List.of(new NewTopic(allowed, 1, (short) 3),
                new NewTopic(refused, 1, (short) 3)));

        result.values().get(allowed).get(60, TimeUnit.SECONDS);
        assertRefused(refused, () -> result.values().get(refused).get(60, TimeUnit.SECONDS));
        assertEquals(1, result.numPartitions(allowed).get());
        try (Admin direct = cluster.directAdmin()) {
            Set<String> topics = direct.listTopics().names().get(60, TimeUnit.SECONDS);
            assertTrue(topics.contains(allowed), topics::toString);
            assertFalse(topics.contains(refused), topics::toString);
        }
    }

    @Test
    void answersARequestWhoseTopicsAreAllRefusedItself(KafkaCluster cluster) throws Exception {
        String refused = "other-" + suffix();

        assertRefused(refused, () -> admin.createTopics(List.of(new NewTopic(refused, 1, (short) 3)))
                .all().get(60, TimeUnit.SECONDS));

        try (Admin direct = cluster.directAdmin()) {
            assertFalse(direct.listTopics().names().get(60, TimeUnit.SECONDS).contains(refused));
        }
    }

    private static void assertRefused(String topic, Executable creation) {
        ExecutionException failure = assertThrows(ExecutionException.class, creation, topic);
        PolicyViolationException violation = assertInstanceOf(PolicyViolationException.class, failure.getCause());
        assertEquals(REFUSAL, violation.getMessage());
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** The jar the sample-plugin module built, which Maven builds before this module. */
    private static Path samplePluginJar() throws IOException {
        assertTrue(Files.isDirectory(SAMPLE_PLUGIN_TARGET), () -> SAMPLE_PLUGIN_TARGET.toAbsolutePath()
                + " is missing: build the sample plugin first (`mvn install -DskipTests`)");
        List<Path> jars;
        try (Stream<Path> files = Files.list(SAMPLE_PLUGIN_TARGET)) {
            jars = files.filter(file -> {
                String name = file.getFileName().toString();
                return name.startsWith("kanal-sample-plugin-") && name.endsWith(".jar")
                        && !name.endsWith("-sources.jar") && !name.endsWith("-javadoc.jar")
                        && !name.endsWith("-tests.jar");
            }).toList();
        }
        assertEquals(1, jars.size(), () -> "expected one sample plugin jar in " + SAMPLE_PLUGIN_TARGET.toAbsolutePath()
                + " (build it with `mvn install -DskipTests`): " + jars);
        return jars.get(0);
    }
}
