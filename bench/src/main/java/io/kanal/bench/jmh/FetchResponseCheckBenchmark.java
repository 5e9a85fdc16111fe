package io.kanal.bench.jmh;

import io.kanal.proxy.address.AddressRewriter;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.ResponseCodec;
import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.protocol.ApiKeys;
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
 * The consume hot path: Fetch responses from v16 on may name new leaders (KIP-951), so Kanal decodes each one to
 * look for node endpoints before forwarding it. With none (the usual case) the original bytes go out, so this
 * measures the decode plus the empty rewrite. 3 partitions of {@code bytesPerPartition} of 1 KiB records each.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FetchResponseCheckBenchmark {

    @Param({"65536", "1048576"})
    public int bytesPerPartition;

    private final short version = ApiKeys.FETCH.latestVersion();
    private ByteBuf frame;
    private final AddressRewriter rewriter = new AddressRewriter((nodeId, upstream) -> new HostPort("127.0.0.1", 9193));

    @Setup
    public void setUp() {
        frame = Frames.fetchResponse(3, bytesPerPartition);
    }

    @TearDown
    public void tearDown() {
        frame.release();
    }

    @Benchmark
    public boolean decodeAndCheck() {
        DecodedResponse response = ResponseCodec.decode(frame, ApiKeys.FETCH, version);
        return rewriter.rewrite(response.api(), response.bodyVersion(), response.body());
    }
}
