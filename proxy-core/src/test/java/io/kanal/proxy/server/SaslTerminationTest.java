package io.kanal.proxy.server;

import static io.kanal.proxy.server.ProxyFixture.assertRoundTrip;
import static io.kanal.proxy.server.ProxyFixture.heartbeat;
import static io.kanal.proxy.server.SaslClientSide.authenticate;
import static io.kanal.proxy.server.SaslClientSide.handshake;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.protocol.KafkaMessages;
import io.kanal.proxy.sasl.ClientAuthentication;
import io.kanal.proxy.sasl.CredentialEntry;
import io.kanal.proxy.sasl.CredentialsFile;
import io.kanal.proxy.sasl.SaslMechanism;
import io.kanal.proxy.sasl.SaslServerHandler;
import io.kanal.proxy.sasl.SaslSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.security.sasl.SaslClient;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * SASL termination through a real proxy in front of a fake broker: the proxy answers SaslHandshake and
 * SaslAuthenticate itself, checks credentials from a credentials file, and lets nothing but ApiVersions reach the
 * broker until the client has authenticated. The client side is kafka-clients' own SCRAM client.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SaslTerminationTest {

    private static final String USER = "alice";
    private static final String PASSWORD = "alice-secret";
    private static final Duration FAILURE_DELAY = Duration.ofMillis(400);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final int ITERATIONS = 4096;

    /** Answers ApiVersions as a broker does, everything else with an echo. */
    static final FakeBroker.Script BROKER = (request, peer) -> {
        if (request.api() == ApiKeys.API_VERSIONS) {
            ApiVersionCollection keys = new ApiVersionCollection();
            for (ApiKeys api : List.of(ApiKeys.API_VERSIONS, ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE,
                    ApiKeys.HEARTBEAT, ApiKeys.METADATA)) {
                keys.add(new ApiVersion().setApiKey(api.id).setMinVersion(api.oldestVersion())
                        .setMaxVersion(api.latestVersion()));
            }
            peer.send(KafkaMessages.response(ApiKeys.API_VERSIONS, request.apiVersion(), request.correlationId(),
                    new ApiVersionsResponseData().setApiKeys(keys)));
        } else {
            FakeBroker.ECHO.answer(request, peer);
        }
    };

    @TempDir
    Path directory;
    @RegisterExtension
    final StartedProxies proxies = new StartedProxies();
    private ProxyFixture fixture;
    private final List<String> principalsSeen = new CopyOnWriteArrayList<>();

    private void start(List<SaslMechanism> mechanisms, Duration timeout) throws Exception {
        start(mechanisms, timeout, ITERATIONS);
    }

    private void start(List<SaslMechanism> mechanisms, Duration timeout, int iterations) throws Exception {
        Path credentials = directory.resolve("credentials");
        Files.write(credentials, List.of("# users of the test",
                CredentialEntry.create(USER, ScramMechanism.SCRAM_SHA_512, PASSWORD, iterations).line(),
                CredentialEntry.create(USER, ScramMechanism.SCRAM_SHA_256, PASSWORD, iterations).line(),
                CredentialEntry.create("bob", ScramMechanism.SCRAM_SHA_256, "bob-secret", iterations).line()));
        SaslSettings sasl = new SaslSettings(Optional.of(new ClientAuthentication(mechanisms,
                CredentialsFile.load(credentials), timeout, FAILURE_DELAY)), Optional.empty());
        NamedFilter recorder = new NamedFilter("principals", hooks -> hooks.onRequest(KafkaApi.HEARTBEAT,
                (context, request) -> {
                    principalsSeen.add(context.connection().principal().orElse("(none)"));
                    return context.pass();
                }));
        fixture = proxies.start(config -> withSasl(config, sasl), recorder);
        fixture.broker.script(BROKER);
    }

    private void start() throws Exception {
        start(List.of(SaslMechanism.SCRAM_SHA_512, SaslMechanism.SCRAM_SHA_256, SaslMechanism.PLAIN), TIMEOUT);
    }

    static ProxyConfig withSasl(ProxyConfig config, SaslSettings sasl) {
        List<VirtualClusterConfig> clusters = config.virtualClusters().stream().map(cluster -> cluster.withSasl(sasl))
                .toList();
        return new ProxyConfig(clusters, config.maxFrameBytes(), config.connectTimeout(), config.shutdownGrace(),
                config.filterTimeout(), config.limits());
    }

    private double authentications(String mechanism, String result) {
        return fixture.count("kanal.authentications", "virtual_cluster", ProxyFixture.CLUSTER, "mechanism", mechanism,
                "result", result);
    }

    @ParameterizedTest
    @EnumSource(value = ScramMechanism.class)
    void aScramLoginIsAnsweredByTheProxyAndOnlyThenDoRequestsReachTheBroker(ScramMechanism mechanism)
            throws Exception {
        start();
        try (RawKafkaClient client = fixture.connect()) {
            client.send(SaslClientSide.apiVersions(1));
            SaslClientSide.read(client, ApiKeys.API_VERSIONS, (short) 3, 1);
            assertEquals(ApiKeys.API_VERSIONS, fixture.broker.nextRequest().api(), "ApiVersions goes to the broker");

            SaslClientSide.scramLogin(client, mechanism, USER, PASSWORD);
            assertRoundTrip(client, 2);
        }
        assertEquals(ApiKeys.HEARTBEAT, fixture.broker.nextRequest().api(), "no SASL request reaches the broker");
        assertEquals(List.of("User:" + USER), principalsSeen);
        assertEquals(1, authentications(mechanism.mechanismName(), "success"));
    }

    @Test
    void plainIsCheckedAgainstTheScramCredentialOfTheUser() throws Exception {
        start();
        try (RawKafkaClient client = fixture.connect()) {
            SaslHandshakeResponseData handshake = handshake(client, "PLAIN", 1);
            assertEquals(0, handshake.errorCode());
            assertEquals(List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"), handshake.mechanisms());
            SaslAuthenticateResponseData answer = authenticate(client, SaslClientSide.plainToken(USER, PASSWORD), 2);
            assertEquals(0, answer.errorCode(), answer::errorMessage);
            assertEquals(0, answer.sessionLifetimeMs(), "no re-authentication is asked for");
            assertRoundTrip(client, 3);
        }
        // bob has only a SCRAM-SHA-256 credential, which PLAIN falls back to.
        try (RawKafkaClient client = fixture.connect()) {
            handshake(client, "PLAIN", 1);
            assertEquals(0, authenticate(client, SaslClientSide.plainToken("bob", "bob-secret"), 2).errorCode());
            assertRoundTrip(client, 3);
        }
        assertEquals(List.of("User:alice", "User:bob"), principalsSeen);
        assertEquals(2, authentications("PLAIN", "success"));
    }

    @Test
    void aWrongScramPasswordFailsAfterTheDelayWithTheBrokersMessageAndCloses() throws Exception {
        start();
        try (RawKafkaClient client = fixture.connect()) {
            handshake(client, "SCRAM-SHA-512", 1);
            SaslClient scram = SaslClientSide.scram(ScramMechanism.SCRAM_SHA_512, USER, "wrong");
            SaslAuthenticateResponseData first = authenticate(client, scram.evaluateChallenge(new byte[0]), 2);
            assertEquals(0, first.errorCode());

            long sent = System.nanoTime();
            SaslAuthenticateResponseData last = authenticate(client, scram.evaluateChallenge(first.authBytes()), 3);
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

            assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), last.errorCode());
            assertEquals("Authentication failed during authentication due to invalid credentials with SASL mechanism "
                    + "SCRAM-SHA-512", last.errorMessage());
            assertTrue(waitedMillis >= FAILURE_DELAY.toMillis(), "answered after " + waitedMillis + " ms");
            client.assertClosedByProxy();
        }
        assertTrue(fixture.broker.pendingRequests().isEmpty(), "the broker saw " + fixture.broker.pendingRequests());
        assertEquals(1, authentications("SCRAM-SHA-512", "failure"));
    }

    @Test
    void anUnknownUserFailsAtTheSameStepAsAWrongPassword() throws Exception {
        start();
        try (RawKafkaClient client = fixture.connect()) {
            handshake(client, "SCRAM-SHA-512", 1);
            SaslClient scram = SaslClientSide.scram(ScramMechanism.SCRAM_SHA_512, "mallory", "guess");
            SaslAuthenticateResponseData first = authenticate(client, scram.evaluateChallenge(new byte[0]), 2);
            assertEquals(0, first.errorCode(), "a salt and nonce come back, as for a user that exists");

            SaslAuthenticateResponseData last = authenticate(client, scram.evaluateChallenge(first.authBytes()), 3);
            assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), last.errorCode());
            client.assertClosedByProxy();
        }
        // Asked twice, the decoy salt is the same, as a real user's is.
        byte[][] salts = new byte[2][];
        for (int i = 0; i < 2; i++) {
            try (RawKafkaClient client = fixture.connect()) {
                handshake(client, "SCRAM-SHA-512", 1);
                SaslClient scram = SaslClientSide.scram(ScramMechanism.SCRAM_SHA_512, "mallory", "guess");
                String serverFirst = new String(authenticate(client, scram.evaluateChallenge(new byte[0]), 2)
                        .authBytes());
                salts[i] = serverFirst.replaceAll(".*,s=([^,]*),.*", "$1").getBytes();
            }
        }
        assertArrayEquals(salts[0], salts[1]);
    }

    /**
     * What the proxy tells about a user before the password counts, the salt and the iteration count of SCRAM's
     * server-first message, looks the same for a user that does not exist: salts as Kafka makes them (the base-36
     * digits of a 130-bit number), and the iteration count the users have.
     */
    @Test
    void anUnknownUsersSaltAndIterationCountLookLikeThoseOfAUserThatExists() throws Exception {
        start(List.of(SaslMechanism.SCRAM_SHA_512), TIMEOUT, 8192);
        Map<String, String> real = serverFirst(USER);
        for (String unknown : List.of("mallory", "trudy", "x")) {
            Map<String, String> decoy = serverFirst(unknown);
            assertEquals(real.get("i"), decoy.get("i"), "iterations for " + unknown);
            String salt = new String(Base64.getDecoder().decode(decoy.get("s")), StandardCharsets.ISO_8859_1);
            assertTrue(salt.matches("[0-9a-z]{20,26}"), "the salt for " + unknown + " looks made up: " + salt);
        }
        assertEquals("8192", real.get("i"));
        assertTrue(new String(Base64.getDecoder().decode(real.get("s")), StandardCharsets.ISO_8859_1)
                .matches("[0-9a-z]{20,26}"), real::toString);
    }

    /** The attributes of the server-first message SCRAM-SHA-512 answers a login as {@code user} with. */
    private Map<String, String> serverFirst(String user) throws Exception {
        try (RawKafkaClient client = fixture.connect()) {
            handshake(client, "SCRAM-SHA-512", 1);
            SaslClient scram = SaslClientSide.scram(ScramMechanism.SCRAM_SHA_512, user, "guess");
            String message = new String(authenticate(client, scram.evaluateChallenge(new byte[0]), 2).authBytes(),
                    StandardCharsets.UTF_8);
            Map<String, String> attributes = new HashMap<>();
            for (String attribute : message.split(",")) {
                attributes.put(attribute.substring(0, 1), attribute.substring(2));
            }
            return attributes;
        }
    }

    @Test
    void aWrongPlainPasswordFails() throws Exception {
        start();
        try (RawKafkaClient client = fixture.connect()) {
            handshake(client, "PLAIN", 1);
            SaslAuthenticateResponseData answer = authenticate(client, SaslClientSide.plainToken(USER, "wrong"), 2);
            assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), answer.errorCode());
            assertEquals("Authentication failed: Invalid username or password", answer.errorMessage());
            client.assertClosedByProxy();
        }
        assertEquals(1, authentications("PLAIN", "failure"));
    }

    /**
     * Kafka's SCRAM server quotes a token it cannot parse in its exception: the log line of the failure must not, for
     * the token is the client's to choose (a PLAIN token sent by mistake carries a password, a forged one line breaks).
     */
    @Test
    void aTokenTheServerCannotParseIsNotRepeatedInTheLog() throws Exception {
        start();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger handlerLog = (Logger) LoggerFactory.getLogger(SaslServerHandler.class);
        handlerLog.addAppender(logs);
        try {
            for (byte[] token : List.of(SaslClientSide.plainToken(USER, PASSWORD),
                    ("n,,n=" + USER + ",r=abc\n2026-11-21 10:00:00.000 INFO forged line").getBytes())) {
                try (RawKafkaClient client = fixture.connect()) {
                    handshake(client, "SCRAM-SHA-512", 1);
                    assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), authenticate(client, token, 2).errorCode());
                    client.assertClosedByProxy();
                }
            }
        } finally {
            handlerLog.detachAppender(logs);
        }
        List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(2, lines.stream().filter(line -> line.contains("failed to authenticate")).count(), lines::toString);
        for (String line : lines) {
            assertFalse(line.contains(PASSWORD), line);
            assertFalse(line.contains("forged"), line);
            assertFalse(line.chars().anyMatch(Character::isISOControl), line);
        }
    }

    @Test
    void aRequestBeforeAuthenticationClosesTheConnectionAndNeverReachesTheBroker() throws Exception {
        start();
        try (RawKafkaClient client = fixture.connect()) {
            client.send(KafkaMessages.request(ApiKeys.METADATA, (short) 12, "client", 1, new MetadataRequestData()));
            client.assertClosedByProxy();
        }
        try (RawKafkaClient client = fixture.connect()) {
            handshake(client, "SCRAM-SHA-512", 1);
            client.send(heartbeat(2));
            client.assertClosedByProxy();
        }
        assertTrue(fixture.broker.pendingRequests().isEmpty(), "the broker saw " + fixture.broker.pendingRequests());
        assertEquals(1, authentications("none", "refused"));
        assertEquals(1, authentications("SCRAM-SHA-512", "refused"));
    }

    @Test
    void aClientThatDoesNotAuthenticateInTimeIsClosed() throws Exception {
        start(List.of(SaslMechanism.SCRAM_SHA_512), Duration.ofMillis(300));
        try (RawKafkaClient client = fixture.connect()) {
            handshake(client, "SCRAM-SHA-512", 1);
            client.assertClosedByProxy();
        }
        assertEquals(1, fixture.count("kanal.connections.timed.out", "virtual_cluster", ProxyFixture.CLUSTER,
                "reason", "authentication"));
    }

    @Test
    void aMechanismThatIsNotEnabledGetsTheEnabledOnesAndTheConnectionCloses() throws Exception {
        start(List.of(SaslMechanism.SCRAM_SHA_512), TIMEOUT);
        try (RawKafkaClient client = fixture.connect()) {
            SaslHandshakeResponseData answer = handshake(client, "PLAIN", 1);
            assertEquals(Errors.UNSUPPORTED_SASL_MECHANISM.code(), answer.errorCode());
            assertEquals(List.of("SCRAM-SHA-512"), answer.mechanisms());
            client.assertClosedByProxy();
        }
        assertEquals(1, authentications("none", "failure"));
    }

    @Test
    void afterAVersion0HandshakeTheTokensComeAsBareFrames() throws Exception {
        start();
        try (RawKafkaClient client = fixture.connect()) {
            client.send(SaslClientSide.handshake((short) 0, "SCRAM-SHA-256", 1));
            SaslHandshakeResponseData handshake = (SaslHandshakeResponseData) SaslClientSide.read(client,
                    ApiKeys.SASL_HANDSHAKE, (short) 0, 1).data();
            assertEquals(0, handshake.errorCode());
            SaslClient scram = SaslClientSide.scram(ScramMechanism.SCRAM_SHA_256, USER, PASSWORD);
            client.send(SaslClientSide.rawToken(scram.evaluateChallenge(new byte[0])));
            byte[] serverFirst = client.readFrame();
            client.send(SaslClientSide.rawToken(scram.evaluateChallenge(java.util.Arrays.copyOfRange(serverFirst, 4,
                    serverFirst.length))));
            byte[] serverFinal = client.readFrame();
            scram.evaluateChallenge(java.util.Arrays.copyOfRange(serverFinal, 4, serverFinal.length));
            assertTrue(scram.isComplete());

            assertRoundTrip(client, 2);
        }
        assertEquals(List.of("User:" + USER), principalsSeen);
    }

    @Test
    void requestsSentAheadWaitForTheAuthenticationAndThenPassInOrder() throws Exception {
        start();
        try (RawKafkaClient client = fixture.connect()) {
            handshake(client, "PLAIN", 1);
            byte[] heartbeat = heartbeat(3);
            client.send(SaslClientSide.authenticate(SaslClientSide.plainToken(USER, PASSWORD), 2), heartbeat);

            assertEquals(0, SaslClientSide.readAuthenticate(client, 2).errorCode());
            assertArrayEquals(FakeBroker.echoOf(heartbeat), client.readFrame());
        }
        assertEquals(List.of("User:" + USER), principalsSeen, "the filter saw the heartbeat as alice's");
    }

    @Test
    void aSaslRequestWaitsUntilTheBrokerHasAnsweredTheApiVersionsBeforeIt() throws Exception {
        start();
        fixture.broker.script((request, peer) -> {
            Thread.sleep(300);
            BROKER.answer(request, peer);
        });
        try (RawKafkaClient client = fixture.connect()) {
            client.send(SaslClientSide.apiVersions(1), SaslClientSide.handshake((short) 1, "PLAIN", 2));

            SaslClientSide.read(client, ApiKeys.API_VERSIONS, (short) 3, 1);
            SaslHandshakeResponseData handshake = (SaslHandshakeResponseData) SaslClientSide.read(client,
                    ApiKeys.SASL_HANDSHAKE, (short) 1, 2).data();
            assertEquals(0, handshake.errorCode());
        }
    }

    @Test
    void aSaslRequestAfterAuthenticationClosesTheConnection() throws Exception {
        start();
        try (RawKafkaClient client = fixture.connect()) {
            SaslClientSide.scramLogin(client, ScramMechanism.SCRAM_SHA_512, USER, PASSWORD);
            client.send(SaslClientSide.handshake((short) 1, "PLAIN", 5));
            client.assertClosedByProxy();
        }
        assertTrue(fixture.broker.pendingRequests().isEmpty(), "the broker saw " + fixture.broker.pendingRequests());
    }

    @Test
    void framesOverHalfAMebibyteAreRefusedUntilTheClientHasAuthenticated() throws Exception {
        start();
        byte[] large = opaqueRequest(600 * 1024);
        try (RawKafkaClient client = fixture.connect()) {
            client.send(java.util.Arrays.copyOf(large, 1024));
            client.assertClosedByProxy();
        }
        assertEquals(1, fixture.count("kanal.frame.errors", "virtual_cluster", ProxyFixture.CLUSTER, "reason",
                "oversized"));
        try (RawKafkaClient client = fixture.connect()) {
            SaslClientSide.scramLogin(client, ScramMechanism.SCRAM_SHA_512, USER, PASSWORD);
            client.send(large);
            assertArrayEquals(FakeBroker.echoOf(large), client.readFrame(), "the full limit holds once logged in");
        }
    }

    /** A DescribeAcls request of {@code bodyBytes} zeros: forwarded as it is, and its echo passed back untouched. */
    private static byte[] opaqueRequest(int bodyBytes) {
        java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocate(4 + 14 + bodyBytes);
        frame.putInt(14 + bodyBytes).putShort(ApiKeys.DESCRIBE_ACLS.id).putShort((short) 3).putInt(7)
                .putShort((short) 2).put("cl".getBytes());
        return frame.array();
    }

    @Test
    void usersAddedToTheCredentialsFileCanLogInWithoutARestart() throws Exception {
        start();
        Path credentials = directory.resolve("credentials");
        Files.writeString(credentials, CredentialEntry.create("carol", ScramMechanism.SCRAM_SHA_512, "carol-secret",
                ITERATIONS).line() + "\n", java.nio.file.StandardOpenOption.APPEND);
        try (RawKafkaClient client = fixture.connect()) {
            SaslClientSide.scramLogin(client, ScramMechanism.SCRAM_SHA_512, "carol", "carol-secret");
            assertRoundTrip(client, 2);
        }
        assertEquals(List.of("User:carol"), principalsSeen);
    }
}
