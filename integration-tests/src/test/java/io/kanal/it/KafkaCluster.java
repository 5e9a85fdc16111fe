package io.kanal.it;

import io.kanal.testkafka.KraftTestCluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.test.api.TestKitDefaults;
import org.apache.kafka.metadata.BrokerState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.BrokerServer;

/**
 * A real Apache Kafka KRaft cluster in this JVM: one dedicated controller and three brokers, all on 127.0.0.1.
 *
 * <p>The controller is separate from the brokers so that stopping a broker never touches the metadata quorum; a
 * stopped broker can be started again on the same port, and the cluster is whole again.
 */
public final class KafkaCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);

    public static final int BROKER_COUNT = 3;
    /** The broker node ids the test kit assigns: it numbers brokers from {@link TestKitDefaults#BROKER_ID_OFFSET}. */
    public static final int FIRST_BROKER_ID = TestKitDefaults.BROKER_ID_OFFSET;
    public static final int LAST_BROKER_ID = FIRST_BROKER_ID + BROKER_COUNT - 1;
    /** The test kit numbers dedicated controllers from broker offset + controller offset: 3000. */
    private static final int CONTROLLER_ID = TestKitDefaults.BROKER_ID_OFFSET + TestKitDefaults.CONTROLLER_ID_OFFSET;

    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(2);
    private static final ListenerName BROKER_LISTENER =
            ListenerName.normalised(TestKitDefaults.DEFAULT_BROKER_LISTENER_NAME);

    private final KafkaClusterTestKit kit;
    /** Read once at start: a stopped broker has no bound socket, and a restarted one gets the same port back. */
    private final SortedMap<Integer, Integer> brokerPorts = new TreeMap<>();
    private final int controllerPort;

    /** Wraps a started test kit. */
    private KafkaCluster(KafkaClusterTestKit kit) {
        this.kit = kit;
        kit.brokers().forEach((id, broker) -> brokerPorts.put(id, broker.boundPort(BROKER_LISTENER)));
        this.controllerPort = kit.controllers().values().iterator().next().socketServer()
                .boundPort(kit.nodes().controllerListenerName());
    }

    /** Formats and starts the cluster and waits until every broker is registered, unfenced and has caught up. */
    public static KafkaCluster start() throws Exception {
        long started = System.nanoTime();
        TestKitNodes nodes = new TestKitNodes.Builder(KraftTestCluster.productionMetadata())
                .setCombined(false)
                .setNumControllerNodes(1)
                .setNumBrokerNodes(BROKER_COUNT)
                .setBaseDirectory(Files.createTempDirectory(Path.of("target").toAbsolutePath(), "kafka-cluster-"))
                .setPerServerProperties(perNodeConfig())
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        brokerConfig().forEach(builder::setConfigProp);
        KafkaClusterTestKit kit = builder.build();
        startKit(kit);
        KafkaCluster cluster = new KafkaCluster(kit);
        LOG.info("Kafka cluster started in {} ms: brokers {} on {}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                brokerIds(), cluster.bootstrapServers());
        return cluster;
    }

    /**
     * Formats and starts the nodes of a test kit and waits until its brokers are ready; closes the kit again when that
     * fails or does not happen within three minutes.
     */
    public static void startKit(KafkaClusterTestKit kit) throws Exception {
        try {
            CompletableFuture.runAsync(() -> {
                try {
                    kit.format();
                    kit.startup();
                    kit.waitForReadyBrokers();
                } catch (Exception e) {
                    throw new IllegalStateException("Kafka cluster failed to start", e);
                }
            }).get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            try {
                kit.close();
            } catch (Exception closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private static Map<Integer, Map<String, String>> perNodeConfig() {
        Map<Integer, Map<String, String>> perNode = new TreeMap<>();
        // Brokers advertise 127.0.0.1, never "localhost", which could resolve to ::1.
        for (int id : brokerIds()) {
            perNode.put(id, Map.of("listeners", BROKER_LISTENER.value() + "://127.0.0.1:0"));
        }
        // In KRaft the controller creates topics, so the default replication factor is the controller's setting.
        perNode.put(CONTROLLER_ID, Map.of("default.replication.factor", "3"));
        return perNode;
    }

    private static Map<String, Object> brokerConfig() {
        Map<String, Object> config = new TreeMap<>();
        // Durability as production clusters configure it: acks=all needs two in-sync copies out of three.
        config.put("min.insync.replicas", "2");
        config.put("offsets.topic.replication.factor", "3");
        config.put("transaction.state.log.replication.factor", "3");
        config.put("transaction.state.log.min.isr", "2");
        // Fewer internal partitions than the default 50 each: creating 300 replicas costs seconds on a 2-core CI box.
        config.put("offsets.topic.num.partitions", "5");
        config.put("transaction.state.log.num.partitions", "5");
        // Groups form as soon as their members join instead of 3 s later.
        config.put("group.initial.rebalance.delay.ms", "0");
        // KIP-848 groups ("group.protocol=consumer") are enabled by the group.version feature, which Kafka 4.x
        // finalizes by default (see KraftTestCluster.productionMetadata); faster heartbeats only make them settle sooner.
        config.put("group.consumer.min.heartbeat.interval.ms", "500");
        config.put("group.consumer.heartbeat.interval.ms", "1000");
        // Behave like a released broker: no unstable protocol versions in ApiVersions responses.
        config.put("unstable.api.versions.enable", "false");
        config.put("unstable.feature.versions.enable", "false");
        return config;
    }

    public static List<Integer> brokerIds() {
        List<Integer> ids = new ArrayList<>();
        for (int id = FIRST_BROKER_ID; id <= LAST_BROKER_ID; id++) {
            ids.add(id);
        }
        return ids;
    }

    /** The real brokers' addresses, {@code 127.0.0.1:port,...}: what the proxy targets, never what clients should see. */
    public String bootstrapServers() {
        return brokerPorts().values().stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    /** The port each broker listens on for clients, by node id. */
    public SortedMap<Integer, Integer> brokerPorts() {
        return Collections.unmodifiableSortedMap(brokerPorts);
    }

    /** Every port the cluster listens on, brokers and controller: none of them may reach a proxy client. */
    public List<Integer> allListeningPorts() {
        List<Integer> ports = new ArrayList<>(brokerPorts.values());
        ports.add(controllerPort);
        return ports;
    }

    /** An admin client connected straight to the brokers, for setting up and checking what tests do through the proxy. */
    public Admin directAdmin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000));
    }

    /** Stops one broker with a controlled shutdown; its partitions move to the other two. */
    public void stopBroker(int brokerId) {
        BrokerServer broker = broker(brokerId);
        LOG.info("Stopping broker {}", brokerId);
        broker.shutdown();
        broker.awaitShutdown();
    }

    /**
     * Starts a stopped broker again on its old port and waits until the cluster is whole: every broker running and
     * every partition of every topic back to a full in-sync replica set.
     */
    public void restartBroker(int brokerId) {
        LOG.info("Restarting broker {}", brokerId);
        broker(brokerId).startup();
        awaitWhole();
    }

    public boolean isRunning(int brokerId) {
        return broker(brokerId).brokerState() == BrokerState.RUNNING;
    }

    /**
     * Restarts any broker a previous test left stopped and waits until the cluster is whole, so that every test
     * starts on three healthy brokers whatever ran before it.
     */
    public void ensureWhole() {
        for (int id : brokerIds()) {
            if (broker(id).isShutdown()) {
                LOG.warn("Broker {} was left stopped by an earlier test; starting it again", id);
                broker(id).startup();
            }
        }
        awaitWhole();
    }

    private void awaitWhole() {
        Await.until(SETTLE_TIMEOUT, "all brokers running", () -> brokerIds().stream().allMatch(this::isRunning));
        try {
            kit.waitForReadyBrokers();
        } catch (Exception e) {
            throw new IllegalStateException("brokers did not become ready", e);
        }
        try (Admin admin = directAdmin()) {
            Await.result(SETTLE_TIMEOUT, () -> "every partition back to a full ISR", () -> underReplicated(admin),
                    List::isEmpty);
        }
    }

    private static List<String> underReplicated(Admin admin) throws Exception {
        Collection<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true))
                .names().get();
        List<String> lagging = new ArrayList<>();
        for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get().values()) {
            for (TopicPartitionInfo partition : topic.partitions()) {
                if (partition.leader() == null || partition.isr().size() < partition.replicas().size()) {
                    lagging.add(topic.name() + "-" + partition.partition() + " isr=" + partition.isr());
                }
            }
        }
        return lagging;
    }

    private BrokerServer broker(int brokerId) {
        BrokerServer broker = kit.brokers().get(brokerId);
        if (broker == null) {
            throw new IllegalArgumentException("no broker " + brokerId + "; brokers are " + brokerIds());
        }
        return broker;
    }

    @Override
    public void close() {
        LOG.info("Stopping Kafka cluster");
        try {
            kit.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the Kafka cluster", e);
        } catch (Exception e) {
            // The test kit rethrows the first fault any broker or controller reported during the run.
            throw new IllegalStateException("the Kafka cluster failed while running or stopping", e);
        }
    }
}
