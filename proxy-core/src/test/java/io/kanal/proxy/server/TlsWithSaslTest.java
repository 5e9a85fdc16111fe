package io.kanal.proxy.server;

import static io.kanal.proxy.server.ProxyFixture.assertRoundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.kanal.proxy.config.ClientAuth;
import io.kanal.proxy.config.DownstreamTlsConfig;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.config.UpstreamTlsConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.sasl.ClientAuthentication;
import io.kanal.proxy.sasl.CredentialEntry;
import io.kanal.proxy.sasl.CredentialsFile;
import io.kanal.proxy.sasl.SaslMechanism;
import io.kanal.proxy.sasl.SaslSettings;
import io.kanal.proxy.sasl.UpstreamCredentials;
import io.kanal.proxy.tls.TestPki;
import io.kanal.proxy.tls.TlsDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * TLS and SASL on one virtual cluster, both ways: clients connect with TLS and a client certificate and log in to the
 * proxy with SASL; the proxy connects to the broker with TLS and its own certificate and logs in there with SASL.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TlsWithSaslTest {

    private static final String APP_USER = "bob";
    private static final String APP_PASSWORD = "bob-at-the-proxy";
    private static final String BROKER_USER = "kanal";
    private static final String BROKER_PASSWORD = "kanal-at-the-broker";

    @TempDir
    static Path directory;
    private static TestPki pki;
    private static TestPki.Issued proxyCertificate;
    private static TestPki.Issued alice;
    private static TestPki.Issued brokerCertificate;
    private static Path credentials;

    private final List<String> principalsSeen = new CopyOnWriteArrayList<>();
    @RegisterExtension
    final StartedProxies proxies = new StartedProxies();
    private ProxyFixture fixture;

    @BeforeAll
    static void makeCertificatesAndUsers() throws Exception {
        pki = TestPki.create(directory, "Kanal Test CA");
        proxyCertificate = pki.issue("proxy", "/CN=kanal.test", "DNS:kanal.test");
        alice = pki.issue("alice", "/O=Kanal/CN=alice");
        brokerCertificate = pki.issue("broker", "/CN=broker", "IP:127.0.0.1");
        credentials = Files.write(directory.resolve("credentials"), List.of(
                CredentialEntry.create(APP_USER, ScramMechanism.SCRAM_SHA_512, APP_PASSWORD, 4096).line()));
    }

    @Test
    void aClientWithACertificateLogsInAsItsSaslUserAndTheProxyLogsInToABrokerOverTls() throws Exception {
        FakeBroker broker = FakeBroker.startTls(pki.sslContext(brokerCertificate), true);
        broker.script(new SaslListenerScript(BROKER_USER, BROKER_PASSWORD, Set.of("SCRAM-SHA-512"),
                SaslTerminationTest.BROKER));
        UpstreamTlsConfig upstreamTls = new UpstreamTlsConfig(Optional.of(pki.trusted()),
                Optional.of(TestPki.credentials(pki.issue("kanal", "/CN=kanal-proxy"))), true, TlsDefaults.PROTOCOLS,
                TlsDefaults.CIPHER_SUITES);
        SaslSettings sasl = new SaslSettings(
                Optional.of(ClientAuthentication.of(CredentialsFile.load(credentials))),
                Optional.of(UpstreamCredentials.password(SaslMechanism.SCRAM_SHA_512, BROKER_USER, BROKER_PASSWORD)));
        DownstreamTlsConfig downstreamTls = DownstreamTlsConfig.of(TestPki.credentials(proxyCertificate))
                .withClientAuth(ClientAuth.REQUIRED, pki.trusted())
                .withPrincipalMappingRules("RULE:^CN=(.*?),.*$/$1/,DEFAULT");
        fixture = proxies.start(broker, cluster -> cluster
                .withTls(downstreamTls)
                .withTargetTls(upstreamTls)
                .withSasl(sasl), null, principalRecorder());

        try (RawKafkaClient client = fixture.connectTls(pki.sslContext(alice), "kanal.test")) {
            client.send(SaslClientSide.apiVersions(1));
            SaslClientSide.read(client, ApiKeys.API_VERSIONS, (short) 3, 1);
            SaslClientSide.scramLogin(client, ScramMechanism.SCRAM_SHA_512, APP_USER, APP_PASSWORD);
            assertRoundTrip(client, 2);
        }

        assertEquals(List.of("User:alice", "User:" + APP_USER), principalsSeen,
                "the certificate's principal, in the form SASL gives, until the SASL login replaces it");
        assertEquals(List.of(ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE, ApiKeys.SASL_AUTHENTICATE,
                ApiKeys.API_VERSIONS, ApiKeys.HEARTBEAT),
                broker.pendingRequests().stream().map(FakeBroker.Request::api).toList(),
                "the proxy's own login first; none of the client's SASL requests");
        SSLSocket brokerSide = (SSLSocket) broker.peer(0).socket();
        assertEquals("CN=kanal-proxy", brokerSide.getSession().getPeerPrincipal().getName());
        assertEquals(1, fixture.count("kanal.authentications", "mechanism", "SCRAM-SHA-512", "result", "success"));
        assertEquals(1, fixture.count("kanal.upstream.authentications", "mechanism", "SCRAM-SHA-512", "result",
                "success"));
    }

    @Test
    void aBrokerCertificateThatDoesNotFitIsLoggedAsTheTlsFailureItIsNotAsAFailedLogin() throws Exception {
        FakeBroker broker = FakeBroker.startTls(pki.sslContext(brokerCertificate), false);
        HostPort localhost = new HostPort("localhost", broker.address().port());
        UpstreamTlsConfig upstreamTls = new UpstreamTlsConfig(Optional.of(pki.trusted()), Optional.empty(), true,
                TlsDefaults.PROTOCOLS, TlsDefaults.CIPHER_SUITES);
        SaslSettings login = new SaslSettings(Optional.empty(),
                Optional.of(UpstreamCredentials.password(SaslMechanism.PLAIN, BROKER_USER, BROKER_PASSWORD)));
        fixture = proxies.start(broker, cluster -> new VirtualClusterConfig(cluster.name(), cluster.bootstrap(),
                cluster.advertisedHost(), cluster.nodeIds(), List.of(localhost), cluster.filters())
                .withTargetTls(upstreamTls).withSasl(login), null);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        try (RawKafkaClient client = fixture.connect()) {
            client.send(ProxyFixture.heartbeat(1));
            client.assertClosedByProxy();
        } finally {
            root.detachAppender(logs);
        }

        List<String> lines = logs.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertTrue(lines.stream().anyMatch(line -> line.endsWith(": broker " + localhost
                + ": TLS: No name matching localhost found")), lines::toString);
        assertTrue(lines.stream().noneMatch(line -> line.contains("cannot log in")), lines::toString);
        assertEquals(0, fixture.count("kanal.upstream.authentications", "result", "failure"),
                "no login was tried, so none failed");
        assertEquals(List.of(), broker.pendingRequests());
    }

    /** A filter that records the principal of every ApiVersions and Heartbeat request. */
    private NamedFilter principalRecorder() {
        Filter recorder = hooks -> {
            hooks.onRequest(KafkaApi.API_VERSIONS, (context, request) -> {
                principalsSeen.add(context.connection().principal().orElse("(none)"));
                return context.pass();
            });
            hooks.onRequest(KafkaApi.HEARTBEAT, (context, request) -> {
                principalsSeen.add(context.connection().principal().orElse("(none)"));
                return context.pass();
            });
        };
        return new NamedFilter("principals", recorder);
    }
}
