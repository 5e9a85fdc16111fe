package io.kanal.mesh.consume.fetch;

import io.kanal.mesh.consume.fetch.FetchLanes.Lane;
import io.kanal.mesh.upstream.Answer;
import io.kanal.mesh.upstream.BrokerAddress;
import io.kanal.proxy.config.HostPort;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.message.FetchResponseData;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A fetch the client was answered without is adopted by the client's next, identical fetch, and only by that; each
 * answer is let go once, when nobody waits for it any more.
 */
class FetchLanesTest {

    private static final BrokerAddress BROKER = new BrokerAddress("apples", new HostPort("10.0.0.1", 9092));

    private final FetchLanes lanes = new FetchLanes();
    private final AtomicInteger sent = new AtomicInteger();

    @Test
    void aReleasedFetchStillUnderWayIsAdoptedByTheSameQuestion() {
        Lane first = lanes.claim(BROKER, "offset 5", this::send);
        lanes.release(first);

        Lane second = lanes.claim(BROKER, "offset 5", this::send);

        assertSame(first, second);
        assertEquals(1, sent.get());
    }

    @Test
    void aFetchSomeoneWaitsForIsNotShared() {
        Lane first = lanes.claim(BROKER, "offset 5", this::send);

        Lane second = lanes.claim(BROKER, "offset 5", this::send);

        assertNotSame(first, second);
        assertEquals(2, sent.get());
    }

    @Test
    void aDifferentQuestionIsAskedAfresh() {
        Lane first = lanes.claim(BROKER, "offset 5", this::send);
        lanes.release(first);

        Lane second = lanes.claim(BROKER, "offset 9", this::send);

        assertNotSame(first, second);
        assertEquals(2, sent.get());
    }

    @Test
    void anAnswerNobodyWaitedForIsDroppedAndLetGo() {
        Lane first = lanes.claim(BROKER, "offset 5", this::send);
        lanes.release(first);
        ByteBuf bytes = Unpooled.buffer(1);
        first.answer().complete(answer(bytes));

        Lane second = lanes.claim(BROKER, "offset 5", this::send);

        assertNotSame(first, second, "asked again rather than served from what the mesh kept");
        assertEquals(0, bytes.refCnt());
    }

    @Test
    void anAnswerIsHeldUntilItsClaimantReleasesItAndLongerOnlyWhenRetained() {
        Lane lane = lanes.claim(BROKER, "offset 5", this::send);
        ByteBuf bytes = Unpooled.buffer(1);
        lane.answer().complete(answer(bytes));
        assertEquals(1, bytes.refCnt(), "waited for: held");

        Answer<FetchResponseData> kept = lane.answer().join().retain();
        lanes.release(lane);
        assertEquals(1, bytes.refCnt(), "the lane let go, the retainer has not");
        lanes.release(lane);
        assertEquals(1, bytes.refCnt(), "let go once, however often released");

        kept.release();
        assertEquals(0, bytes.refCnt());
    }

    @Test
    void aFetchReplacedWhileWaitedForIsLetGoWhenItsClaimantReleasesIt() {
        Lane first = lanes.claim(BROKER, "offset 5", this::send);
        Lane second = lanes.claim(BROKER, "offset 9", this::send);
        ByteBuf bytes = Unpooled.buffer(1);
        first.answer().complete(answer(bytes));

        lanes.release(first);

        assertEquals(0, bytes.refCnt());
        assertNotSame(first, lanes.claim(BROKER, "offset 5", this::send), "no longer adoptable");
        assertEquals(3, sent.get());
        lanes.release(second);
    }

    private CompletableFuture<Answer<FetchResponseData>> send() {
        sent.incrementAndGet();
        return new CompletableFuture<>();
    }

    private static Answer<FetchResponseData> answer(ByteBuf bytes) {
        return new Answer<>((short) 12, new FetchResponseData(), bytes);
    }
}
