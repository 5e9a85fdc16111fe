package io.kanal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Three members of one consumer group share a topic through the proxy, with the classic rebalance protocol and with
 * KIP-848's consumer protocol. The group coordinator is found and reached through the proxy; when a member leaves, the
 * others must take over its partitions and carry on from its committed offsets without losing a record.
 */
@SharedCluster
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConsumerGroupRebalanceTest {

    private static final int PARTITIONS = 6;
    private static final int MEMBERS = 3;
    private static final int RECORDS_PER_ROUND = 3_000;
    private static final Duration SETTLE = Duration.ofSeconds(60);

    private static ProxyFixture proxy;

    @BeforeAll
    static void useProxy(ProxyFixture fixture) {
        proxy = fixture;
    }

    @ParameterizedTest
    @EnumSource(GroupProtocol.class)
    void membersShareAllPartitionsAndTakeOverFromOneThatLeaves(GroupProtocol protocol, KafkaCluster cluster) throws Exception {
        String topic;
        try (Admin admin = cluster.directAdmin()) {
            topic = Topics.create(admin, "rebalance-" + protocol.name().toLowerCase(), PARTITIONS);
        }
        String group = Names.unique("group-" + protocol.name().toLowerCase());
        Map<String, Integer> consumed = new ConcurrentHashMap<>(); // value -> times consumed
        List<Member> members = new ArrayList<>();
        try {
            for (int i = 0; i < MEMBERS; i++) {
                members.add(Member.start(protocol, group, topic, consumed));
            }
            awaitPartitionsSharedExactlyOnce(members);
            assertGroupType(cluster, group, protocol);

            Set<String> firstRound = produce(topic, "first");
            awaitConsumed(members, consumed, firstRound);

            Member leaving = members.remove(0);
            Set<TopicPartition> orphaned = leaving.assignment();
            leaving.stop();
            awaitPartitionsSharedExactlyOnce(members);
            Set<TopicPartition> takenOver = members.stream().flatMap(m -> m.assignment().stream()).collect(Collectors.toSet());
            assertTrue(takenOver.containsAll(orphaned), "partitions " + orphaned + " of the member that left were not taken over");

            Set<String> secondRound = produce(topic, "second");
            awaitConsumed(members, consumed, secondRound);

            // Members commit what they processed, and before giving partitions up: the new owners must resume from
            // those offsets (fetched through the proxy), so no record is read twice either.
            Map<String, Integer> duplicates = consumed.entrySet().stream().filter(e -> e.getValue() > 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            assertEquals(Map.of(), duplicates, "records consumed more than once");
            assertEquals(firstRound.size() + secondRound.size(), consumed.size(), "records consumed");
        } finally {
            members.forEach(Member::stop);
        }
    }

    /** The coordinator ran the group with the protocol asked for: the consumer protocol was not silently avoided. */
    private static void assertGroupType(KafkaCluster cluster, String group, GroupProtocol protocol) throws Exception {
        try (Admin admin = cluster.directAdmin()) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            GroupType expected = protocol == GroupProtocol.CONSUMER ? GroupType.CONSUMER : GroupType.CLASSIC;
            assertEquals(expected, description.type(), () -> "type of group " + description);
            assertEquals(MEMBERS, description.members().size(), () -> "members of group " + description);
        }
    }

    /** Waits until the members' assignments are disjoint and together hold every partition, as after a rebalance. */
    private static void awaitPartitionsSharedExactlyOnce(List<Member> members) {
        Set<TopicPartition> all = IntStream.range(0, PARTITIONS)
                .mapToObj(p -> new TopicPartition(members.get(0).topic, p)).collect(Collectors.toSet());
        Await.result(SETTLE, () -> "the " + members.size() + " members to hold all " + PARTITIONS + " partitions once each",
                () -> members.stream().map(m -> m.name + "=" + new TreeSet<>(m.assignment().stream()
                        .map(TopicPartition::partition).collect(Collectors.toSet()))).collect(Collectors.joining(" ")),
                ignoredDescription -> {
                    members.forEach(Member::assertHealthy);
                    List<TopicPartition> held = members.stream().flatMap(m -> m.assignment().stream()).toList();
                    return held.size() == all.size() && new HashSet<>(held).equals(all)
                            && members.stream().noneMatch(m -> m.assignment().isEmpty());
                });
    }

    private static Set<String> produce(String topic, String round) throws Exception {
        Set<String> values = new HashSet<>();
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(proxy.bootstrapServers(), Map.of())) {
            for (int i = 0; i < RECORDS_PER_ROUND; i++) {
                String value = round + "-" + i;
                sends.add(producer.send(new ProducerRecord<>(topic, i % PARTITIONS, null, value)));
                values.add(value);
            }
            producer.flush();
            for (Future<RecordMetadata> send : sends) {
                send.get(); // throws if the record was not acknowledged
            }
        }
        return values;
    }

    private static void awaitConsumed(List<Member> members, Map<String, Integer> consumed, Set<String> expected) {
        Await.result(SETTLE, () -> "all " + expected.size() + " records to be consumed by the group",
                () -> expected.stream().filter(v -> !consumed.containsKey(v)).count(), missing -> {
                    members.forEach(Member::assertHealthy);
                    return missing == 0;
                });
    }

    /** One group member polling in its own thread, as a consumer application would; it commits what it processed. */
    private static final class Member implements Runnable {

        private final String name;
        private final String topic;
        private final KafkaConsumer<String, String> consumer;
        private final Map<String, Integer> consumed;
        private final Thread thread;
        private volatile Set<TopicPartition> assignment = Set.of();
        private volatile boolean running = true;
        private volatile RuntimeException failure;

        private Member(GroupProtocol protocol, String group, String topic, Map<String, Integer> consumed, String name) {
            this.name = name;
            this.topic = topic;
            this.consumed = consumed;
            this.consumer = Clients.consumer(proxy.bootstrapServers(), Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, group,
                    ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol.name().toLowerCase(),
                    ConsumerConfig.CLIENT_ID_CONFIG, name));
            this.thread = new Thread(this, name);
        }

        static Member start(GroupProtocol protocol, String group, String topic, Map<String, Integer> consumed) {
            Member member = new Member(protocol, group, topic, consumed, Names.unique("member"));
            member.thread.start();
            return member;
        }

        Set<TopicPartition> assignment() {
            return assignment;
        }

        /** A member whose poll loop died would report its last assignment forever; fail instead. */
        void assertHealthy() {
            if (failure != null) {
                throw new AssertionError(name + " failed", failure);
            }
        }

        @Override
        public void run() {
            try {
                consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        // Commit before giving partitions away, so the next owner starts where this one stopped.
                        consumer.commitSync();
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    }
                });
                while (running) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                        consumed.merge(record.value(), 1, Integer::sum);
                    }
                    consumer.commitSync();
                    assignment = Set.copyOf(consumer.assignment());
                }
            } catch (WakeupException stopping) {
                // stop() interrupts a poll that is waiting
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                // Closing leaves the group: the coordinator hands this member's partitions to the others at once.
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(30)));
            }
        }

        void stop() {
            if (!running) {
                return;
            }
            running = false;
            consumer.wakeup();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertFalse(thread.isAlive(), name + " did not stop");
            assertHealthy();
            assignment = Set.of();
        }
    }
}
