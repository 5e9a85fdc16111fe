package io.kanal.mesh.consume.group;

import io.kanal.mesh.consume.OfflineClusters;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the mesh tells which cluster a group belongs to from the topics its members name. */
class GroupPlacementTest {

    private static OfflineClusters clusters;
    private static GroupHomes homes;

    @BeforeAll
    static void start() {
        clusters = new OfflineClusters();
        homes = new GroupHomes(clusters.clusters(), Optional.empty());
    }

    @AfterAll
    static void stop() {
        clusters.close();
    }

    @Test
    void aJoiningConsumersTopicsAreReadFromEveryAssignorsSubscription() {
        JoinGroupRequestData join = join("consumer",
                protocol("range", List.of("apples.a", "apples.b")),
                protocol("cooperative-sticky", List.of("apples.b", "apples.c")));

        assertEquals(Optional.of(List.of("apples.a", "apples.b", "apples.c")), Subscriptions.topics(join));
    }

    @Test
    void aMemberThatIsNotAConsumerNamesNoTopics() {
        JoinGroupRequestProtocol worker = new JoinGroupRequestProtocol().setName("sessioned")
                .setMetadata(new byte[]{1, 2, 3});

        assertEquals(Optional.empty(), Subscriptions.topics(join("connect", worker)));
        assertEquals(Optional.empty(), Subscriptions.topics(join("consumer", worker)), "unreadable subscription");
    }

    @Test
    void topicsOfOneClusterPlaceTheGroupThereAndUnroutedTopicsAreLeftOut() {
        GroupHomes.Placement placement = homes.place(List.of("apples.a", "durians.x", "apples.b"));

        assertEquals(Optional.of("apples"), placement.single());
        assertFalse(placement.spans());
    }

    @Test
    void topicsOfSeveralClustersSpanThemAndSayWhich() {
        GroupHomes.Placement placement = homes.place(List.of("bananas.y", "apples.x", "apples.z"));

        assertTrue(placement.spans());
        assertEquals(Optional.empty(), placement.single());
        assertEquals("'apples' (apples.x, apples.z), 'bananas' (bananas.y)", placement.describe());
    }

    @Test
    void aGroupDeletedInOneClusterAndAbsentInOthersIsDeleted() {
        assertEquals(Errors.NONE, DeleteGroupsHandler.combine(List.of(Errors.GROUP_ID_NOT_FOUND, Errors.NONE)));
        assertEquals(Errors.GROUP_ID_NOT_FOUND, DeleteGroupsHandler.combine(List.of(Errors.GROUP_ID_NOT_FOUND,
                Errors.GROUP_ID_NOT_FOUND)));
        assertEquals(Errors.NON_EMPTY_GROUP, DeleteGroupsHandler.combine(List.of(Errors.NONE,
                Errors.NON_EMPTY_GROUP)), "a cluster that refused says so");
    }

    private static JoinGroupRequestData join(String protocolType, JoinGroupRequestProtocol... protocols) {
        JoinGroupRequestProtocolCollection collection = new JoinGroupRequestProtocolCollection();
        for (JoinGroupRequestProtocol protocol : protocols) {
            collection.add(protocol);
        }
        return new JoinGroupRequestData().setGroupId("g").setProtocolType(protocolType).setProtocols(collection);
    }

    private static JoinGroupRequestProtocol protocol(String name, List<String> topics) {
        return new JoinGroupRequestProtocol().setName(name)
                .setMetadata(Utils.toArray(ConsumerProtocol.serializeSubscription(new Subscription(topics))));
    }
}
