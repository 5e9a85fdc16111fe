package io.kanal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Admin client through the proxy: topic lifecycle, configs, consumer groups and cluster description all work, and
 * every broker address the admin is given is a proxy port on 127.0.0.1, never a real broker's.
 */
@SharedCluster
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AdminThroughProxyTest {

    private static final Duration SETTLE = Duration.ofSeconds(30);

    private static ProxyFixture proxy;
    private static Admin admin;

    @BeforeAll
    static void connect(ProxyFixture fixture) {
        proxy = fixture;
        admin = Clients.admin(proxy.bootstrapServers());
    }

    @AfterAll
    static void disconnect() {
        if (admin != null) {
            admin.close();
        }
    }

    @Test
    void describeClusterShowsEveryBrokerAtItsProxyPort(KafkaCluster cluster) throws Exception {
        DescribeClusterResult described = admin.describeCluster();
        Collection<Node> nodes = described.nodes().get();

        assertEquals(Set.copyOf(KafkaCluster.brokerIds()), nodes.stream().map(Node::id).collect(Collectors.toSet()));
        nodes.forEach(node -> proxy.assertProxied(node, "describeCluster nodes"));
        proxy.assertProxied(described.controller().get(), "describeCluster controller");
        try (Admin direct = cluster.directAdmin()) {
            assertEquals(direct.describeCluster().clusterId().get(), described.clusterId().get(), "cluster id");
        }
    }

    @Test
    void createsDescribesAndDeletesTopics() throws Exception {
        String topic = Names.unique("admin-topic");
        admin.createTopics(List.of(new NewTopic(topic, 3, Topics.REPLICATION_FACTOR))).all().get();
        Topics.awaitReady(admin, topic, 3);

        assertTrue(admin.listTopics().names().get().contains(topic), "listTopics shows the new topic");
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        assertEquals(3, description.partitions().size());
        for (TopicPartitionInfo partition : description.partitions()) {
            String where = "describeTopics " + topic + "-" + partition.partition();
            assertEquals(3, partition.replicas().size(), where + " replicas");
            proxy.assertProxied(partition.leader(), where + " leader");
            partition.replicas().forEach(node -> proxy.assertProxied(node, where + " replica"));
            partition.isr().forEach(node -> proxy.assertProxied(node, where + " isr"));
        }

        admin.deleteTopics(List.of(topic)).all().get();
        Await.result(SETTLE, () -> "topic " + topic + " to disappear from listTopics",
                () -> admin.listTopics().names().get(), names -> !names.contains(topic));
    }

    @Test
    void describesAndAltersTopicConfigs(KafkaCluster cluster) throws Exception {
        String topic;
        try (Admin direct = cluster.directAdmin()) {
            topic = Topics.create(direct, "admin-config", 1);
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);

        Config before = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        assertEquals("2", before.get("min.insync.replicas").value(), "min.insync.replicas inherited from the brokers");
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, before.get("retention.ms").source());

        admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET)))).all().get();

        ConfigEntry retention = Await.result(SETTLE, () -> "retention.ms of " + topic + " to read 3600000",
                () -> admin.describeConfigs(List.of(resource)).all().get().get(resource).get("retention.ms"),
                entry -> "3600000".equals(entry.value()));
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, retention.source());
    }

    @Test
    void listsAndDescribesConsumerGroups(KafkaCluster cluster) throws Exception {
        String topic;
        try (Admin direct = cluster.directAdmin()) {
            topic = Topics.create(direct, "admin-groups", 1);
        }
        String group = Names.unique("admin-group");
        try (KafkaProducer<String, String> producer = Clients.producer(proxy.bootstrapServers(), Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "value-" + i)).get();
            }
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(proxy.bootstrapServers(),
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            consumer.subscribe(List.of(topic));
            Consuming.atLeast(consumer, 10, Duration.ofSeconds(60));
            consumer.commitSync();

            Collection<GroupListing> groups = admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get();
            assertTrue(groups.stream().anyMatch(g -> g.groupId().equals(group)), "listGroups shows " + group);

            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            assertEquals(GroupState.STABLE, description.groupState());
            assertEquals(1, description.members().size(), "members " + description.members());
            proxy.assertProxied(description.coordinator(), "describeConsumerGroups coordinator");

            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            OffsetAndMetadata committed = offsets.get(new TopicPartition(topic, 0));
            assertNotNull(committed, "committed offsets " + offsets);
            assertEquals(10, committed.offset());
        }
    }
}
