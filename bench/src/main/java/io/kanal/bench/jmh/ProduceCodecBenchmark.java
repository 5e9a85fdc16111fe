package io.kanal.bench.jmh;

import io.kanal.proxy.protocol.DecodedRequest;
import io.kanal.proxy.protocol.RequestCodec;
import io.kanal.proxy.protocol.RequestFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The cost a filter that hooks Produce adds: decoding a produce request with a 16 KiB record batch into
 * kafka-clients' {@code ProduceRequestData} (the records stay a view of the frame) and encoding it again (which
 * copies them).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ProduceCodecBenchmark {

    private final ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
    private ByteBuf frame;
    private DecodedRequest decoded;

    @Setup
    public void setUp() {
        frame = Frames.produceRequest(16 * 1024);
        decoded = RequestCodec.decode(RequestFrame.parse(frame));
    }

    @TearDown
    public void tearDown() {
        frame.release();
    }

    @Benchmark
    public DecodedRequest decode() {
        return RequestCodec.decode(RequestFrame.parse(frame));
    }

    @Benchmark
    public int encode() {
        ByteBuf encoded = RequestCodec.encode(allocator, decoded.header(), decoded.headerVersion(), decoded.body(),
                decoded.apiVersion());
        int size = encoded.readableBytes();
        encoded.release();
        return size;
    }

    @Benchmark
    public int decodeAndEncode() {
        DecodedRequest request = RequestCodec.decode(RequestFrame.parse(frame));
        ByteBuf encoded = RequestCodec.encode(allocator, request.header(), request.headerVersion(), request.body(),
                request.apiVersion());
        int size = encoded.readableBytes();
        encoded.release();
        return size;
    }
}
