package io.kanal.mesh.produce;

import org.apache.kafka.common.protocol.Errors;

/**
 * How one partition of a produce request ended: the offset of its first record, or the error.
 *
 * @param error      {@link Errors#NONE} on success
 * @param message    what went wrong, for the client; {@code null} on success
 * @param baseOffset the upstream offset of the partition's first record; -1 on error
 */
record PartitionResult(Errors error, String message, long baseOffset) {

    static PartitionResult success(long baseOffset) {
        return new PartitionResult(Errors.NONE, null, baseOffset);
    }

    static PartitionResult error(Errors error, String message) {
        return new PartitionResult(error, message, -1);
    }

    boolean succeeded() {
        return error == Errors.NONE;
    }
}
