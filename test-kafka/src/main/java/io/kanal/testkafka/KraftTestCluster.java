package io.kanal.testkafka;

import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.test.api.TestKitDefaults;
import org.apache.kafka.metadata.BrokerState;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Apache Kafka KRaft cluster in this JVM: one controller of its own and one or more brokers on 127.0.0.1,
 * formatted with the production metadata version and features, as users run it.
 *
 * <p>The controller is a node of its own, so a broker can be stopped and started again while the cluster's metadata
 * lives on; the test kit gives a restarted broker its old port back, so clients find it again. Topics exist only
 * where a test made them: automatic topic creation is off.
 */
public final class KraftTestCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KraftTestCluster.class);
    private static final ListenerName LISTENER = ListenerName.normalised(TestKitDefaults.DEFAULT_BROKER_LISTENER_NAME);
    private static final Duration RESTART_TIMEOUT = Duration.ofMinutes(1);

    private final String name;
    private final KafkaClusterTestKit kit;
    /** Read once at start: a stopped broker has no bound socket, and a restarted one gets the same port back. */
    private final Map<Integer, Integer> ports = new TreeMap<>();

    private KraftTestCluster(String name, KafkaClusterTestKit kit) {
        this.name = name;
        this.kit = kit;
        kit.brokers().forEach((id, broker) -> ports.put(id, broker.boundPort(LISTENER)));
    }

    /** A cluster named {@code name} (in logs and its data directory) of one broker, until the builder says more. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * The metadata version and feature levels a production cluster of this Kafka release is formatted with. The test
     * kit defaults to the unstable "latest testing" levels; the proxy must be proven against what users run.
     */
    public static BootstrapMetadata productionMetadata() {
        MetadataVersion version = MetadataVersion.latestProduction();
        Map<String, Short> features = Feature.PRODUCTION_FEATURES.stream().collect(Collectors.toMap(
                Feature::featureName, feature -> feature.defaultLevel(version), (a, b) -> a, TreeMap::new));
        return BootstrapMetadata.fromVersions(version, features, "kanal-test-kafka");
    }

    /** What a cluster is made of; {@link #start()} formats and starts it. */
    public static final class Builder {

        private final String name;
        private final Map<String, String> config = new TreeMap<>();
        private int brokers = 1;
        private boolean rackPerBroker;

        private Builder(String name) {
            this.name = name;
            // A cluster of few brokers: internal topics and produce acknowledgements must not wait for more replicas.
            config.put("min.insync.replicas", "1");
            config.put("offsets.topic.replication.factor", "1");
            config.put("transaction.state.log.replication.factor", "1");
            config.put("transaction.state.log.min.isr", "1");
            // Groups form as soon as their members join instead of 3 s later.
            config.put("group.initial.rebalance.delay.ms", "0");
            // A topic a test did not make must stay unknown, not be created by a metadata probe.
            config.put("auto.create.topics.enable", "false");
            // Behave like a released broker: no unstable protocol or feature versions.
            config.put("unstable.api.versions.enable", "false");
            config.put("unstable.feature.versions.enable", "false");
        }

        /** The number of brokers, numbered from {@link TestKitDefaults#BROKER_ID_OFFSET}; one by default. */
        public Builder brokers(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("a cluster needs at least one broker, not " + count);
            }
            this.brokers = count;
            return this;
        }

        /**
         * Puts each broker in a rack of its own, {@code rack-<node id>}, and selects replicas rack-aware, so that a
         * consumer naming a rack can be sent to a follower.
         */
        public Builder rackPerBroker() {
            this.rackPerBroker = true;
            return config("replica.selector.class", "org.apache.kafka.common.replica.RackAwareReplicaSelector");
        }

        /** Sets a configuration property of every node, replacing the fixture's default for that key if any. */
        public Builder config(String key, String value) {
            config.put(key, value);
            return this;
        }

        /** Formats and starts the cluster and waits until every broker is ready. */
        public KraftTestCluster start() throws Exception {
            TestKitNodes nodes = new TestKitNodes.Builder(productionMetadata())
                    .setCombined(false)
                    .setNumControllerNodes(1)
                    .setNumBrokerNodes(brokers)
                    .setBaseDirectory(Files.createTempDirectory(Path.of("target").toAbsolutePath(),
                            "kafka-" + name + "-"))
                    .setPerServerProperties(perBrokerConfig())
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            config.forEach(builder::setConfigProp);
            KafkaClusterTestKit kit = builder.build();
            try {
                kit.format();
                kit.startup();
                kit.waitForReadyBrokers();
            } catch (Exception e) {
                kit.close();
                throw e;
            }
            KraftTestCluster cluster = new KraftTestCluster(name, kit);
            LOG.info("cluster {} started", cluster);
            return cluster;
        }

        private Map<Integer, Map<String, String>> perBrokerConfig() {
            Map<Integer, Map<String, String>> perNode = new TreeMap<>();
            for (int index = 0; index < brokers; index++) {
                int id = TestKitDefaults.BROKER_ID_OFFSET + index;
                Map<String, String> node = new HashMap<>();
                // 127.0.0.1, never "localhost", which could resolve to ::1. Port 0: the test kit binds a port per
                // broker once, and a broker started again gets it back.
                node.put("listeners", LISTENER.value() + "://127.0.0.1:0");
                if (rackPerBroker) {
                    node.put("broker.rack", "rack-" + id);
                }
                perNode.put(id, node);
            }
            return perNode;
        }
    }

    public String name() {
        return name;
    }

    /** {@code 127.0.0.1:port,...} of every broker, in node id order. */
    public String bootstrapServers() {
        return ports.values().stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    /** The broker node ids, in order. */
    public List<Integer> brokerIds() {
        return new ArrayList<>(ports.keySet());
    }

    /** {@code 127.0.0.1:port} of broker {@code nodeId}. */
    public String address(int nodeId) {
        return "127.0.0.1:" + ports.get(nodeId);
    }

    /** An admin client connected straight to the brokers; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000));
    }

    /**
     * Creates a topic whose partitions are placed on the brokers of {@code assignment} (partition to replicas, the
     * leader first) and waits until every partition has its leader and all its replicas in sync.
     */
    public void createTopic(String topic, Map<Integer, List<Integer>> assignment) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, assignment))).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                TopicDescription description = null;
                try {
                    description = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                            .get(topic);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                }
                if (description != null && description.partitions().stream().allMatch(partition ->
                        partition.leader() != null && partition.isr().size() == partition.replicas().size())) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(topic + " has no leaders yet: " + description);
                }
                Thread.sleep(50);
            }
        }
    }

    /** Creates a topic of {@code partitions} partitions, all on the first broker. */
    public void createTopic(String topic, int partitions) throws Exception {
        Map<Integer, List<Integer>> assignment = new TreeMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            assignment.put(partition, List.of(brokerIds().get(0)));
        }
        createTopic(topic, assignment);
    }

    /** The id of {@code topic}. */
    public Uuid topicId(String topic) throws Exception {
        try (Admin admin = admin()) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).topicId();
        }
    }

    /**
     * Writes {@code count} records {@code prefix-0}, {@code prefix-1}, ... to one partition, straight to the cluster.
     */
    public void produce(String topic, int partition, String prefix, int count) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.LINGER_MS_CONFIG, 5))) {
            for (int index = 0; index < count; index++) {
                producer.send(new ProducerRecord<>(topic, partition, "key-" + index, prefix + "-" + index));
            }
            producer.flush();
        }
    }

    /** Stops broker {@code nodeId} with a controlled shutdown; partitions it alone holds go offline. */
    public void stopBroker(int nodeId) {
        LOG.info("stopping broker {} of cluster {}", nodeId, name);
        BrokerServer broker = broker(nodeId);
        broker.shutdown();
        broker.awaitShutdown();
    }

    /** Starts a stopped broker again on its port and waits until it runs. */
    public void startBroker(int nodeId) throws InterruptedException {
        LOG.info("starting broker {} of cluster {} again", nodeId, name);
        BrokerServer broker = broker(nodeId);
        broker.startup();
        long deadline = System.nanoTime() + RESTART_TIMEOUT.toNanos();
        while (broker.brokerState() != BrokerState.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("broker " + nodeId + " of " + name + " did not start again within "
                        + RESTART_TIMEOUT);
            }
            Thread.sleep(50);
        }
    }

    /** Whether broker {@code nodeId} was stopped and not started again. */
    public boolean isStopped(int nodeId) {
        return broker(nodeId).isShutdown();
    }

    private BrokerServer broker(int nodeId) {
        BrokerServer broker = kit.brokers().get(nodeId);
        if (broker == null) {
            throw new IllegalArgumentException("cluster " + name + " has no broker " + nodeId + "; its brokers are "
                    + brokerIds());
        }
        return broker;
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }

    @Override
    public String toString() {
        return name + " (" + bootstrapServers() + ")";
    }
}
