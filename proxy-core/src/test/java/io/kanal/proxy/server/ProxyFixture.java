package io.kanal.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.config.NodeIdRange;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.protocol.KafkaMessages;
import io.kanal.proxy.testing.FreePorts;
import io.kanal.proxy.tls.TlsProvider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * A fake broker and a real proxy in front of it, for tests that only need to vary the proxy's configuration: one
 * virtual cluster {@value #CLUSTER} on a free block of ports, with metrics in {@link #registry}.
 */
final class ProxyFixture implements AutoCloseable {

    static final String CLUSTER = "test";
    static final int MAX_FRAME_BYTES = 4 * 1024 * 1024;

    final FakeBroker broker;
    final SimpleMeterRegistry registry;
    final ProxyServer proxy;
    final int bootstrapPort;

    /** @param configure changes the defaults (frame limit {@value #MAX_FRAME_BYTES}, 5 s timeouts) */
    static ProxyFixture start(UnaryOperator<ProxyConfig> configure, NamedFilter... filters) throws IOException {
        return start(FakeBroker.start(), UnaryOperator.identity(), configure, null, filters);
    }

    /**
     * A proxy in front of {@code broker}, which it closes with itself.
     *
     * @param cluster     changes the virtual cluster, e.g. {@code cluster -> cluster.withTls(...)}
     * @param tlsProvider the TLS implementation; null for the best available
     */
    static ProxyFixture start(FakeBroker broker, UnaryOperator<VirtualClusterConfig> cluster, TlsProvider tlsProvider,
                              NamedFilter... filters) {
        return start(broker, cluster, UnaryOperator.identity(), tlsProvider, filters);
    }

    private static ProxyFixture start(FakeBroker broker, UnaryOperator<VirtualClusterConfig> configureCluster,
                                      UnaryOperator<ProxyConfig> configure, TlsProvider tlsProvider,
                                      NamedFilter... filters) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        for (int attempt = 1; ; attempt++) {
            int port = FreePorts.consecutive(5);
            VirtualClusterConfig cluster = configureCluster.apply(new VirtualClusterConfig(CLUSTER,
                    new HostPort("127.0.0.1", port), "127.0.0.1", new NodeIdRange(0, 3), List.of(broker.address()),
                    List.of(filters)));
            ProxyConfig config = configure.apply(new ProxyConfig(List.of(cluster), MAX_FRAME_BYTES,
                    Duration.ofSeconds(5), Duration.ofSeconds(5)));
            try {
                return new ProxyFixture(broker, ProxyServer.start(config, registry, tlsProvider), port, registry);
            } catch (ProxyStartException e) {
                if (attempt == 5) {
                    closeQuietly(broker);
                    throw e;
                }
            }
        }
    }

    private ProxyFixture(FakeBroker broker, ProxyServer proxy, int bootstrapPort, SimpleMeterRegistry registry) {
        this.broker = broker;
        this.proxy = proxy;
        this.bootstrapPort = bootstrapPort;
        this.registry = registry;
    }

    RawKafkaClient connect() throws IOException {
        return RawKafkaClient.connect(bootstrapPort);
    }

    /** A TLS client on the bootstrap port; see {@link RawKafkaClient#connectTls}. */
    RawKafkaClient connectTls(SSLContext context, String serverName) throws IOException {
        return RawKafkaClient.connectTls(bootstrapPort, context, serverName);
    }

    private static void closeQuietly(FakeBroker broker) {
        try {
            broker.close();
        } catch (IOException e) {
            // the start failure is what the caller needs to see
        }
    }

    /** A counter's value, 0 when it was never registered. */
    double count(String name, String... tags) {
        Counter counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() throws IOException {
        proxy.close();
        broker.close();
    }

    /** Sends a heartbeat and checks the echo comes back unchanged. */
    static void assertRoundTrip(RawKafkaClient client, int correlationId) throws IOException {
        byte[] heartbeat = heartbeat(correlationId);
        client.send(heartbeat);
        assertArrayEquals(FakeBroker.echoOf(heartbeat), client.readFrame());
    }

    static byte[] heartbeat(int correlationId) {
        return KafkaMessages.request(ApiKeys.HEARTBEAT, (short) 4, "client", correlationId,
                new HeartbeatRequestData().setGroupId("group").setGenerationId(3).setMemberId("member-1"));
    }
}
