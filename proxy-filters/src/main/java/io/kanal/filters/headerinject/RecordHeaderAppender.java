package io.kanal.filters.headerinject;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.ByteBufferOutputStream;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Rewrites produced record batches with extra headers appended to every record, keeping everything else of each
 * batch: magic, codec, timestamp type, base offset, offset deltas, producer id and epoch, base sequence, the
 * transactional flag, partition leader epoch, record timestamps, keys, values and the record's own headers. Only the
 * CRC, the sizes and the compressed bytes change.
 */
final class RecordHeaderAppender {

    /** Why a partition's records were left as they arrived. */
    enum Untouched { OLD_MAGIC, INVALID_BATCH, UNREADABLE }

    /** The rewritten records, or why they were left alone. */
    record Result(MemoryRecords records, Untouched untouched) {
    }

    private RecordHeaderAppender() {
    }

    /**
     * Returns {@code records} with {@code extra} appended to the headers of every data record. Control batches and
     * empty batches are copied unchanged. When any batch is older than magic v2 (which has no headers) or fails its
     * CRC check or cannot be read, nothing is rewritten, so that the broker sees, and rejects or accepts, exactly what the client sent:
     * rewriting a corrupt batch would give it a fresh, valid CRC.
     */
    static Result appendHeaders(MemoryRecords records, Header[] extra) {
        int recordCount = 0;
        for (MutableRecordBatch batch : records.batches()) {
            if (batch.magic() < RecordBatch.MAGIC_VALUE_V2) {
                return new Result(null, Untouched.OLD_MAGIC);
            }
            if (!batch.isValid()) {
                return new Result(null, Untouched.INVALID_BATCH);
            }
            Integer count = batch.countOrNull();
            recordCount += count == null ? 0 : count;
        }
        int extraBytesPerRecord = 0;
        for (Header header : extra) {
            // key and value with their varint lengths; a generous estimate, the stream grows if needed
            extraBytesPerRecord += 10 + header.key().length() * 3 + (header.value() == null ? 0 : header.value().length);
        }
        ByteBufferOutputStream out = new ByteBufferOutputStream(
                records.sizeInBytes() + recordCount * extraBytesPerRecord + 64);
        try {
            for (MutableRecordBatch batch : records.batches()) {
                Integer count = batch.countOrNull();
                if (batch.isControlBatch() || (count != null && count == 0)) {
                    batch.writeTo(out);
                } else {
                    rewrite(batch, extra, out);
                }
            }
        } catch (RuntimeException e) {
            // A batch with a valid CRC whose records still cannot be read or written again (offsets out of order,
            // a bad compressed stream): the broker's own validation gives the client the right error.
            return new Result(null, Untouched.UNREADABLE);
        }
        ByteBuffer buffer = out.buffer();
        buffer.flip();
        return new Result(MemoryRecords.readableRecords(buffer), null);
    }

    private static void rewrite(MutableRecordBatch batch, Header[] extra, ByteBufferOutputStream out) {
        long logAppendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME
                ? batch.maxTimestamp() : RecordBatch.NO_TIMESTAMP;
        MemoryRecordsBuilder builder = new MemoryRecordsBuilder(
                out,
                batch.magic(),
                Compression.of(batch.compressionType()).build(),
                batch.timestampType(),
                batch.baseOffset(),
                logAppendTime,
                batch.producerId(),
                batch.producerEpoch(),
                batch.baseSequence(),
                batch.isTransactional(),
                false,
                batch.partitionLeaderEpoch(),
                Integer.MAX_VALUE,
                batch.deleteHorizonMs().orElse(RecordBatch.NO_TIMESTAMP));
        for (Record record : batch) {
            Header[] own = record.headers();
            Header[] headers = Arrays.copyOf(own, own.length + extra.length);
            System.arraycopy(extra, 0, headers, own.length, extra.length);
            builder.appendWithOffset(record.offset(), record.timestamp(), record.key(), record.value(), headers);
        }
        builder.close();
    }
}
