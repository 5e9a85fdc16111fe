package io.kanal.bench.jmh;

import io.kanal.proxy.frame.KafkaFrameDecoder;
import io.kanal.proxy.protocol.RequestFrame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The pass-through path of a produce request: the bytes of one read go through {@link KafkaFrameDecoder} in a Netty
 * pipeline, the frame's fixed header is read ({@link RequestFrame#parse}), {@link RequestFrame#expectsResponse}
 * looks at {@code acks}, and the frame is handed on unchanged. Here "handed on" is a release: the socket write that
 * follows in Kanal is the kernel's cost, not the proxy's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FrameForwardBenchmark {

    /** Size of the request's record batch. */
    @Param({"1024", "16384"})
    public int batchBytes;

    private ByteBuf wire;
    private EmbeddedChannel channel;
    private Forward forward;

    @Setup
    public void setUp() {
        wire = Frames.produceRequest(batchBytes);
        forward = new Forward();
        channel = new EmbeddedChannel(new KafkaFrameDecoder(100 * 1024 * 1024), forward);
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
        wire.release();
    }

    @Benchmark
    public long decodeAndForward() {
        // A duplicate sharing the bytes, as if they had just been read from the socket.
        channel.writeInbound(wire.retainedDuplicate());
        return forward.checksum;
    }

    /** The end of the pipeline: what the proxy does with a frame no filter wants. */
    static final class Forward extends ChannelInboundHandlerAdapter {
        long checksum;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                RequestFrame request = RequestFrame.parse(frame);
                checksum += request.correlationId() + (request.expectsResponse() ? 1 : 0)
                        + request.frame().readableBytes();
            } finally {
                frame.release();
            }
        }
    }
}
