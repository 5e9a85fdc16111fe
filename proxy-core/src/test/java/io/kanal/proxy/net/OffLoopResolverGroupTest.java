package io.kanal.proxy.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolver;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OffLoopResolverGroupTest {

    private final EventLoop loop = new DefaultEventLoop();
    private final CountDownLatch answer = new CountDownLatch(1);
    private final AtomicReference<Thread> lookedUpOn = new AtomicReference<>();
    private final OffLoopResolverGroup group = new OffLoopResolverGroup(host -> {
        lookedUpOn.set(Thread.currentThread());
        try {
            answer.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (host.equals("broker-0.kafka.test")) {
            return new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};
        }
        throw new UnknownHostException(host);
    });

    @AfterEach
    void close() {
        group.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void aSlowLookupLeavesTheEventLoopFreeAndItsAnswerArrivesThere() throws Exception {
        Future<InetSocketAddress> resolved = loop.submit(() -> resolver().resolve(
                InetSocketAddress.createUnresolved("broker-0.kafka.test", 9092))).get();

        // The lookup is still waiting for its answer, and the loop runs other work meanwhile.
        assertTrue(loop.submit(() -> true).get(2, TimeUnit.SECONDS));
        assertFalse(resolved.isDone(), "resolved before the lookup answered");
        answer.countDown();

        assertTrue(resolved.await(5, TimeUnit.SECONDS));
        assertEquals(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 9092),
                resolved.getNow());
        assertNotEquals(Thread.currentThread(), lookedUpOn.get());
        assertTrue(lookedUpOn.get().getName().startsWith("kanal-dns-"), lookedUpOn.get().getName());
    }

    @Test
    void anUnknownHostFailsTheResolution() throws Exception {
        answer.countDown();
        Future<InetSocketAddress> resolved = loop.submit(() -> resolver().resolve(
                InetSocketAddress.createUnresolved("nowhere.kafka.test", 9092))).get();

        assertTrue(resolved.await(5, TimeUnit.SECONDS));
        assertInstanceOf(UnknownHostException.class, resolved.cause());
    }

    private AddressResolver<InetSocketAddress> resolver() {
        return group.getResolver(loop);
    }
}
