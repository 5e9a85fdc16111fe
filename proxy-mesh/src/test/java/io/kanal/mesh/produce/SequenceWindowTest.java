package io.kanal.mesh.produce;

import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

class SequenceWindowTest {

    private static final short EPOCH = 0;

    private final SequenceWindow window = new SequenceWindow();

    @Test
    void acceptsBatchesInSequence() {
        accept(window.check(EPOCH, 0, 4, write()));
        accept(window.check(EPOCH, 5, 5, write()));
        accept(window.check(EPOCH, 6, 9, write()));
    }

    @Test
    void aPartitionWithoutStateTakesAnyStartingSequenceAsABrokerDoes() {
        accept(window.check(EPOCH, 40, 44, write()));
        accept(window.check(EPOCH, 45, 45, write()));
    }

    @Test
    void aRetriedBatchIsTheOriginalWithItsWrite() {
        PartitionWrite first = write();
        window.check(EPOCH, 0, 4, first);
        window.check(EPOCH, 5, 9, write());

        SequenceWindow.Decision retry = window.check(EPOCH, 0, 4, write());

        SequenceWindow.Duplicate duplicate = assertInstanceOf(SequenceWindow.Duplicate.class, retry);
        assertSame(first, duplicate.entry().write());
    }

    @Test
    void theBatchAfterOneWhoseWriteFailedWaitsUntilThatOneIsSentAgain() {
        PartitionWrite first = write();
        accept(window.check(EPOCH, 0, 4, first));
        first.attempt();
        first.failed(0, new TimeoutException("cluster down"));

        assertReject(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, window.check(EPOCH, 5, 9, write()));

        SequenceWindow.Duplicate retry = assertInstanceOf(SequenceWindow.Duplicate.class,
                window.check(EPOCH, 0, 4, write()));
        assertEquals(List.of(0), retry.entry().write().retryIfFailed());
        accept(window.check(EPOCH, 5, 9, write()));
    }

    @Test
    void aGapIsOutOfOrder() {
        window.check(EPOCH, 0, 4, write());

        assertReject(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, window.check(EPOCH, 7, 9, write()));
    }

    @Test
    void anOldBatchNoLongerRememberedIsADuplicateSequence() {
        for (int i = 0; i < SequenceWindow.REMEMBERED + 1; i++) {
            window.check(EPOCH, i, i, write());
        }

        assertReject(Errors.DUPLICATE_SEQUENCE_NUMBER, window.check(EPOCH, 0, 0, write()));
        assertInstanceOf(SequenceWindow.Duplicate.class, window.check(EPOCH, 1, 1, write()));
    }

    @Test
    void aHigherEpochStartsAgainAtZeroAndFencesTheOldOne() {
        window.check(EPOCH, 0, 4, write());

        assertReject(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, window.check((short) 1, 5, 5, write()));
        accept(window.check((short) 1, 0, 2, write()));
        assertReject(Errors.INVALID_PRODUCER_EPOCH, window.check(EPOCH, 5, 5, write()));
        accept(window.check((short) 1, 3, 3, write()));
    }

    @Test
    void sequencesWrapAroundAfterTheLargestInt() {
        window.check(EPOCH, 0, Integer.MAX_VALUE - 1, write());
        accept(window.check(EPOCH, Integer.MAX_VALUE, Integer.MAX_VALUE, write()));

        accept(window.check(EPOCH, 0, 2, write()));
    }

    private static PartitionWrite write() {
        return new PartitionWrite("t", 0, 1);
    }

    private static void accept(SequenceWindow.Decision decision) {
        assertInstanceOf(SequenceWindow.Accept.class, decision);
    }

    private static void assertReject(Errors error, SequenceWindow.Decision decision) {
        assertEquals(error, assertInstanceOf(SequenceWindow.Reject.class, decision).error());
    }
}
