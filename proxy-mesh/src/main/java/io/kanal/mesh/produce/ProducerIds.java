package io.kanal.mesh.produce;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The idempotent producers of this mesh instance: the producer ids it issued (InitProducerId), each with its epoch
 * and a {@link SequenceWindow} per partition. Safe for use from any thread.
 *
 * <p>Ids start from a random number, so that a restarted mesh does not issue the ids of its previous life to new
 * producers; a producer whose id this instance did not issue gets OUT_OF_ORDER_SEQUENCE_NUMBER, and the Java
 * client then asks for a new id. A producer unheard of for {@link #EXPIRY} is forgotten, as a broker forgets one
 * after {@code producer.id.expiration.ms}.
 */
final class ProducerIds {

    /** Kafka's default {@code producer.id.expiration.ms}. */
    static final Duration EXPIRY = Duration.ofDays(1);

    /** A producer id and epoch issued, or the error InitProducerId answers with. */
    record Issued(long producerId, short epoch) {
    }

    private static final class Producer {
        short epoch;
        long lastUsedNanos;
        final Map<TopicPartition, SequenceWindow> windows = new HashMap<>();

        Producer(short epoch, long now) {
            this.epoch = epoch;
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

    /**
     * Answers InitProducerId: a producer that sends its current id and epoch gets the next epoch (and a fresh
     * sequence space), anyone else a new id with epoch 0.
     */
    Issued init(long producerId, short epoch) {
        Producer known = producers.get(producerId);
        if (known != null) {
            synchronized (known) {
                if (known.epoch == epoch && epoch < Short.MAX_VALUE - 1) {
                    known.epoch++;
                    known.windows.clear();
                    known.lastUsedNanos = clock.getAsLong();
                    return new Issued(producerId, known.epoch);
                }
            }
        }
        long id = nextId.getAndIncrement();
        producers.put(id, new Producer((short) 0, clock.getAsLong()));
        return new Issued(id, (short) 0);
    }

    /** Decides about a batch of an idempotent producer; see {@link SequenceWindow#check}. */
    SequenceWindow.Decision check(long producerId, short epoch, TopicPartition partition, int firstSequence,
                                  int lastSequence, PartitionWrite write) {
        Producer producer = producers.get(producerId);
        if (producer == null) {
            return new SequenceWindow.Reject(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "producer id " + producerId
                    + " was not issued by this Kanal mesh instance (or has expired); the producer must ask for a "
                    + "new one");
        }
        synchronized (producer) {
            if (epoch != producer.epoch) {
                return new SequenceWindow.Reject(Errors.INVALID_PRODUCER_EPOCH, "producer " + producerId
                        + " has epoch " + producer.epoch + ", the batch " + epoch);
            }
            producer.lastUsedNanos = clock.getAsLong();
            return producer.windows.computeIfAbsent(partition, key -> new SequenceWindow())
                    .check(firstSequence, lastSequence, write);
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
