package io.kanal.app.admin;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.NodeIdRange;
import io.kanal.proxy.config.VirtualClusterConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TargetProbesTest {

    private static final List<HostPort> FIRST = List.of(new HostPort("k1", 9092));
    private static final List<HostPort> SECOND = List.of(new HostPort("k2", 9092), new HostPort("k3", 9092));

    private static VirtualClusterConfig cluster(String name, List<HostPort> target) {
        return new VirtualClusterConfig(name, new HostPort("127.0.0.1", 0), "127.0.0.1", NodeIdRange.DEFAULT, target);
    }

    @Test
    void retriesEachDistinctTargetUntilItAnswersOnce() throws Exception {
        Map<List<HostPort>, AtomicInteger> attempts = new ConcurrentHashMap<>();
        TargetProbes.Probe probe = (servers, tls, login) -> {
            int attempt = attempts.computeIfAbsent(servers, s -> new AtomicInteger()).incrementAndGet();
            if (servers.equals(SECOND) && attempt < 3) {
                throw new ConnectException("Connection refused");
            }
        };

        List<VirtualClusterConfig> clusters = List.of(cluster("a", FIRST), cluster("b", SECOND), cluster("c", SECOND));
        try (TargetProbes probes = TargetProbes.start(clusters, probe, Duration.ofMillis(20))) {
            awaitEmpty(probes);

            Thread.sleep(100);
            assertEquals(1, attempts.get(FIRST).get(), "a target that answered is not asked again");
            assertEquals(3, attempts.get(SECOND).get(), "two virtual clusters with one target: one probe");
        }
    }

    @Test
    void namesTheTargetsNotAnsweredYet() {
        TargetProbes.Probe neverAnswers = (servers, tls, login) -> {
            throw new ConnectException("Connection refused");
        };

        try (TargetProbes probes = TargetProbes.start(
                List.of(cluster("a", FIRST), cluster("b", SECOND), cluster("c", SECOND)), neverAnswers,
                Duration.ofMillis(20))) {
            assertEquals(List.of("target cluster k1:9092 of virtual cluster 'a'",
                            "target cluster k2:9092,k3:9092 of virtual clusters 'b', 'c'"),
                    probes.waitingFor());
        }
    }

    @Test
    void aKafkaProbeOfAPortNobodyServesDoesNotSucceed() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        try (TargetProbes probes = TargetProbes.start(
                List.of(cluster("a", List.of(new HostPort("127.0.0.1", port)))))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < deadline) {
                assertEquals(1, probes.waitingFor().size());
            }
        }
    }

    private static void awaitEmpty(TargetProbes probes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!probes.waitingFor().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "still waiting for " + probes.waitingFor());
            Thread.sleep(10);
        }
    }
}
