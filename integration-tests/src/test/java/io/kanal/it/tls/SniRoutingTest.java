package io.kanal.it.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kanal.it.ChildProcess;
import io.kanal.it.KafkaCluster;
import io.kanal.it.KanalProcess;
import io.kanal.it.Names;
import io.kanal.it.SharedCluster;
import io.kanal.it.Topics;
import io.kanal.proxy.testing.FreePorts;
import io.kanal.proxy.tls.TestPki;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code config-examples/sni.yaml} in front of the shared 3-broker cluster: one TLS port for everything, a stock Java
 * client reaching the bootstrap and each broker by host name, and told of brokers only by those names.
 *
 * <p>The names ({@code *.kanal.test}, a domain that never resolves publicly) must resolve to 127.0.0.1 without DNS and
 * without touching {@code /etc/hosts}. The JDK reads a hosts file of its own when started with
 * {@code -Djdk.net.hosts.file}, so the client runs in a JVM of its own ({@link SniClientMain}). librdkafka has no such
 * switch (only a resolve callback in its C API), so kcat is not run against SNI routing.
 */
@SharedCluster
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SniRoutingTest {

    private static final String DOMAIN = "kanal.test";
    private static final int RECORDS = 200;

    @TempDir
    static Path directory;
    private static TestPki pki;
    private static Path hostsFile;
    private static KanalProcess proxy;
    private static int port;

    @BeforeAll
    static void startProxy(KafkaCluster cluster) throws Exception {
        pki = TestPki.create(directory, "Kanal SNI CA");
        TestPki.Issued wildcard = pki.issue("wildcard", "/CN=*." + DOMAIN, "DNS:*." + DOMAIN);
        List<String> names = new ArrayList<>(List.of("bootstrap." + DOMAIN));
        KafkaCluster.brokerIds().forEach(id -> names.add("broker-" + id + "." + DOMAIN));
        hostsFile = Files.writeString(directory.resolve("hosts"), "127.0.0.1 " + String.join(" ", names) + "\n");

        // The bootstrap port, one port that must stay closed (no port per broker), the admin server.
        port = FreePorts.consecutive(3);
        proxy = KanalProcess.start("sni.yaml", Map.of(
                "KANAL_PORT", Integer.toString(port),
                "KANAL_ADMIN_PORT", Integer.toString(port + 2),
                "KANAL_SNI_DOMAIN", DOMAIN,
                "KAFKA_BOOTSTRAP", cluster.bootstrapServers(),
                "KANAL_TLS_CERT", wildcard.certificateChain().toString(),
                "KANAL_TLS_KEY", wildcard.key().toString()), port);
    }

    @AfterAll
    static void stopProxy() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void aJavaClientProducesAndConsumesThroughOnePortAndIsToldOnlyBrokerNames(KafkaCluster cluster)
            throws Exception {
        String topic;
        try (Admin admin = cluster.directAdmin()) {
            topic = Topics.create(admin, "sni", 6);
        }

        ChildProcess.Result client = ChildProcess.run(ChildProcess.java(
                List.of("-Djdk.net.hosts.file=" + hostsFile), SniClientMain.class.getName(),
                "bootstrap." + DOMAIN + ":" + port, pki.caCertificate().toString(), topic, Integer.toString(RECORDS),
                Names.unique("sni-group")), "", Duration.ofSeconds(150));

        assertEquals(0, client.exitCode(), client::describe);
        List<String> expected = new ArrayList<>();
        KafkaCluster.brokerIds().forEach(id -> expected.add("node " + id + " broker-" + id + "." + DOMAIN + ":" + port));
        expected.add("consumed " + RECORDS);
        expected.add("values same");
        assertEquals(expected, client.stdoutLines(), client::describe);
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port + 1).close(),
                "no port per broker opened");
    }
}
