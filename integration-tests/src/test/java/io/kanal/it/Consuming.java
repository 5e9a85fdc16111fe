package io.kanal.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Polls a consumer until it has seen a number of records, failing when they do not arrive in time. */
public final class Consuming {

    private Consuming() {
    }

    /**
     * Polls until {@code expected} records arrived, then polls once more briefly so that extra records — duplicates
     * the test must catch — are returned too.
     */
    public static <K, V> List<ConsumerRecord<K, V>> atLeast(Consumer<K, V> consumer, int expected, Duration timeout) {
        List<ConsumerRecord<K, V>> received = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < expected) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("received " + received.size() + " of " + expected + " records within "
                        + timeout.toSeconds() + "s");
            }
            consumer.poll(Duration.ofMillis(200)).forEach(received::add);
        }
        consumer.poll(Duration.ofMillis(500)).forEach(received::add);
        return received;
    }
}
