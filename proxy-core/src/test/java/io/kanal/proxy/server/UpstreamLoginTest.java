package io.kanal.proxy.server;

import static io.kanal.proxy.server.ProxyFixture.assertRoundTrip;
import static io.kanal.proxy.server.ProxyFixture.heartbeat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.protocol.KafkaMessages;
import io.kanal.proxy.sasl.SaslMechanism;
import io.kanal.proxy.sasl.SaslSettings;
import io.kanal.proxy.sasl.UpstreamCredentials;
import io.kanal.proxy.sasl.UpstreamSaslHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.security.auth.callback.NameCallback;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerClientInitialResponse;
import org.apache.kafka.common.security.plain.PlainAuthenticateCallback;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.scram.ScramCredentialCallback;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
    private ProxyFixture fixture;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger handlerLog = (Logger) LoggerFactory.getLogger(UpstreamSaslHandler.class);
    /** Each broker connection's SASL server, and the OAUTHBEARER tokens the broker was shown. */
    private final Map<FakeBroker.Peer, SaslServer> servers = new ConcurrentHashMap<>();
    private final List<String> tokensSeen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void captureLogs() {
        logs.start();
        handlerLog.addAppender(logs);
    }

    @AfterEach
    void stop() throws IOException {
        handlerLog.detachAppender(logs);
        if (fixture != null) {
            fixture.close();
        }
    }

    private void start(UpstreamCredentials credentials, Duration connectTimeout, Set<String> enabled)
            throws IOException {
        SaslSettings sasl = new SaslSettings(Optional.empty(), Optional.of(credentials));
        fixture = ProxyFixture.start(config -> SaslTerminationTest.withSasl(new ProxyConfig(config.virtualClusters(),
                config.maxFrameBytes(), connectTimeout, config.shutdownGrace()), sasl));
        fixture.broker.script((request, peer) -> answer(request, peer, enabled));
    }

    private void start(UpstreamCredentials credentials) throws IOException {
        start(credentials, Duration.ofSeconds(5), Set.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"));
    }

    /** A broker's SASL listener, knowing one user with one password for every mechanism. */
    private void answer(FakeBroker.Request request, FakeBroker.Peer peer, Set<String> enabled) throws Exception {
        if (request.api() == ApiKeys.SASL_HANDSHAKE) {
            String mechanism = new SaslHandshakeRequestData(new ByteBufferAccessor(request.body()),
                    request.apiVersion()).mechanism();
            SaslHandshakeResponseData response = new SaslHandshakeResponseData()
                    .setMechanisms(enabled.stream().sorted().toList());
            if (enabled.contains(mechanism)) {
                servers.put(peer, server(mechanism));
            } else {
                response.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code());
            }
            peer.send(KafkaMessages.response(ApiKeys.SASL_HANDSHAKE, request.apiVersion(), request.correlationId(),
                    response));
        } else if (request.api() == ApiKeys.SASL_AUTHENTICATE) {
            byte[] token = new SaslAuthenticateRequestData(new ByteBufferAccessor(request.body()),
                    request.apiVersion()).authBytes();
            SaslAuthenticateResponseData response = new SaslAuthenticateResponseData();
            try {
                response.setAuthBytes(servers.get(peer).evaluateResponse(token));
            } catch (SaslException e) {
                response.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code()).setErrorMessage(e.getMessage())
                        .setAuthBytes(new byte[0]);
            }
            peer.send(KafkaMessages.response(ApiKeys.SASL_AUTHENTICATE, request.apiVersion(), request.correlationId(),
                    response));
        } else {
            FakeBroker.ECHO.answer(request, peer);
        }
    }

    private SaslServer server(String mechanism) throws Exception {
        if (mechanism.equals("OAUTHBEARER")) {
            return new OAuthBearerServer();
        }
        if (mechanism.equals("PLAIN")) {
            return new PlainSaslServer(callbacks -> {
                String user = ((NameCallback) callbacks[0]).getDefaultName();
                PlainAuthenticateCallback check = (PlainAuthenticateCallback) callbacks[1];
                check.authenticated(user.equals(USER) && new String(check.password()).equals(PASSWORD));
            });
        }
        ScramMechanism scram = ScramMechanism.forMechanismName(mechanism);
        ScramFormatter formatter = new ScramFormatter(scram);
        return new ScramSaslServer(scram, Map.of(), callbacks -> {
            String user = ((NameCallback) callbacks[0]).getDefaultName();
            if (user.equals(USER)) {
                ((ScramCredentialCallback) callbacks[1]).scramCredential(formatter.generateCredential(PASSWORD, 4096));
            }
        });
    }

    /** Accepts the token "good"; any other gets an error document, then fails. */
    private final class OAuthBearerServer implements SaslServer {
        private boolean rejected;
        private boolean complete;

        @Override
        public byte[] evaluateResponse(byte[] response) throws SaslException {
            if (rejected) {
                throw new SaslException("the token was not accepted");
            }
            String token = new OAuthBearerClientInitialResponse(response).tokenValue();
            tokensSeen.add(token);
            if (!token.equals("good")) {
                rejected = true;
                return "{\"status\":\"invalid_token\"}".getBytes();
            }
            complete = true;
            return new byte[0];
        }

        @Override
        public boolean isComplete() {
            return complete;
        }

        @Override
        public String getMechanismName() {
            return "OAUTHBEARER";
        }

        @Override
        public String getAuthorizationID() {
            return "token-owner";
        }

        @Override
        public byte[] unwrap(byte[] incoming, int offset, int len) {
            throw new IllegalStateException();
        }

        @Override
        public byte[] wrap(byte[] outgoing, int offset, int len) {
            throw new IllegalStateException();
        }

        @Override
        public Object getNegotiatedProperty(String propName) {
            return null;
        }

        @Override
        public void dispose() {
        }
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
        Files.writeString(tokenFile, "good\n");
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
        assertEquals(List.of("good", "expired"), tokensSeen);
        assertTrue(onlyError().contains("OAUTHBEARER with the token in " + tokenFile + ": the broker refused the "
                + "login: SASL_AUTHENTICATION_FAILED the token was not accepted {\"status\":\"invalid_token\"}"),
                onlyError());
        assertEquals(1, logins("OAUTHBEARER", "success"));
        assertEquals(1, logins("OAUTHBEARER", "failure"));
    }

    private String onlyError() {
        List<String> errors = logs.list.stream().filter(event -> event.getLevel() == ch.qos.logback.classic.Level.ERROR)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(1, errors.size(), errors::toString);
        return errors.get(0);
    }
}
