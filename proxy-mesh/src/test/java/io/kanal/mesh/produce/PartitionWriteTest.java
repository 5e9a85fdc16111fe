package io.kanal.mesh.produce;

import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionWriteTest {

    @Test
    void succeedsWithTheFirstRecordsOffsetOnceEveryRecordIsAcknowledged() {
        PartitionWrite write = new PartitionWrite("apples", 2, 3);
        assertEquals(List.of(0, 1, 2), write.attempt());

        write.acknowledged(1, 11);
        write.acknowledged(0, 10);
        assertFalse(write.outcome().isDone());
        write.acknowledged(2, 12);

        assertEquals(PartitionResult.success(10), write.outcome().join());
    }

    @Test
    void failsWithTheFirstFailureOnceEveryRecordIsDone() {
        PartitionWrite write = new PartitionWrite("apples", 2, 3);
        write.attempt();

        write.failed(1, new NotEnoughReplicasException("two replicas out of sync"));
        write.acknowledged(0, 10);
        write.failed(2, new TimeoutException("late"));

        PartitionResult result = write.outcome().join();
        assertEquals(Errors.NOT_ENOUGH_REPLICAS, result.error());
        assertTrue(result.message().contains("two replicas out of sync"), result.message());
    }

    @Test
    void aRetrySendsOnlyWhatFailedAndKeepsTheOffsetsAlreadyWritten() {
        PartitionWrite write = new PartitionWrite("apples", 0, 3);
        write.attempt();
        write.acknowledged(0, 10);
        write.failed(1, new TimeoutException("late"));
        write.acknowledged(2, 12);

        assertEquals(List.of(1), write.retryIfFailed());
        write.acknowledged(1, 13);

        assertEquals(PartitionResult.success(10), write.outcome().join());
        assertEquals(List.of(), write.retryIfFailed(), "nothing to do once it succeeded");
    }

    @Test
    void aRetryWhileTheAttemptIsUnderWayWaitsForIt() {
        PartitionWrite write = new PartitionWrite("apples", 0, 1);
        write.attempt();

        assertEquals(List.of(), write.retryIfFailed());
        assertFalse(write.outcome().isDone());
    }
}
