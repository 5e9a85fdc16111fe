package io.kanal.mesh.produce;

import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The records of one partition of one produce request on their way upstream, each sent on its own through the
 * cluster's producer, and the offset each got. The partition's answer is ready once every record is acknowledged (the
 * offset of the first) or once one has failed and the others are done (the first failure's error).
 *
 * <p>A failed write can be attempted again, for an idempotent producer's retry of the same batch: only the records
 * still without an offset are sent again, so a retry never writes a record twice. Safe for use from any thread.
 */
final class PartitionWrite {

    private static final long NO_OFFSET = -1;

    private final String topic;
    private final int partition;
    private final long[] offsets;
    private CompletableFuture<PartitionResult> outcome;
    private int outstanding;
    private Exception failure;

    /** A write of {@code records} records, none sent yet. */
    PartitionWrite(String topic, int partition, int records) {
        if (records < 1) {
            throw new IllegalArgumentException("a write needs at least one record");
        }
        this.topic = topic;
        this.partition = partition;
        this.offsets = new long[records];
        Arrays.fill(offsets, NO_OFFSET);
    }

    /**
     * Starts an attempt for every record without an offset; the caller sends exactly those records.
     *
     * @return the indexes of the records to send
     * @throws IllegalStateException while the previous attempt is still under way
     */
    synchronized List<Integer> attempt() {
        if (outcome != null && !outcome.isDone()) {
            throw new IllegalStateException("an attempt is under way");
        }
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < offsets.length; i++) {
            if (offsets[i] == NO_OFFSET) {
                pending.add(i);
            }
        }
        outcome = new CompletableFuture<>();
        outstanding = pending.size();
        failure = null;
        if (pending.isEmpty()) {
            outcome.complete(PartitionResult.success(offsets[0]));
        }
        return pending;
    }

    /**
     * For a retry of the same batch: starts a new attempt when the last one failed, sending only the records it did
     * not write.
     *
     * @return the indexes of the records to send again; empty when the last attempt succeeded or is under way, whose
     *         {@link #outcome()} is then the answer
     */
    synchronized List<Integer> retryIfFailed() {
        if (outcome == null || !outcome.isDone() || outcome.join().succeeded()) {
            return List.of();
        }
        return attempt();
    }

    /** Whether the last attempt has ended and not every record of it was written. */
    synchronized boolean hasFailed() {
        return outcome != null && outcome.isDone() && !outcome.join().succeeded();
    }

    /** The outcome of the current attempt. */
    synchronized CompletableFuture<PartitionResult> outcome() {
        return outcome;
    }

    void acknowledged(int index, long offset) {
        CompletableFuture<PartitionResult> done;
        PartitionResult result;
        synchronized (this) {
            offsets[index] = offset;
            if (--outstanding > 0) {
                return;
            }
            done = outcome;
            result = finished();
        }
        done.complete(result);
    }

    void failed(int index, Exception cause) {
        CompletableFuture<PartitionResult> done;
        PartitionResult result;
        synchronized (this) {
            if (failure == null) {
                failure = cause;
            }
            if (--outstanding > 0) {
                return;
            }
            done = outcome;
            result = finished();
        }
        done.complete(result);
    }

    private PartitionResult finished() {
        if (failure == null) {
            return PartitionResult.success(offsets[0]);
        }
        Errors error = Errors.forException(failure);
        return PartitionResult.error(error, "writing to " + topic + "-" + partition + " upstream failed: "
                + (failure.getMessage() != null ? failure.getMessage() : failure.toString()));
    }
}
