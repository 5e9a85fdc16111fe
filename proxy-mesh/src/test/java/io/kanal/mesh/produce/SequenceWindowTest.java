package io.kanal.mesh.produce;

import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

class SequenceWindowTest {

    private final SequenceWindow window = new SequenceWindow();

    @Test
    void acceptsBatchesInSequenceFromZero() {
        assertInstanceOf(SequenceWindow.Accept.class, window.check(0, 4, write()));
        assertInstanceOf(SequenceWindow.Accept.class, window.check(5, 5, write()));
        assertInstanceOf(SequenceWindow.Accept.class, window.check(6, 9, write()));
    }

    @Test
    void aRetriedBatchIsTheOriginalWithItsWrite() {
        PartitionWrite first = write();
        window.check(0, 4, first);
        window.check(5, 9, write());

        SequenceWindow.Decision retry = window.check(0, 4, write());

        SequenceWindow.Duplicate duplicate = assertInstanceOf(SequenceWindow.Duplicate.class, retry);
        assertSame(first, duplicate.entry().write());
    }

    @Test
    void aGapIsOutOfOrder() {
        window.check(0, 4, write());

        assertReject(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, window.check(7, 9, write()));
    }

    @Test
    void aFirstBatchMustStartAtZero() {
        assertReject(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, window.check(3, 4, write()));
    }

    @Test
    void anOldBatchNoLongerRememberedIsADuplicateSequence() {
        for (int i = 0; i < SequenceWindow.REMEMBERED + 1; i++) {
            window.check(i, i, write());
        }

        assertReject(Errors.DUPLICATE_SEQUENCE_NUMBER, window.check(0, 0, write()));
        assertInstanceOf(SequenceWindow.Duplicate.class, window.check(1, 1, write()));
    }

    @Test
    void sequencesWrapAroundAfterTheLargestInt() {
        SequenceWindow wrapping = new SequenceWindow();
        wrapping.check(0, Integer.MAX_VALUE - 1, write());
        assertInstanceOf(SequenceWindow.Accept.class, wrapping.check(Integer.MAX_VALUE, Integer.MAX_VALUE, write()));

        assertInstanceOf(SequenceWindow.Accept.class, wrapping.check(0, 2, write()));
    }

    private static PartitionWrite write() {
        return new PartitionWrite("t", 0, 1);
    }

    private static void assertReject(Errors error, SequenceWindow.Decision decision) {
        assertEquals(error, assertInstanceOf(SequenceWindow.Reject.class, decision).error());
    }
}
