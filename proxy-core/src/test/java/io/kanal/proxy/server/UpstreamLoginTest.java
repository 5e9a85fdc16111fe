package io.kanal.proxy.server;

import static io.kanal.proxy.server.ProxyFixture.assertRoundTrip;
import static io.kanal.proxy.server.ProxyFixture.heartbeat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.sasl.SaslMechanism;
import io.kanal.proxy.sasl.SaslSettings;
import io.kanal.proxy.sasl.UpstreamCredentials;
import io.kanal.proxy.sasl.UpstreamSaslHandler;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * The proxy's own login to the broker, through a real proxy in front of a fake broker that checks SASL with
 * kafka-clients' server classes: the login comes first on every broker connection, before any client request, and a
 * failed one closes the client connection with an ERROR line that names the virtual cluster and the broker.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UpstreamLoginTest {

    private static final String USER = "kanal";
    private static final String PASSWORD = "broker-secret";

    @TempDir
    Path directory;
    @RegisterExtension
    final StartedProxies proxies = new StartedProxies();
    private ProxyFixture fixture;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger handlerLog = (Logger) LoggerFactory.getLogger(UpstreamSaslHandler.class);
    private SaslListenerScript listener;

    @BeforeEach
    void captureLogs() {
        logs.start();
        handlerLog.addAppender(logs);
    }

    @AfterEach
    void stopCapturing() {
        handlerLog.detachAppender(logs);
    }

    private void start(UpstreamCredentials credentials, Duration connectTimeout, Set<String> enabled)
            throws IOException {
        SaslSettings sasl = new SaslSettings(Optional.empty(), Optional.of(credentials));
        fixture = proxies.start(config -> SaslTerminationTest.withSasl(new ProxyConfig(config.virtualClusters(),
                config.maxFrameBytes(), connectTimeout, config.shutdownGrace()), sasl));
        listener = new SaslListenerScript(USER, PASSWORD, enabled, FakeBroker.ECHO);
        fixture.broker.script(listener);
    }

    private void start(UpstreamCredentials credentials) throws IOException {
        start(credentials, Duration.ofSeconds(5), Set.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"));
    }

    private double logins(String mechanism, String result) {
        return fixture.count("kanal.upstream.authentications", "virtual_cluster", ProxyFixture.CLUSTER, "mechanism",
                mechanism, "result", result);
    }

    private List<ApiKeys> brokerReceived() throws InterruptedException {
        return fixture.broker.pendingRequests().stream().map(FakeBroker.Request::api).collect(Collectors.toList());
    }

    @ParameterizedTest
    @EnumSource(value = SaslMechanism.class, names = {"PLAIN", "SCRAM_SHA_256", "SCRAM_SHA_512"})
    void theProxyLogsInBeforeItForwardsTheClientsFirstRequest(SaslMechanism mechanism) throws Exception {
        start(UpstreamCredentials.password(mechanism, USER, PASSWORD));
        for (int connection = 0; connection < 2; connection++) {
            try (RawKafkaClient client = fixture.connect()) {
                assertRoundTrip(client, 1);
            }
        }
        List<ApiKeys> login = mechanism == SaslMechanism.PLAIN
                ? List.of(ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE, ApiKeys.HEARTBEAT)
                : List.of(ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE, ApiKeys.SASL_AUTHENTICATE,
                        ApiKeys.HEARTBEAT);
        List<ApiKeys> twice = new java.util.ArrayList<>(login);
        twice.addAll(login);
        assertEquals(twice, brokerReceived());
        assertEquals(2, logins(mechanism.mechanismName(), "success"));
    }

    @Test
    void aRefusedLoginClosesTheClientConnectionWithAnErrorNamingTheClusterAndBroker() throws Exception {
        start(UpstreamCredentials.password(SaslMechanism.SCRAM_SHA_512, USER, "wrong-password"));
        try (RawKafkaClient client = fixture.connect()) {
            client.send(heartbeat(1));
            client.assertClosedByProxy();
        }
        assertFalse(brokerReceived().contains(ApiKeys.HEARTBEAT),
                "the request reached the broker: " + brokerReceived());
        assertEquals(1, logins("SCRAM-SHA-512", "failure"));
        String line = onlyError();
        assertTrue(line.startsWith("test: cannot log in to broker " + fixture.broker.address()
                + ": SCRAM-SHA-512 as 'kanal': the broker refused the login: SASL_AUTHENTICATION_FAILED"), line);
        assertFalse(line.contains("wrong-password"), line);
    }

    @Test
    void aMechanismTheBrokerDoesNotEnableIsNamed() throws Exception {
        start(UpstreamCredentials.password(SaslMechanism.SCRAM_SHA_512, USER, PASSWORD), Duration.ofSeconds(5),
                Set.of("PLAIN"));
        try (RawKafkaClient client = fixture.connect()) {
            client.send(heartbeat(1));
            client.assertClosedByProxy();
        }
        assertTrue(onlyError().endsWith("the broker does not enable SCRAM-SHA-512 on this listener (it enables "
                + "[PLAIN])"), onlyError());
    }

    @Test
    void aBrokerThatDoesNotAnswerTheLoginClosesTheClientInsteadOfHangingIt() throws Exception {
        start(UpstreamCredentials.password(SaslMechanism.PLAIN, USER, PASSWORD), Duration.ofMillis(500),
                Set.of("PLAIN"));
        fixture.broker.script((request, peer) -> { });
        try (RawKafkaClient client = fixture.connect()) {
            client.send(heartbeat(1));
            client.assertClosedByProxy();
        }
        assertTrue(onlyError().endsWith("no answer within 500 ms"), onlyError());
    }

    @Test
    void anOAuthBearerTokenIsReadFromItsFileAgainOnceTheFileChanges() throws Exception {
        Path tokenFile = directory.resolve("token");
        Files.writeString(tokenFile, SaslListenerScript.GOOD_TOKEN + "\n");
        start(UpstreamCredentials.tokenFile(tokenFile));
        try (RawKafkaClient client = fixture.connect()) {
            assertRoundTrip(client, 1);
        }
        Files.writeString(tokenFile, "expired");
        Files.setLastModifiedTime(tokenFile, FileTime.from(Instant.now().plusSeconds(5)));
        try (RawKafkaClient client = fixture.connect()) {
            client.send(heartbeat(2));
            client.assertClosedByProxy();
        }
        assertEquals(List.of(SaslListenerScript.GOOD_TOKEN, "expired"), listener.tokensSeen());
        assertTrue(onlyError().contains("OAUTHBEARER with the token in " + tokenFile + ": the broker refused the "
                + "login: SASL_AUTHENTICATION_FAILED the token was not accepted {\"status\":\"invalid_token\"}"),
                onlyError());
        assertEquals(1, logins("OAUTHBEARER", "success"));
        assertEquals(1, logins("OAUTHBEARER", "failure"));
    }

    @Test
    void aTokenFileThatCannotBeReadYetHoldsUpNoEventLoop() throws Exception {
        Path pipe = directory.resolve("token-pipe");
        assumeTrue(new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor() == 0, "mkfifo makes the pipe");
        start(UpstreamCredentials.tokenFile(pipe), Duration.ofMillis(500), Set.of("OAUTHBEARER"));
        try (RawKafkaClient client = fixture.connect()) {
            client.send(heartbeat(1));
            // The login's timeout runs on the event loop of the connection: it can only fire while the read of the
            // token, which waits for a writer to the pipe, holds up another thread.
            client.assertClosedByProxy();
        } finally {
            // Opened for reading and writing, the pipe does not wait for a reader; closing it ends the read.
            try (RandomAccessFile writer = new RandomAccessFile(pipe.toFile(), "rw")) {
                writer.write("late".getBytes(StandardCharsets.US_ASCII));
            }
        }
        assertTrue(onlyError().endsWith("no answer within 500 ms"), onlyError());
    }

    private String onlyError() {
        List<String> errors = logs.list.stream().filter(event -> event.getLevel() == ch.qos.logback.classic.Level.ERROR)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(1, errors.size(), errors::toString);
        return errors.get(0);
    }
}
