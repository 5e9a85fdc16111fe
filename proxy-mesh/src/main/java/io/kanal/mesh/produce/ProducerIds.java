package io.kanal.mesh.produce;

import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The idempotent producers writing through this mesh instance, each with a {@link SequenceWindow} per partition.
 * Safe for use from any thread.
 *
 * <p>InitProducerId gets a new id with epoch 0 every time, as a broker answers a producer without a transactional id.
 * Ids start from a random number, so that a restarted mesh does not hand out the ids of its previous life again. A
 * producer id the mesh has no state for (issued before a restart, or by another mesh instance) is taken as a broker
 * takes one whose state it lost: its next batch on each partition is accepted whatever its sequence. A producer unheard
 * of for {@link #EXPIRY} is forgotten, as a broker forgets one after {@code producer.id.expiration.ms}.
 */
final class ProducerIds {

    /** Kafka's default {@code producer.id.expiration.ms}. */
    static final Duration EXPIRY = Duration.ofDays(1);

    private static final class Producer {
        long lastUsedNanos;
        final Map<TopicPartition, SequenceWindow> windows = new HashMap<>();

        Producer(long now) {
            this.lastUsedNanos = now;
        }
    }

    private final AtomicLong nextId;
    private final LongSupplier clock;
    private final ConcurrentHashMap<Long, Producer> producers = new ConcurrentHashMap<>();

    ProducerIds() {
        // Positive, far below Long.MAX_VALUE, and different on every start.
        this(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 56), System::nanoTime);
    }

    ProducerIds(long firstId, LongSupplier clock) {
        this.nextId = new AtomicLong(firstId);
        this.clock = clock;
    }

    /** A new producer id; its epoch is 0. */
    long issue() {
        long id = nextId.getAndIncrement();
        producers.put(id, new Producer(clock.getAsLong()));
        return id;
    }

    /** Decides about a batch of an idempotent producer; see {@link SequenceWindow#check}. */
    SequenceWindow.Decision check(long producerId, short epoch, TopicPartition partition, int firstSequence,
                                  int lastSequence, PartitionWrite write) {
        Producer producer = producers.computeIfAbsent(producerId, id -> new Producer(clock.getAsLong()));
        synchronized (producer) {
            producer.lastUsedNanos = clock.getAsLong();
            return producer.windows.computeIfAbsent(partition, key -> new SequenceWindow())
                    .check(epoch, firstSequence, lastSequence, write);
        }
    }

    /** Forgets producers unheard of for {@link #EXPIRY}. */
    void expire() {
        long now = clock.getAsLong();
        producers.values().removeIf(producer -> {
            synchronized (producer) {
                return now - producer.lastUsedNanos > EXPIRY.toNanos();
            }
        });
    }

    int size() {
        return producers.size();
    }
}
