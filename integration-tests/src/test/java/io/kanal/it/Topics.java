package io.kanal.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;

/** Creates test topics and waits until they are usable, so a test's first send does not race topic creation. */
public final class Topics {

    public static final short REPLICATION_FACTOR = 3;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private Topics() {
    }

    /** Creates a uniquely named topic with replication factor 3 and returns its name once every partition has a full ISR. */
    public static String create(Admin admin, String purpose, int partitions) throws Exception {
        String name = Names.unique(purpose);
        admin.createTopics(List.of(new NewTopic(name, partitions, REPLICATION_FACTOR))).all().get(60, TimeUnit.SECONDS);
        awaitReady(admin, name, partitions);
        return name;
    }

    public static void awaitReady(Admin admin, String topic, int partitions) {
        Await.result(READY_TIMEOUT, () -> "topic " + topic + " to have " + partitions + " partitions with full ISRs",
                () -> admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS),
                (Map<String, TopicDescription> described) -> isReady(described.get(topic), partitions));
    }

    private static boolean isReady(TopicDescription topic, int partitions) {
        return topic != null
                && topic.partitions().size() == partitions
                && topic.partitions().stream().allMatch(p -> p.leader() != null && p.isr().size() == REPLICATION_FACTOR);
    }
}
