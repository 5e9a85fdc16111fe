package io.kanal.proxy.server;

import static io.kanal.proxy.server.ProxyFixture.assertRoundTrip;
import static io.kanal.proxy.server.ProxyFixture.heartbeat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kanal.proxy.config.ClientAuth;
import io.kanal.proxy.config.DownstreamTlsConfig;
import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.filter.ConnectionInfo;
import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.tls.TestPki;
import io.kanal.proxy.tls.TlsDefaults;
import io.kanal.proxy.tls.TlsProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS between clients and the proxy, with both TLS implementations: the handshake, client certificates and the
 * principal they map to, as filters see them, and clients that do not belong.
 */
class DownstreamTlsTest {

    @TempDir
    static Path directory;
    private static TestPki pki;
    private static TestPki.Issued proxyCertificate;
    private static TestPki.Issued alice;
    private static List<X509Certificate> authority;

    private final BlockingQueue<ConnectionInfo> seenByFilter = new LinkedBlockingQueue<>();
    @RegisterExtension
    final StartedProxies proxies = new StartedProxies();
    private ProxyFixture fixture;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = TestPki.create(directory, "Kanal Test CA");
        proxyCertificate = pki.issue("proxy", "/CN=kanal.test", "DNS:kanal.test", "IP:127.0.0.1");
        alice = pki.issue("alice", "/O=Kanal/CN=alice");
        authority = pki.trusted();
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void aTlsClientReachesTheBrokerWithTheSafeDefaults(TlsProvider provider) throws Exception {
        start(provider, tls -> tls);

        try (RawKafkaClient client = fixture.connectTls(pki.sslContext(null), "kanal.test")) {
            assertRoundTrip(client, 1);
            assertRoundTrip(client, 2);
        }
        assertEquals(1, fixture.count("kanal.tls.handshakes", "outcome", "success"));
        ConnectionInfo info = seenByFilter.poll(5, TimeUnit.SECONDS);
        SSLSession session = info.tlsSession().orElseThrow();
        assertEquals("TLSv1.3", session.getProtocol());
        assertTrue(TlsDefaults.CIPHER_SUITES.contains(session.getCipherSuite()), session.getCipherSuite());
        assertTrue(info.principal().isEmpty(), "no client certificate, no principal");
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void aPlaintextClientOnTheTlsPortIsClosedBeforeABrokerConnectionOpens(TlsProvider provider) throws Exception {
        start(provider, tls -> tls);

        try (RawKafkaClient client = fixture.connect()) {
            client.send(heartbeat(1));
            client.assertClosedByProxy();
        }
        assertEquals(0, fixture.broker.connectionCount());
        assertEquals(1, fixture.count("kanal.tls.handshakes", "outcome", "failed"));
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void requiredClientCertificatesKeepOutClientsWithoutOneAndNameThePrincipalOfThoseWithOne(TlsProvider provider)
            throws Exception {
        start(provider, tls -> tls.withClientAuth(ClientAuth.REQUIRED, authority)
                .withPrincipalMappingRules("RULE:^CN=(.*?),.*$/$1/L,DEFAULT"));

        assertRefused(pki.sslContext(null));
        assertEquals(0, fixture.broker.connectionCount(), "a refused client never reaches the broker");

        try (RawKafkaClient client = fixture.connectTls(pki.sslContext(alice), "kanal.test")) {
            assertRoundTrip(client, 1);
        }
        ConnectionInfo info = seenByFilter.poll(5, TimeUnit.SECONDS);
        assertEquals("User:alice", info.principal().orElseThrow());
        assertEquals("CN=alice,O=Kanal", info.tlsSession().orElseThrow().getPeerPrincipal().getName());
        assertEquals(1, fixture.broker.connectionCount());
    }

    @Test
    void aCertificateFromAnotherAuthorityIsRefused() throws Exception {
        start(null, tls -> tls.withClientAuth(ClientAuth.REQUIRED, authority));
        TestPki other = TestPki.create(directory.resolve("other"), "Other CA");
        TestPki.Issued mallory = other.issue("mallory", "/CN=mallory");
        // Mallory trusts the proxy's authority, but her certificate comes from her own.
        assertRefused(TestPki.sslContext(mallory, pki, "TLS"));
        assertEquals(0, fixture.broker.connectionCount());
    }

    @Test
    void requestedClientCertificatesServeClientsWithoutOne() throws Exception {
        start(null, tls -> tls.withClientAuth(ClientAuth.REQUESTED, authority));

        try (RawKafkaClient client = fixture.connectTls(pki.sslContext(null), "kanal.test")) {
            assertRoundTrip(client, 1);
        }
        assertTrue(seenByFilter.poll(5, TimeUnit.SECONDS).principal().isEmpty());
        try (RawKafkaClient client = fixture.connectTls(pki.sslContext(alice), "kanal.test")) {
            assertRoundTrip(client, 2);
        }
        assertEquals("User:CN=alice,O=Kanal", seenByFilter.poll(5, TimeUnit.SECONDS).principal().orElseThrow(),
                "the DEFAULT rule takes the subject as it is");
    }

    @Test
    void aSubjectNoRuleMapsClosesTheConnection() throws Exception {
        start(null, tls -> tls.withClientAuth(ClientAuth.REQUIRED, authority)
                .withPrincipalMappingRules("RULE:^CN=(bob),.*$/$1/"));

        assertRefused(pki.sslContext(alice));
        assertEquals(0, fixture.broker.connectionCount());
        assertEquals(1, fixture.count("kanal.tls.handshakes", "outcome", "unmapped_principal"));
        assertNull(seenByFilter.poll());
    }

    @Test
    void aClientOfferingOnlyAProtocolVersionTheProxyDoesNotIsRefused() throws Exception {
        start(null, tls -> new DownstreamTlsConfig(tls.key(), tls.clientAuth(), tls.trustedCertificates(),
                List.of("TLSv1.3"), tls.cipherSuites(), tls.principalMappingRules()));
        SSLContext tls12Only = TestPki.sslContext(null, pki, "TLSv1.2");

        try {
            RawKafkaClient.connectTls(fixture.bootstrapPort, tls12Only, "kanal.test").close();
            fail("a TLS 1.2 client connected to a TLS 1.3 only proxy");
        } catch (SSLException expected) {
            assertEquals(1, fixture.count("kanal.tls.handshakes", "outcome", "failed"));
        }
    }

    // ---- helpers ----

    private void start(TlsProvider provider, UnaryOperator<DownstreamTlsConfig> configure) throws Exception {
        DownstreamTlsConfig tls = configure.apply(DownstreamTlsConfig.of(TestPki.credentials(proxyCertificate)));
        UnaryOperator<VirtualClusterConfig> cluster = c -> c.withTls(tls);
        fixture = proxies.start(FakeBroker.start(), cluster, provider, connectionRecorder());
    }

    /** A filter that records what it knows of the connection of every heartbeat. */
    private NamedFilter connectionRecorder() {
        Filter recorder = hooks -> hooks.onRequest(KafkaApi.HEARTBEAT, (context, request) -> {
            seenByFilter.add(context.connection());
            return context.pass();
        });
        return new NamedFilter("recorder", recorder);
    }

    /**
     * Fails unless the proxy refuses a client with this context: in the handshake, or (TLS 1.3 lets a client finish
     * its side before the server has checked its certificate) by closing the connection instead of answering.
     */
    private void assertRefused(SSLContext context) {
        try (RawKafkaClient client = fixture.connectTls(context, "kanal.test")) {
            client.send(heartbeat(1));
            client.readFrame();
            fail("the proxy answered a client it should have refused");
        } catch (IOException refused) {
            // SSLException for an alert, EOF or reset for a close: refused either way.
        }
    }
}
