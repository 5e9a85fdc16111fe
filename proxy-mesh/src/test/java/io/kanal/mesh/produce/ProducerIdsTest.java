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

    private final AtomicLong now = new AtomicLong();
    private final ProducerIds ids = new ProducerIds(1000, now::get);

    @Test
    void issuesNewIdsWithEpochZero() {
        ProducerIds.Issued first = ids.init(-1, (short) -1);
        ProducerIds.Issued second = ids.init(-1, (short) -1);

        assertEquals(new ProducerIds.Issued(1000, (short) 0), first);
        assertNotEquals(first.producerId(), second.producerId());
    }

    @Test
    void aProducerAskingWithItsIdAndEpochGetsTheNextEpochAndFreshSequences() {
        ProducerIds.Issued issued = ids.init(-1, (short) -1);
        accept(ids.check(issued.producerId(), issued.epoch(), PARTITION, 0, 9, write()));

        ProducerIds.Issued bumped = ids.init(issued.producerId(), issued.epoch());

        assertEquals(new ProducerIds.Issued(issued.producerId(), (short) 1), bumped);
        assertReject(Errors.INVALID_PRODUCER_EPOCH, ids.check(issued.producerId(), (short) 0, PARTITION, 10, 10,
                write()));
        accept(ids.check(issued.producerId(), (short) 1, PARTITION, 0, 0, write()));
    }

    @Test
    void anIdThisInstanceNeverIssuedIsRefusedAndAskingWithItGivesANewOne() {
        assertReject(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, ids.check(77, (short) 3, PARTITION, 5, 5, write()));

        ProducerIds.Issued issued = ids.init(77, (short) 3);
        assertNotEquals(77, issued.producerId());
        assertEquals(0, issued.epoch());
    }

    @Test
    void eachPartitionHasItsOwnSequence() {
        ProducerIds.Issued issued = ids.init(-1, (short) -1);

        accept(ids.check(issued.producerId(), issued.epoch(), PARTITION, 0, 4, write()));
        accept(ids.check(issued.producerId(), issued.epoch(), new TopicPartition("apples", 1), 0, 0, write()));
    }

    @Test
    void aProducerUnheardOfForADayIsForgotten() {
        ProducerIds.Issued idle = ids.init(-1, (short) -1);
        now.addAndGet(ProducerIds.EXPIRY.toNanos() / 2);
        ProducerIds.Issued active = ids.init(-1, (short) -1);
        now.addAndGet(ProducerIds.EXPIRY.toNanos() / 2 + 1);

        ids.expire();

        assertEquals(1, ids.size());
        assertReject(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, ids.check(idle.producerId(), idle.epoch(), PARTITION, 0, 0,
                write()));
        accept(ids.check(active.producerId(), active.epoch(), PARTITION, 0, 0, write()));
    }

    private static PartitionWrite write() {
        return new PartitionWrite("apples", 0, 1);
    }

    private static void accept(SequenceWindow.Decision decision) {
        assertInstanceOf(SequenceWindow.Accept.class, decision);
    }

    private static void assertReject(Errors error, SequenceWindow.Decision decision) {
        assertEquals(error, assertInstanceOf(SequenceWindow.Reject.class, decision).error());
    }
}
