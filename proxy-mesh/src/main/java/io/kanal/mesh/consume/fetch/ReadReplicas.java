package io.kanal.mesh.consume.fetch;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The replicas partition leaders told one client to read from (KIP-392: a consumer that names its rack may be sent to
 * a replica in it). The mesh follows the advice itself, since the client only knows the mesh: later fetches of that
 * partition go to the replica, until it fails or the advice grows old. Safe for use from any thread.
 */
final class ReadReplicas {

    /** How long advice is followed, as long as a Java consumer keeps it (its default metadata.max.age.ms). */
    static final Duration ADVICE_LIFETIME = Duration.ofMinutes(5);

    /** A partition of an upstream cluster. */
    record Key(String cluster, String topic, int partition) {
    }

    private record Advice(int nodeId, long untilNanos) {
    }

    private final Map<Key, Advice> advice = new HashMap<>();

    /** The node id of the replica to read {@code partition} from, while the advice is fresh. */
    synchronized Optional<Integer> preferred(Key partition) {
        Advice current = advice.get(partition);
        if (current == null) {
            return Optional.empty();
        }
        if (System.nanoTime() - current.untilNanos >= 0) {
            advice.remove(partition);
            return Optional.empty();
        }
        return Optional.of(current.nodeId);
    }

    synchronized void prefer(Key partition, int nodeId) {
        advice.put(partition, new Advice(nodeId, System.nanoTime() + ADVICE_LIFETIME.toNanos()));
    }

    /** Reads {@code partition} from its leader again. */
    synchronized void forget(Key partition) {
        advice.remove(partition);
    }
}
