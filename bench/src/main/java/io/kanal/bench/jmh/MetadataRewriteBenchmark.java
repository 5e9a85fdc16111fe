package io.kanal.bench.jmh;

import io.kanal.proxy.address.AddressRewriter;
import io.kanal.proxy.address.BrokerAddressMap;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.ResponseCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.protocol.ApiKeys;
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

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What Kanal does to every Metadata response: decode it, replace the brokers' addresses, encode it again. The
 * response names 3 brokers and 100 partitions (10 topics), at the newest Metadata version. The address map records
 * each broker's real address in a concurrent map and answers a proxy address, as the server's port-per-broker map
 * does once its ports are bound.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MetadataRewriteBenchmark {

    private final short version = ApiKeys.METADATA.latestVersion();
    private final ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
    private ByteBuf frame;
    private AddressRewriter rewriter;

    @Setup
    public void setUp() {
        frame = Frames.metadataResponse(3, 100);
        Map<Integer, HostPort> learned = new ConcurrentHashMap<>();
        BrokerAddressMap map = (nodeId, upstream) -> {
            learned.put(nodeId, upstream);
            return new HostPort("127.0.0.1", 9193 + nodeId);
        };
        rewriter = new AddressRewriter(map);
    }

    @TearDown
    public void tearDown() {
        frame.release();
    }

    @Benchmark
    public int decodeRewriteEncode() {
        DecodedResponse response = ResponseCodec.decode(frame, ApiKeys.METADATA, version);
        rewriter.rewrite(response.api(), response.bodyVersion(), response.body());
        ByteBuf rewritten = ResponseCodec.encode(allocator, response);
        int size = rewritten.readableBytes();
        rewritten.release();
        return size;
    }

    @Benchmark
    public DecodedResponse decodeOnly() {
        return ResponseCodec.decode(frame, ApiKeys.METADATA, version);
    }
}
