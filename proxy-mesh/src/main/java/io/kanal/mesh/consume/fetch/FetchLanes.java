package io.kanal.mesh.consume.fetch;

import io.kanal.mesh.upstream.BrokerAddress;

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
 * records are fetched again); nothing is kept for later. Safe for use from any thread.
 */
final class FetchLanes {

    private static final class Lane {
        final Object signature;
        final CompletableFuture<?> answer;
        boolean claimed = true;

        Lane(Object signature, CompletableFuture<?> answer) {
            this.signature = signature;
            this.answer = answer;
        }
    }

    private final Map<BrokerAddress, Lane> lanes = new HashMap<>();

    /**
     * The fetch from {@code broker} that asks what {@code signature} describes: the one under way that nobody waits
     * for, when it asks exactly that, or else a new one that {@code send} starts. The caller waits for it until it
     * {@link #release releases} it.
     */
    @SuppressWarnings("unchecked")
    synchronized <T> CompletableFuture<T> claim(BrokerAddress broker, Object signature,
                                                Supplier<CompletionStage<T>> send) {
        Lane lane = lanes.get(broker);
        if (lane != null && !lane.claimed && !lane.answer.isDone() && lane.signature.equals(signature)) {
            lane.claimed = true;
            return (CompletableFuture<T>) lane.answer;
        }
        CompletableFuture<T> answer = send.get().toCompletableFuture();
        Lane fresh = new Lane(signature, answer);
        lanes.put(broker, fresh);
        answer.whenComplete((done, failure) -> dropIfUnclaimed(broker, fresh));
        return answer;
    }

    /** The caller no longer waits for {@code answer}: it is dropped when done, adoptable until then. */
    synchronized void release(BrokerAddress broker, CompletableFuture<?> answer) {
        Lane lane = lanes.get(broker);
        if (lane == null || lane.answer != answer) {
            return;
        }
        if (answer.isDone()) {
            lanes.remove(broker);
        } else {
            lane.claimed = false;
        }
    }

    private synchronized void dropIfUnclaimed(BrokerAddress broker, Lane lane) {
        if (lanes.get(broker) == lane && !lane.claimed) {
            lanes.remove(broker);
        }
    }
}
