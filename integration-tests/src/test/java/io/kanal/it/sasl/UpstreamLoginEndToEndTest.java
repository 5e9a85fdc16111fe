package io.kanal.it.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.proxy.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.kanal.it.Await;
import io.kanal.it.KanalProcess;
import io.kanal.it.RoundTrip;

/**
 * Kanal logging in to a broker that requires SASL on behalf of applications that know nothing of SASL: plaintext
 * clients produce and consume through virtual clusters whose {@code target.sasl} holds the broker's credentials
 * (PLAIN, and OAUTHBEARER with a token file). A virtual cluster with a wrong broker password fails its clients
 * promptly, with an ERROR line naming the virtual cluster and the broker, instead of leaving them hanging.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class UpstreamLoginEndToEndTest {

    private static final String BROKER_USER = "kanal";
    private static final String BROKER_PASSWORD = "kanal-at-the-broker";
    private static final int RECORDS = 200;
    /** Three virtual clusters, ten ports apart: each a bootstrap port and the port of broker 1 after it. */
    private static final Map<String, Integer> OFFSETS = Map.of("plain", 0, "oauth", 10, "wrong-password", 20);

    @TempDir
    static Path directory;
    private static SaslKafkaBroker broker;
    private static KanalProcess kanal;
    private static int firstPort;

    @BeforeAll
    static void start() throws Exception {
        broker = SaslKafkaBroker.start(Map.of(BROKER_USER, BROKER_PASSWORD));
        Path tokenFile = Files.writeString(directory.resolve("token"), SaslClients.unsecuredJwt(BROKER_USER) + "\n");
        firstPort = FreePorts.consecutive(30);
        String target = broker.saslAddress().toString();
        Path config = Files.writeString(directory.resolve("kanal.yaml"), """
                virtualClusters:
                  - name: plain
                    bootstrap: 127.0.0.1:%d
                    nodeIds: { first: 1, last: 1 }
                    target:
                      bootstrapServers: %s
                      sasl: { mechanism: PLAIN, username: %s, password: "${BROKER_PASSWORD}" }
                  - name: oauth
                    bootstrap: 127.0.0.1:%d
                    nodeIds: { first: 1, last: 1 }
                    target:
                      bootstrapServers: %s
                      sasl: { mechanism: OAUTHBEARER, tokenFile: %s }
                  - name: wrong-password
                    bootstrap: 127.0.0.1:%d
                    nodeIds: { first: 1, last: 1 }
                    target:
                      bootstrapServers: %s
                      sasl: { mechanism: SCRAM-SHA-512, username: %s, password: not-the-password }
                # Off, so that the virtual cluster that cannot log in keeps Kanal from nothing but its own clients.
                admin: { enabled: false }
                """.formatted(firstPort, target, BROKER_USER, firstPort + 10, target, tokenFile, firstPort + 20,
                target, BROKER_USER));
        kanal = KanalProcess.start(config, List.of(), Map.of("BROKER_PASSWORD", BROKER_PASSWORD), firstPort);
    }

    @AfterAll
    static void stop() throws Exception {
        KanalProcess.stop(kanal, broker, BROKER_PASSWORD, "not-the-password");
    }

    private static String bootstrap(String virtualCluster) {
        return "127.0.0.1:" + (firstPort + OFFSETS.get(virtualCluster));
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "oauth"})
    void plaintextApplicationsProduceAndConsumeThroughKanalsLogin(String virtualCluster) throws Exception {
        String topic = broker.createTopic("upstream-" + virtualCluster, 1);
        List<String> values = IntStream.range(0, RECORDS).mapToObj(i -> virtualCluster + " record " + i).toList();

        assertEquals(values, RoundTrip.values(bootstrap(virtualCluster), Map.of(), topic, values),
                "one partition: every record once, in order");
    }

    @Test
    void aWrongBrokerPasswordFailsTheClientPromptlyAndNamesTheClusterAndBroker() throws Exception {
        long started = System.nanoTime();
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap("wrong-password"),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000))) {
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS));
            assertTrue(failure.getCause() instanceof org.apache.kafka.common.errors.TimeoutException,
                    failure::toString);
        }
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) < 30, "the client was kept waiting");
        String expected = "ERROR UpstreamSaslHandler - wrong-password: cannot log in to broker " + broker.saslAddress()
                + ": SCRAM-SHA-512 as 'kanal': the broker refused the login: SASL_AUTHENTICATION_FAILED";
        Await.until(Duration.ofSeconds(10), "the ERROR line in Kanal's log", () -> kanal.readLog().contains(expected));
    }
}
