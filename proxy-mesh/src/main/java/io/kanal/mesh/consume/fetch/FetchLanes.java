package io.kanal.mesh.consume.fetch;

import io.kanal.mesh.upstream.Answer;
import io.kanal.mesh.upstream.BrokerAddress;
import org.apache.kafka.common.message.FetchResponseData;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One client's upstream fetches, one lane per broker, so that a fetch the mesh stopped waiting for is not asked
 * again behind itself.
 *
 * <p>The mesh answers a client as soon as enough data has arrived from some brokers, without waiting for the others'
 * long polls, which cannot be called back. Such a fetch is left to finish, and the client, having got nothing for
 * those partitions, asks for them again at the same offsets: that request adopts the fetch still under way instead of
 * queueing a copy behind it on the same connection. A fetch that finishes with nobody waiting for it is dropped (its
 * records are fetched again); nothing is kept for later.
 *
 * <p>The lanes own the answers: each is released once its fetch is done and nobody waits for it any more, so a
 * request that keeps an answer's records past {@link #release} retains the answer first. Safe for use from any thread.
 */
final class FetchLanes {

    /** One fetch from one broker, and whether a request waits for it. */
    static final class Lane {
        private final BrokerAddress broker;
        private final Object signature;
        private final CompletableFuture<Answer<FetchResponseData>> answer;
        private boolean claimed = true;
        private boolean dropped;

        private Lane(BrokerAddress broker, Object signature, CompletableFuture<Answer<FetchResponseData>> answer) {
            this.broker = broker;
            this.signature = signature;
            this.answer = answer;
        }

        /** The fetch's answer, valid for its claimant until it {@link FetchLanes#release releases} the lane. */
        CompletableFuture<Answer<FetchResponseData>> answer() {
            return answer;
        }
    }

    private final Map<BrokerAddress, Lane> current = new HashMap<>();

    /**
     * The fetch from {@code broker} that asks what {@code signature} describes: the one under way that nobody waits
     * for, when it asks exactly that, or else a new one that {@code send} starts. The caller waits for it until it
     * {@link #release releases} it.
     */
    synchronized Lane claim(BrokerAddress broker, Object signature,
                            Supplier<CompletionStage<Answer<FetchResponseData>>> send) {
        Lane lane = current.get(broker);
        if (lane != null && !lane.claimed && !lane.answer.isDone() && lane.signature.equals(signature)) {
            lane.claimed = true;
            return lane;
        }
        Lane fresh = new Lane(broker, signature, send.get().toCompletableFuture());
        current.put(broker, fresh);
        fresh.answer.whenComplete((answer, failure) -> dropIfUnclaimed(fresh));
        return fresh;
    }

    /** The caller no longer waits for {@code lane}: it is dropped when done, adoptable until then. */
    synchronized void release(Lane lane) {
        lane.claimed = false;
        if (lane.answer.isDone()) {
            drop(lane);
        }
    }

    private synchronized void dropIfUnclaimed(Lane lane) {
        if (!lane.claimed) {
            drop(lane);
        }
    }

    private void drop(Lane lane) {
        if (lane.dropped) {
            return;
        }
        lane.dropped = true;
        current.remove(lane.broker, lane);
        lane.answer.thenAccept(Answer::release);
    }
}
