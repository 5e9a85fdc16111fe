package io.kanal.proxy.server;

import static io.kanal.proxy.protocol.KafkaMessages.request;
import static io.kanal.proxy.protocol.KafkaMessages.response;
import static io.kanal.proxy.server.ProxyFixture.assertRoundTrip;
import static io.kanal.proxy.server.ProxyFixture.heartbeat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kanal.proxy.config.DownstreamTlsConfig;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.SniConfig;
import io.kanal.proxy.connection.ProxyConnection;
import io.kanal.proxy.tls.TestPki;
import io.kanal.proxy.tls.TlsProvider;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBrokerCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * SNI routing: one TLS port, where the host name a client asks for in its handshake picks the bootstrap or a broker,
 * and metadata names brokers by host name on that port.
 */
class SniRoutingTest {

    private static final short METADATA_VERSION = 12;

    @TempDir
    static Path directory;
    private static TestPki pki;
    private static TestPki.Issued proxyCertificate;

    @RegisterExtension
    final StartedProxies proxies = new StartedProxies();
    private ProxyFixture fixture;
    private SSLContext client;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = TestPki.create(directory, "Kanal Test CA");
        proxyCertificate = pki.issue("proxy", "/CN=kanal.test", "DNS:*.kanal.test");
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void theBootstrapNameReachesTheBootstrapAndMetadataNamesBrokersOnTheOnePort(TlsProvider provider)
            throws Exception {
        start(SniConfig.forDomain("kanal.test"), provider);

        List<String> advertised = metadataVia("bootstrap.kanal.test");

        int port = fixture.bootstrapPort;
        assertEquals(List.of("0@broker-0.kanal.test:" + port, "1@broker-1.kanal.test:" + port,
                "2@broker-2.kanal.test:" + port), advertised);
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port + 1).close(),
                "no port per broker");
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void aBrokersNameReachesThatBroker(TlsProvider provider) throws Exception {
        start(SniConfig.forDomain("kanal.test"), provider);
        metadataVia("bootstrap.kanal.test");
        int before = fixture.broker.connectionCount();

        try (RawKafkaClient broker = fixture.connectTls(client, "BROKER-1.kanal.test")) {
            assertRoundTrip(broker, 7);
        }
        assertEquals(before + 1, fixture.broker.connectionCount());
    }

    @Test
    void theAdvertisedPortCanBeALoadBalancersAndTheNamesAnyPattern() throws Exception {
        start(new SniConfig("kafka.kanal.test", "b{nodeId}-kafka.kanal.test", OptionalInt.of(443)), null);

        assertEquals(List.of("0@b0-kafka.kanal.test:443", "1@b1-kafka.kanal.test:443", "2@b2-kafka.kanal.test:443"),
                metadataVia("kafka.kanal.test"));
    }

    @Test
    void aNameThatIsNeitherBootstrapNorBrokerIsRefusedInTheHandshake() throws Exception {
        start(SniConfig.forDomain("kanal.test"), null);

        assertThrows(SSLException.class, () -> fixture.connectTls(client, "elsewhere.kanal.test").close());
        assertThrows(SSLException.class, () -> fixture.connectTls(client, "broker-01.kanal.test").close());
        assertEquals(2, fixture.count("kanal.tls.handshakes", "outcome", "unknown_sni"));
        assertEquals(0, fixture.broker.connectionCount());
    }

    @Test
    void aRefusedNameWithALineBreakCannotForgeALogLine() throws Exception {
        start(SniConfig.forDomain("kanal.test"), null);
        SSLEngine engine = client.createSSLEngine();
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName("elsewhere-2026-11-21.kanal.test")));
        engine.setSSLParameters(parameters);
        ByteBuffer hello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), hello);
        byte[] bytes = Arrays.copyOf(hello.array(), hello.position());
        // A name the JDK would not send: the line break goes in by hand.
        bytes[indexOf(bytes, "-2026".getBytes(StandardCharsets.US_ASCII))] = '\n';

        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger connectionLog = (Logger) LoggerFactory.getLogger(ProxyConnection.class);
        connectionLog.addAppender(logs);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), fixture.bootstrapPort)) {
            socket.setSoTimeout(RawKafkaClient.READ_TIMEOUT_MILLIS);
            socket.getOutputStream().write(bytes);
            assertEquals(-1, socket.getInputStream().read(), "the proxy closes the connection");
        } finally {
            connectionLog.detachAppender(logs);
        }
        List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertTrue(lines.stream().anyMatch(line -> line.contains("asked for host 'elsewhere?2026-11-21.kanal.test'")),
                lines::toString);
        assertTrue(lines.stream().noneMatch(line -> line.chars().anyMatch(Character::isISOControl)), lines::toString);
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Test
    void aClientThatNamesNoHostIsRefused() throws Exception {
        start(SniConfig.forDomain("kanal.test"), null);

        assertThrows(SSLException.class, () -> fixture.connectTls(client, null).close());
        assertEquals(1, fixture.count("kanal.tls.handshakes", "outcome", "unknown_sni"));
    }

    @Test
    void aBrokerNoResponseHasNamedYetIsClosedSoTheClientAsksForMetadataAgain() throws Exception {
        start(SniConfig.forDomain("kanal.test"), null);

        try (RawKafkaClient broker = fixture.connectTls(client, "broker-9.kanal.test")) {
            broker.send(heartbeat(1));
            broker.assertClosedByProxy();
        }
        assertEquals(0, fixture.broker.connectionCount());
    }

    private void start(SniConfig sni, TlsProvider provider) throws Exception {
        DownstreamTlsConfig tls = DownstreamTlsConfig.of(TestPki.credentials(proxyCertificate));
        FakeBroker broker = FakeBroker.start();
        broker.script((request, peer) -> peer.send(request.api() == ApiKeys.METADATA
                ? metadataAnswer(request, broker.address())
                : FakeBroker.echoOf(request.frame())));
        fixture = proxies.start(broker, cluster -> cluster.withTls(tls).withSni(sni), provider);
        client = pki.sslContext(null);
    }

    /** Asks for metadata through the host name {@code serverName}; the brokers it names, as node@host:port. */
    private List<String> metadataVia(String serverName) throws IOException {
        try (RawKafkaClient bootstrap = fixture.connectTls(client, serverName)) {
            bootstrap.send(request(ApiKeys.METADATA, METADATA_VERSION, "client", 5, new MetadataRequestData()));
            byte[] frame = bootstrap.readFrame();
            MetadataResponseData metadata = ((MetadataResponse) AbstractResponse.parseResponse(
                    ByteBuffer.wrap(frame, 4, frame.length - 4).slice(),
                    new RequestHeader(ApiKeys.METADATA, METADATA_VERSION, "client", 5))).data();
            List<String> advertised = new ArrayList<>();
            metadata.brokers().forEach(b -> advertised.add(b.nodeId() + "@" + b.host() + ":" + b.port()));
            if (advertised.isEmpty()) {
                fail("no brokers in " + metadata);
            }
            return advertised;
        }
    }

    private static byte[] metadataAnswer(FakeBroker.Request request, HostPort real) {
        MetadataResponseBrokerCollection brokers = new MetadataResponseBrokerCollection();
        for (int nodeId = 0; nodeId <= 2; nodeId++) {
            brokers.add(new MetadataResponseBroker().setNodeId(nodeId).setHost(real.host()).setPort(real.port()));
        }
        return response(ApiKeys.METADATA, request.apiVersion(), request.correlationId(),
                new MetadataResponseData().setBrokers(brokers).setClusterId("fake").setControllerId(0));
    }
}
