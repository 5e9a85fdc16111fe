package io.kanal.it;

import io.kanal.proxy.testing.FreePorts;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.common.Node;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.config.NodeIdRange;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.server.ProxyServer;
import io.kanal.proxy.server.ProxyStartException;

/**
 * A Kanal proxy in this JVM with one virtual cluster in front of a real cluster, listening on 127.0.0.1: a bootstrap
 * port followed by one port per broker node id. Each test class starts its own, so one class's connections never
 * outlive it.
 */
public final class ProxyFixture implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final AtomicInteger VIRTUAL_CLUSTERS = new AtomicInteger();
    /** Another process can take a port between the free-port check and the bind; a fresh block then fixes it. */
    private static final int BIND_ATTEMPTS = 3;

    private final ProxyServer server;
    private final int bootstrapPort;
    private final NodeIdRange nodeIds;

    private ProxyFixture(ProxyServer server, int bootstrapPort, NodeIdRange nodeIds) {
        this.server = server;
        this.bootstrapPort = bootstrapPort;
        this.nodeIds = nodeIds;
    }

    /** A proxy in front of the shared cluster, giving its broker node ids 0-2 a port each. */
    public static ProxyFixture start(KafkaCluster cluster) {
        List<HostPort> targets = cluster.brokerPorts().values().stream().map(port -> new HostPort(HOST, port)).toList();
        return start(targets, new NodeIdRange(KafkaCluster.FIRST_BROKER_ID, KafkaCluster.LAST_BROKER_ID));
    }

    public static ProxyFixture start(List<HostPort> targetBootstrapServers, NodeIdRange nodeIds) {
        return start(targetBootstrapServers, nodeIds, List.of(), new SimpleMeterRegistry());
    }

    /**
     * A proxy in front of the shared cluster whose virtual cluster runs {@code filters}, in this order, recording the
     * proxy's metrics (and the filters' own) in {@code meterRegistry}.
     */
    public static ProxyFixture start(KafkaCluster cluster, List<NamedFilter> filters, MeterRegistry meterRegistry) {
        List<HostPort> targets = cluster.brokerPorts().values().stream().map(port -> new HostPort(HOST, port)).toList();
        return start(targets, new NodeIdRange(KafkaCluster.FIRST_BROKER_ID, KafkaCluster.LAST_BROKER_ID), filters,
                meterRegistry);
    }

    private static ProxyFixture start(List<HostPort> targetBootstrapServers, NodeIdRange nodeIds,
                                      List<NamedFilter> filters, MeterRegistry meterRegistry) {
        ProxyStartException lastFailure = null;
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
            // The bootstrap port plus one per node id, consecutive, as the proxy lays them out.
            int bootstrapPort = FreePorts.consecutive(1 + nodeIds.size());
            String name = "it-" + VIRTUAL_CLUSTERS.incrementAndGet();
            VirtualClusterConfig virtualCluster = new VirtualClusterConfig(
                    name, new HostPort(HOST, bootstrapPort), HOST, nodeIds, targetBootstrapServers, filters);
            try {
                ProxyServer server = ProxyServer.start(ProxyConfig.of(List.of(virtualCluster)), meterRegistry);
                int bound = server.bootstrapAddress(name).getPort();
                if (bound != bootstrapPort) {
                    server.close();
                    throw new AssertionError("proxy bound bootstrap port " + bound + ", configured " + bootstrapPort);
                }
                return new ProxyFixture(server, bootstrapPort, nodeIds);
            } catch (ProxyStartException e) {
                lastFailure = e;
            }
        }
        throw new IllegalStateException("proxy did not start in " + BIND_ATTEMPTS + " attempts", lastFailure);
    }

    /** What a client is configured with: {@code 127.0.0.1:<bootstrap port>}. */
    public String bootstrapServers() {
        return HOST + ":" + bootstrapPort;
    }

    public int bootstrapPort() {
        return bootstrapPort;
    }

    /** The port the proxy gives broker {@code nodeId}: bootstrap port + 1 + (node id - first node id). */
    public int brokerPort(int nodeId) {
        if (!nodeIds.contains(nodeId)) {
            throw new AssertionError("node id " + nodeId + " is outside the proxy's range " + nodeIds);
        }
        return bootstrapPort + 1 + (nodeId - nodeIds.first());
    }

    /** Every port this proxy owns, bootstrap included. */
    public Set<Integer> ports() {
        return IntStream.rangeClosed(bootstrapPort, bootstrapPort + nodeIds.size()).boxed().collect(Collectors.toSet());
    }

    /**
     * Asserts that a broker address a client was given is this proxy's port for that broker, on 127.0.0.1: the client
     * must never learn a real broker address, or it would bypass the proxy.
     */
    public void assertProxied(Node node, String seenWhere) {
        assertEquals(HOST, node.host(), () -> seenWhere + ": host of " + node);
        assertEquals(brokerPort(node.id()), node.port(), () -> seenWhere + ": port of " + node);
    }

    @Override
    public void close() {
        server.close();
    }
}
