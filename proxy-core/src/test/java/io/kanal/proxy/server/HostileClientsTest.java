package io.kanal.proxy.server;

import static io.kanal.proxy.server.ProxyFixture.assertRoundTrip;
import static io.kanal.proxy.server.ProxyFixture.heartbeat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.proxy.config.ProxyConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that hold connections open and send nothing, or trickle their bytes, or announce a huge frame and send it
 * slowly: none of them keeps the proxy from serving everyone else promptly, and none makes it allocate memory for
 * bytes that have not arrived.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileClientsTest {

    private static final int IDLE_CONNECTIONS = 100;
    private static final int TRICKLING_CONNECTIONS = 100;
    /** What a well-behaved client's round trip may take, far above its usual milliseconds. */
    private static final long PROMPT_MILLIS = 1_000;

    private ProxyFixture fixture;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void idleAndTricklingConnectionsDoNotHoldUpOtherClients() throws Exception {
        fixture = ProxyFixture.start(config -> config);
        byte[] frame = heartbeat(1);

        try (RawKafkaClient client = fixture.connect()) {
            assertRoundTrip(client, 0);
            for (int i = 0; i < IDLE_CONNECTIONS; i++) {
                open();
            }
            List<OutputStream> tricklers = new ArrayList<>();
            for (int i = 0; i < TRICKLING_CONNECTIONS; i++) {
                tricklers.add(open().getOutputStream());
            }
            // Each trickling connection sends one byte of a request a round, a round every 200 ms.
            long slowest = 0;
            for (int round = 0; round < 10; round++) {
                for (OutputStream trickle : tricklers) {
                    trickle.write(frame[round]);
                    trickle.flush();
                }
                long start = System.nanoTime();
                assertRoundTrip(client, round);
                slowest = Math.max(slowest, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                Thread.sleep(200);
            }
            assertTrue(slowest < PROMPT_MILLIS, "a round trip took " + slowest + " ms");
        }
        // And a client that connects now, with all of them still open, is served as well.
        try (RawKafkaClient late = fixture.connect()) {
            long start = System.nanoTime();
            assertRoundTrip(late, 1);
            assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(PROMPT_MILLIS));
        }
    }

    @Test
    void aHugeFrameSentSlowlyTakesOnlyTheMemoryOfWhatHasArrived() throws Exception {
        fixture = ProxyFixture.start(config -> new ProxyConfig(config.virtualClusters(),
                ProxyConfig.DEFAULT_MAX_FRAME_BYTES, config.connectTimeout(), config.shutdownGrace()));
        ByteBufAllocatorMetric allocator = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        int announced = 100 * 1000 * 1000;
        int connections = 10;
        int sentEach = 512 * 1024;

        // Ten connections each announce a 100 MB request, then send half a megabyte of it in small, slow pieces.
        List<OutputStream> senders = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            OutputStream out = open().getOutputStream();
            out.write(ByteBuffer.allocate(4).putInt(announced).array());
            senders.add(out);
        }
        byte[] piece = new byte[16 * 1024];
        try (RawKafkaClient client = fixture.connect()) {
            // Every connection stands and has sent its size prefix: from here on only the frames' bytes add up.
            assertRoundTrip(client, 0);
            long before = used(allocator);
            for (int sent = 0; sent < sentEach; sent += piece.length) {
                for (OutputStream out : senders) {
                    out.write(piece);
                    out.flush();
                }
                Thread.sleep(10);
            }
            // The proxy has read what was sent, and still serves others.
            assertRoundTrip(client, 1);
            Thread.sleep(200);
            assertRoundTrip(client, 2);

            long grown = used(allocator) - before;
            // 5 MB arrived; buffers grow in steps and the allocator in chunks, so allow a multiple of that. A proxy
            // that allocated for the announced sizes would need 1 GB.
            long bound = 4L * connections * sentEach + 32 * 1024 * 1024;
            assertTrue(grown < bound, "the allocator grew by " + grown / 1024 + " KiB, more than " + bound / 1024
                    + " KiB for " + connections * sentEach / 1024 + " KiB received");
        }
    }

    private Socket open() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), fixture.bootstrapPort);
        sockets.add(socket);
        return socket;
    }

    private static long used(ByteBufAllocatorMetric allocator) {
        return allocator.usedDirectMemory() + allocator.usedHeapMemory();
    }
}
