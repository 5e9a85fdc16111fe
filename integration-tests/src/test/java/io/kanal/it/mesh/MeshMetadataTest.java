package io.kanal.it.mesh;

import io.kanal.it.Await;
import io.kanal.it.Clients;
import io.kanal.it.Names;
import io.kanal.mesh.config.MeshConfig;
import io.kanal.testkafka.KraftTestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Metadata through the mesh, as a stock Kafka admin client sees it: one broker, the mesh, leading every partition of
 * the topics the rules route, with their clusters' partition counts and topic ids.
 */
@WithMeshClusters
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MeshMetadataTest {

    private static InProcessMesh mesh;
    private static Admin throughMesh;

    @BeforeAll
    static void startMesh(MeshClusters clusters) {
        mesh = InProcessMesh.start(clusters);
        throughMesh = Clients.admin(mesh.bootstrapServers());
    }

    @AfterAll
    static void stopMesh() {
        if (throughMesh != null) {
            throughMesh.close();
        }
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void theMeshIsTheOnlyBrokerAndTheController() throws Exception {
        DescribeClusterResult cluster = throughMesh.describeCluster();

        Node mesh = new Node(0, "127.0.0.1", MeshMetadataTest.mesh.port());
        assertEquals(List.of(mesh), List.copyOf(cluster.nodes().get()));
        assertEquals(mesh, cluster.controller().get());
        assertEquals("kanal-mesh", cluster.clusterId().get());
    }

    @Test
    void aTopicComesFromTheClusterItsNameRoutesToWithItsPartitionsAndId(MeshClusters clusters) throws Exception {
        String topic = Names.unique("apples.meta");
        TopicDescription upstream = create(clusters.apples(), topic, 3);
        // The same name in another cluster, with more partitions: not the one the rules choose.
        create(clusters.bananas(), topic, 5);

        TopicDescription described = describe(topic);

        assertEquals(upstream.topicId(), described.topicId());
        assertEquals(3, described.partitions().size());
        for (TopicPartitionInfo partition : described.partitions()) {
            assertEquals(0, partition.leader().id(), "the mesh leads " + topic + "-" + partition.partition());
            assertEquals(mesh.port(), partition.leader().port());
        }
    }

    @Test
    void aTopicNoRuleRoutesOrItsClusterLacksIsUnknown(MeshClusters clusters) throws Exception {
        String misplaced = Names.unique("cherries.meta");
        // cherries* lives in cluster3; this one exists only in cluster1.
        create(clusters.apples(), misplaced, 1);

        assertUnknown(Names.unique("durians.meta"));
        assertUnknown(misplaced);
    }

    @Test
    void listingTopicsShowsEveryRoutedTopicOfEveryClusterAndNoOther(MeshClusters clusters) throws Exception {
        String apples = Names.unique("apples.list");
        String bananas = Names.unique("bananas.list");
        String cherries = Names.unique("cherries.list");
        String misplaced = Names.unique("bananas.misplaced");
        create(clusters.apples(), apples, 1);
        create(clusters.bananas(), bananas, 1);
        create(clusters.cherries(), cherries, 1);
        create(clusters.apples(), misplaced, 1);

        Set<String> listed = throughMesh.listTopics().names().get(30, TimeUnit.SECONDS);

        assertTrue(listed.containsAll(List.of(apples, bananas, cherries)), listed::toString);
        assertFalse(listed.contains(misplaced), listed::toString);
        assertFalse(listed.stream().anyMatch(name -> name.startsWith("__")), listed::toString);
    }

    @Test
    void newPartitionsReachClientsWithinARefresh(MeshClusters clusters) throws Exception {
        String topic = Names.unique("apples.grow");
        create(clusters.apples(), topic, 1);
        assertEquals(1, describe(topic).partitions().size());

        try (Admin admin = clusters.apples().admin()) {
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(4))).all().get(30, TimeUnit.SECONDS);
        }

        Await.result(Duration.ofSeconds(30), () -> topic + " with 4 partitions through the mesh",
                () -> describe(topic).partitions().size(), count -> count == 4);
    }

    @Test
    void aPartitionCountOverrideCapsWhatClientsAreTold(MeshClusters clusters) throws Exception {
        String wide = Names.unique("bananas.wide");
        String narrow = Names.unique("bananas.narrow");
        create(clusters.bananas(), wide, 4);
        create(clusters.bananas(), narrow, 1);

        try (InProcessMesh capped = InProcessMesh.start(clusters, Map.of("cluster2", 2),
                MeshConfig.DEFAULT_PRODUCE_TIMEOUT);
             Admin admin = Clients.admin(capped.bootstrapServers())) {
            Map<String, TopicDescription> described = admin.describeTopics(List.of(wide, narrow)).allTopicNames()
                    .get(30, TimeUnit.SECONDS);

            assertEquals(2, described.get(wide).partitions().size());
            assertEquals(1, described.get(narrow).partitions().size(), "never more than the cluster has");
        }
    }

    // ---- Helpers ----

    private static TopicDescription create(KraftTestCluster cluster, String topic, int partitions) throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            return Await.result(Duration.ofSeconds(30), () -> topic + " ready in " + cluster,
                    () -> admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic),
                    description -> description.partitions().size() == partitions
                            && description.partitions().stream().allMatch(p -> p.leader() != null));
        }
    }

    private static TopicDescription describe(String topic) throws Exception {
        return throughMesh.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
    }

    private static void assertUnknown(String topic) {
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> throughMesh.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS));
        assertInstanceOf(UnknownTopicOrPartitionException.class, failure.getCause(), failure::toString);
    }
}
