package io.kanal.mesh.consume.fetch;

import io.kanal.mesh.upstream.BrokerAddress;
import io.kanal.proxy.config.HostPort;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** A fetch the client was answered without is adopted by the client's next, identical fetch, and only by that. */
class FetchLanesTest {

    private static final BrokerAddress BROKER = new BrokerAddress("apples", new HostPort("10.0.0.1", 9092));

    private final FetchLanes lanes = new FetchLanes();
    private final AtomicInteger sent = new AtomicInteger();

    @Test
    void aReleasedFetchStillUnderWayIsAdoptedByTheSameQuestion() {
        CompletableFuture<String> first = lanes.claim(BROKER, "offset 5", this::send);
        lanes.release(BROKER, first);

        CompletableFuture<String> second = lanes.claim(BROKER, "offset 5", this::send);

        assertSame(first, second);
        assertEquals(1, sent.get());
    }

    @Test
    void aFetchSomeoneWaitsForIsNotShared() {
        CompletableFuture<String> first = lanes.claim(BROKER, "offset 5", this::send);

        CompletableFuture<String> second = lanes.claim(BROKER, "offset 5", this::send);

        assertNotSame(first, second);
        assertEquals(2, sent.get());
    }

    @Test
    void aDifferentQuestionIsAskedAfresh() {
        CompletableFuture<String> first = lanes.claim(BROKER, "offset 5", this::send);
        lanes.release(BROKER, first);

        CompletableFuture<String> second = lanes.claim(BROKER, "offset 9", this::send);

        assertNotSame(first, second);
        assertEquals(2, sent.get());
    }

    @Test
    void anAnswerNobodyWaitedForIsDropped() {
        CompletableFuture<String> first = lanes.claim(BROKER, "offset 5", this::send);
        lanes.release(BROKER, first);
        first.complete("records nobody took");

        CompletableFuture<String> second = lanes.claim(BROKER, "offset 5", this::send);

        assertNotSame(first, second, "asked again rather than served from what the mesh kept");
    }

    private CompletableFuture<String> send() {
        sent.incrementAndGet();
        return new CompletableFuture<>();
    }
}
