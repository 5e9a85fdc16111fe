package io.kanal.mesh.consume;

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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real KRaft cluster in this JVM for the consume path's tests: one controller of its own and one or more brokers
 * on 127.0.0.1, each broker in a rack of its own ({@code rack-<node id>}) and with rack-aware replica selection, so
 * that a consumer naming a rack can be sent to a follower. Formatted with the production metadata version and
 * features, as users run it.
 */
public final class TestKafka implements AutoCloseable {

    private static final ListenerName LISTENER = ListenerName.normalised(TestKitDefaults.DEFAULT_BROKER_LISTENER_NAME);

    private final String name;
    private final KafkaClusterTestKit kit;
    private final Map<Integer, Integer> ports = new TreeMap<>();

    private TestKafka(String name, KafkaClusterTestKit kit) {
        this.name = name;
        this.kit = kit;
        kit.brokers().forEach((id, broker) -> ports.put(id, broker.boundPort(LISTENER)));
    }

    /** Formats and starts a cluster of {@code brokers} brokers and waits until they are ready. */
    public static TestKafka start(String name, int brokers) throws Exception {
        Map<Integer, Map<String, String>> perNode = new TreeMap<>();
        for (int index = 0; index < brokers; index++) {
            int id = TestKitDefaults.BROKER_ID_OFFSET + index;
            // Port 0: the test kit binds a port per broker once, and a broker started again gets it back.
            perNode.put(id, Map.of("listeners", LISTENER.value() + "://127.0.0.1:0", "broker.rack", "rack-" + id));
        }
        TestKitNodes nodes = new TestKitNodes.Builder(productionMetadata())
                .setCombined(false)
                .setNumControllerNodes(1)
                .setNumBrokerNodes(brokers)
                .setBaseDirectory(Files.createTempDirectory(Path.of("target").toAbsolutePath(), "kafka-" + name + "-"))
                .setPerServerProperties(perNode)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        Map<String, Object> config = new TreeMap<>();
        config.put("min.insync.replicas", "1");
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "2");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "2");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("group.consumer.min.heartbeat.interval.ms", "500");
        config.put("group.consumer.heartbeat.interval.ms", "1000");
        config.put("auto.create.topics.enable", "false");
        config.put("unstable.api.versions.enable", "false");
        config.put("unstable.feature.versions.enable", "false");
        config.put("replica.selector.class", "org.apache.kafka.common.replica.RackAwareReplicaSelector");
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
        return new TestKafka(name, kit);
    }

    private static BootstrapMetadata productionMetadata() {
        MetadataVersion version = MetadataVersion.latestProduction();
        Map<String, Short> features = Feature.PRODUCTION_FEATURES.stream().collect(Collectors.toMap(
                Feature::featureName, feature -> feature.defaultLevel(version), (a, b) -> a, TreeMap::new));
        return BootstrapMetadata.fromVersions(version, features, "kanal-mesh-test");
    }

    public String name() {
        return name;
    }

    /** {@code 127.0.0.1:port,...} of every broker. */
    public String bootstrapServers() {
        return ports.values().stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    /** The broker node ids, in order. */
    public List<Integer> brokerIds() {
        return new ArrayList<>(ports.keySet());
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000));
    }

    /**
     * Creates a topic whose partitions are led by the given brokers, in turn, each replicated to every broker listed
     * in {@code replicas} after its leader; waits until every partition has its leader.
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

    /** The id of {@code topic}. */
    public Uuid topicId(String topic) throws Exception {
        try (Admin admin = admin()) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).topicId();
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

    /** Writes {@code count} records {@code prefix-0}, {@code prefix-1}, ... to one partition, straight to the cluster. */
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

    /** {@code 127.0.0.1:port} of broker {@code nodeId}. */
    public String address(int nodeId) {
        return "127.0.0.1:" + ports.get(nodeId);
    }

    /** Stops a broker with a controlled shutdown. */
    public void stopBroker(int nodeId) {
        BrokerServer broker = kit.brokers().get(nodeId);
        broker.shutdown();
        broker.awaitShutdown();
    }

    /** Starts a stopped broker again on its port and waits until it runs. */
    public void startBroker(int nodeId) throws InterruptedException {
        BrokerServer broker = kit.brokers().get(nodeId);
        broker.startup();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (broker.brokerState() != BrokerState.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("broker " + nodeId + " of " + name + " did not start again");
            }
            Thread.sleep(50);
        }
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
