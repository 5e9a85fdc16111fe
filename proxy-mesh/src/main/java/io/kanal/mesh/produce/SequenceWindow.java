package io.kanal.mesh.produce;

import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The batches one idempotent producer sent to one partition, checked as a broker checks them: the producer's epoch on
 * this partition, and the last {@value #REMEMBERED} batches by sequence number, so that a retried batch is recognised
 * and answered with the original outcome instead of being written again, and one that skips sequence numbers is
 * refused.
 *
 * <p>As on a broker: a batch that follows one whose write failed is out of order until that one is written again;
 * a partition the producer has not written to yet takes any starting sequence; a higher epoch (the
 * Java producer bumps it itself after a failed batch) starts again at sequence 0; a lower one is fenced.
 *
 * <p>Not thread-safe: its {@link ProducerIds} owner serialises access.
 */
final class SequenceWindow {

    /** What a broker remembers per producer and partition, and the most batches a Java producer has in flight. */
    static final int REMEMBERED = 5;
    private static final short NO_EPOCH = -1;

    /**
     * One batch: its sequence numbers and the write that carries it upstream.
     *
     * @param firstSequence the batch's base sequence
     * @param lastSequence  the sequence of its last record
     * @param write         what carries its records upstream
     */
    record Entry(int firstSequence, int lastSequence, PartitionWrite write) {
    }

    /** What to do with a batch. */
    sealed interface Decision permits Accept, Duplicate, Reject {
    }

    /** A new batch, the next in sequence: send its write, which is remembered for retries. */
    record Accept(Entry entry) implements Decision {
    }

    /** A batch seen before: answer with its write's outcome, writing again only what failed. */
    record Duplicate(Entry entry) implements Decision {
    }

    /** A batch to refuse with {@code error}. */
    record Reject(Errors error, String message) implements Decision {
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private short epoch = NO_EPOCH;

    /**
     * Decides about a batch with these sequence numbers; an accepted one is remembered from now on, with
     * {@code write} as what carries it.
     */
    Decision check(short batchEpoch, int firstSequence, int lastSequence, PartitionWrite write) {
        if (batchEpoch < epoch) {
            return new Reject(Errors.INVALID_PRODUCER_EPOCH, "the producer's epoch on this partition is " + epoch
                    + ", the batch's " + batchEpoch);
        }
        if (batchEpoch > epoch) {
            if (epoch != NO_EPOCH && firstSequence != 0) {
                return new Reject(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "a new epoch (" + batchEpoch
                        + ") must start at sequence 0, not " + firstSequence);
            }
            epoch = batchEpoch;
            entries.clear();
            return accept(firstSequence, lastSequence, write);
        }
        for (Iterator<Entry> it = entries.descendingIterator(); it.hasNext(); ) {
            Entry entry = it.next();
            if (entry.firstSequence == firstSequence && entry.lastSequence == lastSequence) {
                return new Duplicate(entry);
            }
        }
        Entry last = entries.peekLast();
        int expected = next(last.lastSequence);
        if (firstSequence == expected) {
            if (last.write.hasFailed()) {
                // As on a broker, which has not written the batch before it: taking this one now would write it ahead
                // of the records the client is about to send again. The Java client retries both, in order.
                return new Reject(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "the batch before sequence " + firstSequence
                        + " was not written; it must be sent again first");
            }
            return accept(firstSequence, lastSequence, write);
        }
        if (isBefore(firstSequence, expected)) {
            // Older than anything remembered: written long ago. The Java client counts this as success.
            return new Reject(Errors.DUPLICATE_SEQUENCE_NUMBER, "batch with sequence " + firstSequence
                    + " was written before; the mesh no longer remembers its offset");
        }
        return new Reject(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "expected sequence " + expected + ", got "
                + firstSequence);
    }

    private Accept accept(int firstSequence, int lastSequence, PartitionWrite write) {
        Entry entry = new Entry(firstSequence, lastSequence, write);
        entries.addLast(entry);
        if (entries.size() > REMEMBERED) {
            entries.removeFirst();
        }
        return new Accept(entry);
    }

    /** Sequence numbers wrap around from Integer.MAX_VALUE to 0, as Kafka's do. */
    private static int next(int sequence) {
        return sequence == Integer.MAX_VALUE ? 0 : sequence + 1;
    }

    /** Whether {@code sequence} comes before {@code expected}, counting within half the sequence space. */
    private static boolean isBefore(int sequence, int expected) {
        long distance = ((long) expected - sequence + (1L << 31)) % (1L << 31);
        return distance > 0 && distance < (1L << 30);
    }
}
