package io.kanal.mesh.produce;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class ProducerIdsTest {

    private static final TopicPartition PARTITION = new TopicPartition("apples", 0);
    private static final short EPOCH = 0;

    private final AtomicLong now = new AtomicLong();
    private final ProducerIds ids = new ProducerIds(1000, now::get);

    @Test
    void issuesANewIdEachTime() {
        long first = ids.issue();
        long second = ids.issue();

        assertEquals(1000, first);
        assertNotEquals(first, second);
    }

    @Test
    void eachPartitionHasItsOwnSequence() {
        long id = ids.issue();

        accept(ids.check(id, EPOCH, PARTITION, 0, 4, write()));
        accept(ids.check(id, EPOCH, new TopicPartition("apples", 1), 0, 0, write()));
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, assertInstanceOf(SequenceWindow.Reject.class,
                ids.check(id, EPOCH, PARTITION, 9, 9, write())).error());
    }

    @Test
    void anIdFromBeforeARestartIsTakenAsABrokerTakesOneWhoseStateItLost() {
        accept(ids.check(77, (short) 3, PARTITION, 120, 124, write()));
        assertInstanceOf(SequenceWindow.Duplicate.class, ids.check(77, (short) 3, PARTITION, 120, 124, write()));
    }

    @Test
    void aProducerUnheardOfForADayIsForgotten() {
        long idle = ids.issue();
        ids.check(idle, EPOCH, PARTITION, 0, 0, write());
        now.addAndGet(ProducerIds.EXPIRY.toNanos() / 2);
        long active = ids.issue();
        now.addAndGet(ProducerIds.EXPIRY.toNanos() / 2 + 1);

        ids.expire();

        assertEquals(1, ids.size());
        // Forgotten: a retry of its batch is no longer recognised, as on a broker that expired it.
        accept(ids.check(idle, EPOCH, PARTITION, 0, 0, write()));
        accept(ids.check(active, EPOCH, PARTITION, 0, 0, write()));
    }

    private static PartitionWrite write() {
        return new PartitionWrite("apples", 0, 1);
    }

    private static void accept(SequenceWindow.Decision decision) {
        assertInstanceOf(SequenceWindow.Accept.class, decision);
    }
}
