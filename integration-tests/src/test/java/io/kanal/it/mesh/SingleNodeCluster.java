package io.kanal.it.mesh;

import io.kanal.it.Await;
import io.kanal.it.KafkaCluster;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.test.api.TestKitDefaults;
import org.apache.kafka.metadata.BrokerState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * A real single-broker Apache Kafka KRaft cluster in this JVM, one of the several a mesh stands in front of. Its
 * controller is a node of its own, so the broker can be stopped and started again while the cluster's metadata lives
 * on; the test kit gives a restarted broker its old port back, so clients (the mesh's producers) find it again.
 */
public final class SingleNodeCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SingleNodeCluster.class);
    private static final int BROKER_ID = TestKitDefaults.BROKER_ID_OFFSET;
    private static final int CONTROLLER_ID = TestKitDefaults.BROKER_ID_OFFSET + TestKitDefaults.CONTROLLER_ID_OFFSET;
    private static final ListenerName BROKER_LISTENER =
            ListenerName.normalised(TestKitDefaults.DEFAULT_BROKER_LISTENER_NAME);
    private static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(1);

    private final String name;
    private final KafkaClusterTestKit kit;
    private final int port;

    private SingleNodeCluster(String name, KafkaClusterTestKit kit, int port) {
        this.name = name;
        this.kit = kit;
        this.port = port;
    }

    /** Formats and starts a cluster and waits until its broker is ready. */
    static SingleNodeCluster start(String name) throws Exception {
        Map<Integer, Map<String, String>> perNode = new TreeMap<>();
        // 127.0.0.1, never "localhost", which could resolve to ::1.
        perNode.put(BROKER_ID, Map.of("listeners", BROKER_LISTENER.value() + "://127.0.0.1:0"));
        TestKitNodes nodes = new TestKitNodes.Builder(KafkaCluster.productionBootstrapMetadata())
                .setCombined(false)
                .setNumControllerNodes(1)
                .setNumBrokerNodes(1)
                .setBaseDirectory(Files.createTempDirectory(Path.of("target").toAbsolutePath(), "kafka-" + name + "-"))
                .setPerServerProperties(perNode)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        config().forEach(builder::setConfigProp);
        KafkaClusterTestKit kit = builder.build();
        try {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
        } catch (Exception e) {
            kit.close();
            throw e;
        }
        int port = kit.brokers().get(BROKER_ID).boundPort(BROKER_LISTENER);
        LOG.info("cluster {} started on 127.0.0.1:{}", name, port);
        return new SingleNodeCluster(name, kit, port);
    }

    private static Map<String, Object> config() {
        Map<String, Object> config = new TreeMap<>();
        config.put("default.replication.factor", "1");
        config.put("min.insync.replicas", "1");
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "3");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "3");
        config.put("group.initial.rebalance.delay.ms", "0");
        // Topics exist only where a test made them, so a topic the mesh should not find is not created by a probe.
        config.put("auto.create.topics.enable", "false");
        config.put("unstable.api.versions.enable", "false");
        config.put("unstable.feature.versions.enable", "false");
        config.put("controller.quorum.election.backoff.max.ms", "100");
        return config;
    }

    public String name() {
        return name;
    }

    /** {@code 127.0.0.1:port} of the broker: what the mesh's configuration names, never what clients see. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** An admin client connected straight to the broker. */
    public Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000));
    }

    /** Stops the broker with a controlled shutdown; its partitions go offline. */
    public void stopBroker() {
        LOG.info("stopping the broker of cluster {}", name);
        broker().shutdown();
        broker().awaitShutdown();
    }

    /** Starts the stopped broker again on its port and waits until it is ready. */
    public void startBroker() {
        LOG.info("starting the broker of cluster {} again", name);
        broker().startup();
        Await.until(SETTLE_TIMEOUT, "the broker of " + name + " running",
                () -> broker().brokerState() == BrokerState.RUNNING);
    }

    /** Starts the broker if a test left it stopped. */
    void ensureRunning() {
        if (broker().isShutdown()) {
            LOG.warn("the broker of cluster {} was left stopped; starting it again", name);
            startBroker();
        }
    }

    private BrokerServer broker() {
        return kit.brokers().get(BROKER_ID);
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }

    @Override
    public String toString() {
        return name + " (" + bootstrapServers() + ", controller " + CONTROLLER_ID + ")";
    }
}
