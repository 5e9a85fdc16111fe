package io.kanal.proxy.server;

import static io.kanal.proxy.server.ProxyFixture.assertRoundTrip;
import static io.kanal.proxy.server.ProxyFixture.heartbeat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.UpstreamTlsConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.tls.KeyCredentials;
import io.kanal.proxy.tls.TestPki;
import io.kanal.proxy.tls.TlsDefaults;
import io.kanal.proxy.tls.TlsProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TLS from the proxy to brokers: trust, the proxy's own certificate, hostname verification and SNI. */
class UpstreamTlsTest {

    @TempDir
    static Path directory;
    private static TestPki pki;
    private static TestPki.Issued brokerCertificate;
    private static KeyCredentials proxyIdentity;

    @RegisterExtension
    final StartedProxies proxies = new StartedProxies();
    private ProxyFixture fixture;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = TestPki.create(directory, "Kanal Test CA");
        // Valid for the broker's IP address only: "localhost" is a name it does not carry.
        brokerCertificate = pki.issue("broker", "/CN=broker", "IP:127.0.0.1");
        proxyIdentity = TestPki.credentials(pki.issue("kanal", "/O=Kanal/CN=kanal-proxy"));
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void requestsReachABrokerThatRequiresTheProxysCertificate(TlsProvider provider) throws Exception {
        FakeBroker broker = FakeBroker.startTls(pki.sslContext(brokerCertificate), true);
        fixture = proxies.start(broker, cluster -> cluster.withTargetTls(tls(Optional.of(proxyIdentity), true)),
                provider);

        try (RawKafkaClient client = fixture.connect()) {
            assertRoundTrip(client, 1);
        }
        SSLSocket brokerSide = (SSLSocket) broker.peer(0).socket();
        assertEquals("CN=kanal-proxy,O=Kanal", brokerSide.getSession().getPeerPrincipal().getName());
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void aBrokerWhoseCertificateDoesNotNameTheHostIsRefused(TlsProvider provider) throws Exception {
        FakeBroker broker = FakeBroker.startTls(pki.sslContext(brokerCertificate), false);
        fixture = proxies.start(broker, atLocalhost(broker, tls(Optional.empty(), true)), provider);

        try (RawKafkaClient client = fixture.connect()) {
            client.send(heartbeat(1));
            client.assertClosedByProxy();
        }
        assertEquals(List.of(), broker.pendingRequests(), "nothing reaches an unverified broker");
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void withoutHostnameVerificationTheSameBrokerIsUsedAndToldTheHostByName(TlsProvider provider) throws Exception {
        FakeBroker broker = FakeBroker.startTls(pki.sslContext(brokerCertificate), false);
        fixture = proxies.start(broker, atLocalhost(broker, tls(Optional.empty(), false)), provider);

        try (RawKafkaClient client = fixture.connect()) {
            assertRoundTrip(client, 1);
        }
        ExtendedSSLSession session = (ExtendedSSLSession) ((SSLSocket) broker.peer(0).socket()).getSession();
        assertEquals(List.of(new SNIHostName("localhost")), session.getRequestedServerNames());
    }

    @Test
    void aBrokerThatRequiresACertificateRefusesAProxyWithout() throws Exception {
        FakeBroker broker = FakeBroker.startTls(pki.sslContext(brokerCertificate), true);
        fixture = proxies.start(broker, cluster -> cluster.withTargetTls(tls(Optional.empty(), true)), null);

        try (RawKafkaClient client = fixture.connect()) {
            client.send(heartbeat(1));
            client.assertClosedByProxy();
        }
    }

    private static UpstreamTlsConfig tls(Optional<KeyCredentials> key, boolean hostnameVerification) {
        try {
            return new UpstreamTlsConfig(Optional.of(pki.trusted()), key, hostnameVerification,
                    TlsDefaults.PROTOCOLS, TlsDefaults.CIPHER_SUITES);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The virtual cluster with TLS to the broker, which it addresses as {@code localhost}. */
    private static UnaryOperator<VirtualClusterConfig> atLocalhost(FakeBroker broker, UpstreamTlsConfig tls) {
        return cluster -> new VirtualClusterConfig(cluster.name(), cluster.bootstrap(), cluster.advertisedHost(),
                cluster.nodeIds(), List.of(new HostPort("localhost", broker.address().port())), cluster.filters())
                .withTargetTls(tls);
    }
}
