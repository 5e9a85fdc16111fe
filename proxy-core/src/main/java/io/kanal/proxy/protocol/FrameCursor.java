package io.kanal.proxy.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Reads Kafka's primitive types from a frame at a moving index, without touching the frame's reader index and
 * without copying. Every read checks the frame's bounds, so a lying length ends in a {@link MalformedFrameException}
 * rather than in a read past the frame.
 */
final class FrameCursor {

    private final ByteBuf frame;
    private final int end;
    private int index;

    FrameCursor(ByteBuf frame, int index) {
        this.frame = frame;
        this.index = index;
        this.end = frame.writerIndex();
    }

    int index() {
        return index;
    }

    short readShort() {
        require(2);
        short value = frame.getShort(index);
        index += 2;
        return value;
    }

    int readInt() {
        require(4);
        int value = frame.getInt(index);
        index += 4;
        return value;
    }

    int readUnsignedVarint() {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            require(1);
            byte b = frame.getByte(index++);
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new MalformedFrameException("varint longer than 5 bytes at offset " + index);
    }

    void skip(int bytes) {
        if (bytes < 0) {
            throw new MalformedFrameException("negative length " + bytes + " at offset " + index);
        }
        require(bytes);
        index += bytes;
    }

    /** Skips a STRING or NULLABLE_STRING (int16 length, -1 for null). */
    void skipString() {
        short length = readShort();
        if (length >= 0) {
            skip(length);
        } else if (length != -1) {
            throw new MalformedFrameException("string length " + length + " at offset " + index);
        }
    }

    /** Skips a COMPACT_STRING or COMPACT_NULLABLE_STRING (unsigned varint length + 1, 0 for null). */
    void skipCompactString() {
        int lengthPlusOne = readUnsignedVarint();
        if (lengthPlusOne > 0) {
            skip(lengthPlusOne - 1);
        }
    }

    /** Skips a tagged-field section: a count, then tag, size and data for each field. */
    void skipTaggedFields() {
        int count = readUnsignedVarint();
        for (int i = 0; i < count; i++) {
            readUnsignedVarint();
            skip(readUnsignedVarint());
        }
    }

    private void require(int bytes) {
        if (bytes > end - index) {
            throw new MalformedFrameException("frame ends at offset " + end + ", " + bytes
                    + " more bytes needed at offset " + index);
        }
    }
}
